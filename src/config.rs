//! Resolves the command line, the environment and the config file into
//! each command's settings (`task`), once. Precedence: flag > environment >
//! config file > default. Nothing downstream looks at flags, the
//! environment or the file again.
//!
//! The config file's top-level keys are the default profile; each
//! `[profiles.NAME]` table is another account, inheriting the top-level
//! `base_url`, `timeout_secs` and `ip_version` it does not set, never the
//! keys.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::api::{ApiSettings, IpVersion};
use crate::auth::Credentials;
use crate::cli::{
    Cli, Command, Common, ConfigCommand, CsvLocale, ENV_BASE_URL, ENV_CONFIG, ENV_IP_VERSION,
    ENV_KEY, ENV_PROFILE, ENV_SECRET, HistoryArgs, ShowArgs,
};
use crate::error::{Error, Result};
use crate::output::Destination;
use crate::render::{self, CsvStyle};
use crate::report::{Filter, View};
use crate::term::{ColorChoice, Log, Terminal};
use crate::text::sanitize;

mod base_url;
mod file;

use file::{FileConfig, FileProfile, load};
use toml::Spanned;

pub const DEFAULT_BASE_URL: &str = "https://api.btcturk.com";
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// A real account answers tens of KB; 64 MiB leaves room for far larger
/// ones while keeping memory bounded whatever the server sends.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// The name the top-level keys answer to.
pub const DEFAULT_PROFILE: &str = "default";

/// Where a setting came from, for `config show` and error messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    /// A key of the config file and its line.
    File {
        path: PathBuf,
        key: String,
        line: usize,
    },
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::File { path, key, line } => {
                // A profile's name in the key came from the file: inert.
                write!(f, "{} on line {line} of {}", sanitize(key), path.display())
            }
            Source::Default => f.write_str("default"),
        }
    }
}

/// The config file path and whether the user named it: a named file must
/// exist, the default one may be absent.
#[derive(Debug, Clone)]
pub struct ConfigPath {
    pub path: Option<PathBuf>,
    pub source: Source,
}

impl ConfigPath {
    /// --config, else $BTCTURK_BAL_CONFIG, else the platform default.
    fn resolve(global: &Common, env: &EnvVars) -> ConfigPath {
        match (&global.config, &env.config) {
            (Some(p), _) => ConfigPath {
                path: Some(p.clone()),
                source: Source::Flag("--config"),
            },
            (None, Some(p)) => ConfigPath {
                path: Some(PathBuf::from(p)),
                source: Source::Env(ENV_CONFIG),
            },
            (None, None) => ConfigPath {
                path: default_config_path(),
                source: Source::Default,
            },
        }
    }

    /// The path in use, without reading the file.
    pub fn in_use(global: &Common) -> ConfigPath {
        Self::resolve(global, &EnvVars::read())
    }
}

/// The inputs of resolution: flags, environment and the parsed file.
pub struct Inputs<'a> {
    global: &'a Common,
    env: EnvVars,
    pub config: ConfigPath,
    file: FileConfig,
    /// Whether the file exists (for `config show`).
    pub file_found: bool,
}

/// A setting's value and where it came from.
pub struct Resolved<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Resolved<T> {
    fn new(value: T, source: Source) -> Self {
        Resolved { value, source }
    }
}

/// The secret as configured: a value, or a command that prints it.
pub enum SecretSetting {
    Value(SecretString),
    Command(String),
}

impl<'a> Inputs<'a> {
    /// Reads the environment and the config file.
    pub fn load(global: &'a Common) -> Result<Inputs<'a>> {
        let env = EnvVars::read();
        let config = ConfigPath::resolve(global, &env);
        let named = config.source != Source::Default;
        let file = match &config.path {
            Some(path) => load(path, named).map_err(|e| match e {
                Error::ConfigRead { path, source }
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    Error::ConfigMissing {
                        path,
                        named_by: config.source.to_string(),
                    }
                }
                e => e,
            })?,
            None => None,
        };
        Ok(Inputs {
            global,
            env,
            config,
            file_found: file.is_some(),
            file: file.unwrap_or_default(),
        })
    }

    /// A value of the file and where it came from: `prefix` (a profile's
    /// `profiles.NAME.`, or nothing) and `key`, on its line.
    fn located<'f, T>(&'f self, prefix: &str, key: &str, value: &'f Spanned<T>) -> (&'f T, Source) {
        let source = Source::File {
            path: self.config.path.clone().unwrap_or_default(),
            key: format!("{prefix}{key}"),
            line: self.file.line(value),
        };
        (value.get_ref(), source)
    }

    /// Every profile name the file defines, the default first.
    pub fn profile_names(&self) -> Vec<String> {
        std::iter::once(DEFAULT_PROFILE.to_owned())
            .chain(
                self.file
                    .profiles
                    .keys()
                    .filter(|n| *n != DEFAULT_PROFILE)
                    .cloned(),
            )
            .collect()
    }

    /// The dump `history` reads by default: `history_file` of the profile,
    /// else of the top level; a leading `~/` is the home directory.
    pub fn history_file(&self, name: &str) -> Result<Option<PathBuf>> {
        let own = self.own_table(name)?;
        let prefix = format!("profiles.{name}.");
        let Some((written, source)) =
            self.inherited(own, &prefix, "history_file", |p| &p.history_file)
        else {
            return Ok(None);
        };
        let bad = |expected| Error::Setting {
            origin: source.to_string(),
            expected,
        };
        if written.trim().is_empty() {
            return Err(bad("a file's path, not empty"));
        }
        // As git and ssh read paths in their config files: ~ is the home
        // folder, and a relative path is taken from the config file's
        // folder (a cron job does not choose the current one).
        let home = self.env.home.as_ref().map(PathBuf::from);
        let path = match (written.as_str(), home) {
            ("~", Some(home)) => home,
            (w, Some(home)) if w.starts_with("~/") => home.join(&w["~/".len()..]),
            (w, _) => match &self.config.path {
                Some(config) if Path::new(w).is_relative() => {
                    crate::output::parent_dir(config).join(w)
                }
                _ => PathBuf::from(w),
            },
        };
        // A FIFO would hold the run until something writes to it.
        if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(bad("a regular file, not a folder, a FIFO or a device"));
        }
        Ok(Some(path))
    }

    /// Whether a profile of the file sets a `history_file` of its own.
    pub fn own_history_file(&self, name: &str) -> bool {
        self.file
            .profiles
            .get(name)
            .is_some_and(|p| p.history_file.is_some())
    }

    /// A profile's own table: `None` for the default profile without a
    /// `[profiles.default]`; an error for a name the file does not have.
    fn own_table(&self, name: &str) -> Result<Option<&FileProfile>> {
        match self.file.profiles.get(name) {
            Some(p) => Ok(Some(p)),
            None if name == DEFAULT_PROFILE => Ok(None),
            None => Err(Error::UnknownProfile {
                name: name.to_owned(),
                known: self.profile_names(),
                from: None,
            }),
        }
    }

    /// The profile to use: --profile, else $BTCTURK_PROFILE, else default.
    /// One line when the environment's key or secret stands in for the
    /// selected profile's own (the documented precedence, which `-p work`
    /// alone does not suggest); `None` with `--all-profiles`, which leaves
    /// the environment's keys out.
    pub fn env_over_profile(&self, all_profiles: bool) -> Option<String> {
        let name = self.selected_profile().value;
        let own = self.file.profiles.get(&name).filter(|_| !all_profiles)?;
        let vars: Vec<&str> = [
            (self.env.key.is_some() && own.api_key.is_some(), ENV_KEY),
            (
                self.env.secret.is_some()
                    && (own.api_secret.is_some() || own.api_secret_command.is_some()),
                ENV_SECRET,
            ),
        ]
        .into_iter()
        .filter_map(|(set, var)| set.then_some(var))
        .collect();
        (!vars.is_empty()).then(|| {
            format!(
                "{} from the environment stand{} in for profile \"{}\"'s own (the environment comes first; unset {} to use the profile's)",
                vars.join(" and "),
                if vars.len() == 1 { "s" } else { "" },
                crate::text::sanitize(&name),
                if vars.len() == 1 { "it" } else { "them" },
            )
        })
    }

    pub fn selected_profile(&self) -> Resolved<String> {
        match (&self.global.profile, self.env.profile.clone()) {
            (Some(p), _) => Resolved {
                value: p.clone(),
                source: Source::Flag("--profile"),
            },
            (None, Some(p)) => Resolved {
                value: p,
                source: Source::Env(ENV_PROFILE),
            },
            (None, None) => Resolved {
                value: DEFAULT_PROFILE.to_owned(),
                source: Source::Default,
            },
        }
    }

    /// A profile's own keys over the top-level ones, with the file key
    /// each came from.
    fn merged(&self, name: &str) -> Result<Merged<'_>> {
        let top = &self.file.top;
        let own = self.own_table(name)?;
        let prefix = format!("profiles.{name}.");
        // The keys name an account, so they are never inherited: a named
        // profile has its own or none; the top-level ones are the default
        // profile's (or a [profiles.default] table's, if it sets any).
        let has_keys = |p: &FileProfile| {
            p.api_key.is_some() || p.api_secret.is_some() || p.api_secret_command.is_some()
        };
        let (keys, key_prefix) = match own {
            Some(own) if name != DEFAULT_PROFILE || has_keys(own) => (own, prefix.as_str()),
            _ => (top, ""),
        };
        if keys.api_secret.is_some() && keys.api_secret_command.is_some() {
            return Err(Error::ConfigParse {
                path: self.config.path.clone().unwrap_or_default(),
                message: format!(
                    "{0}api_secret and {0}api_secret_command are both set; keep one",
                    sanitize(key_prefix)
                ),
            });
        }
        let key = |key, get| self.value(keys, key_prefix, key, get);
        Ok(Merged {
            api_key: key("api_key", |p| &p.api_key),
            api_secret: self.value(keys, key_prefix, "api_secret", |p| &p.api_secret),
            api_secret_command: key("api_secret_command", |p| &p.api_secret_command),
            base_url: self.inherited(own, &prefix, "base_url", |p| &p.base_url),
            timeout_secs: self.inherited(own, &prefix, "timeout_secs", |p| &p.timeout_secs),
            ip_version: self.inherited(own, &prefix, "ip_version", |p| &p.ip_version),
            history_file: self.inherited(own, &prefix, "history_file", |p| &p.history_file),
        })
    }

    /// A key of the profile's own table, else of the top level.
    fn inherited<'f, T>(
        &'f self,
        own: Option<&'f FileProfile>,
        prefix: &str,
        key: &str,
        get: fn(&FileProfile) -> &Option<Spanned<T>>,
    ) -> Option<(&'f T, Source)> {
        match own {
            Some(p) if get(p).is_some() => self.value(p, prefix, key, get),
            _ => self.value(&self.file.top, "", key, get),
        }
    }

    /// A key of a table of the file, and where it stands.
    fn value<'f, T>(
        &'f self,
        table: &'f FileProfile,
        prefix: &str,
        key: &str,
        get: fn(&FileProfile) -> &Option<Spanned<T>>,
    ) -> Option<(&'f T, Source)> {
        get(table).as_ref().map(|v| self.located(prefix, key, v))
    }

    /// Resolves the settings of one profile, without running the secret
    /// command or checking the keys (`config show` uses this as it is).
    pub fn describe(&self, name: &str, env_keys: bool) -> Result<Described> {
        let file = self.merged(name)?;
        let (env_key, env_secret) = if env_keys {
            (self.env.key.clone(), self.env.secret.clone())
        } else {
            (None, None)
        };
        let api_key = match (env_key, file.api_key) {
            (Some(k), _) => Some(Resolved::new(k, Source::Env(ENV_KEY))),
            (None, Some((k, source))) if !k.trim().is_empty() => {
                Some(Resolved::new(k.clone(), source))
            }
            _ => None,
        };
        let api_secret = match (env_secret, file.api_secret, file.api_secret_command) {
            (Some(s), ..) => Some(Resolved::new(
                SecretSetting::Value(s),
                Source::Env(ENV_SECRET),
            )),
            (None, Some((s, source)), _) if !s.expose_secret().trim().is_empty() => {
                Some(Resolved::new(SecretSetting::Value(s.clone()), source))
            }
            (None, _, Some((c, source))) => {
                Some(Resolved::new(SecretSetting::Command(c.clone()), source))
            }
            _ => None,
        };
        let base_url = match (&self.global.base_url, &self.env.base_url, file.base_url) {
            (Some(u), ..) => Resolved::new(u.clone(), Source::Flag("--base-url")),
            (None, Some(u), _) => Resolved::new(u.clone(), Source::Env(ENV_BASE_URL)),
            (None, None, Some((u, source))) => Resolved::new(u.clone(), source),
            (None, None, None) => Resolved::new(DEFAULT_BASE_URL.to_owned(), Source::Default),
        };
        let timeout_secs = match (self.global.timeout, file.timeout_secs) {
            (Some(t), _) => Resolved::new(t, Source::Flag("--timeout")),
            (None, Some((t, source))) => Resolved::new(*t, source),
            (None, None) => Resolved::new(DEFAULT_TIMEOUT_SECS, Source::Default),
        };
        let ip_version = self.ip_version(file.ip_version)?;
        let history_file = file
            .history_file
            .map(|(path, source)| Resolved::new(path.clone(), source));
        Ok(Described {
            api_key,
            api_secret,
            base_url,
            timeout_secs,
            ip_version,
            history_file,
        })
    }

    /// --ip-version, else $BTCTURK_IP_VERSION, else the file's, else any.
    fn ip_version(&self, file: Option<(&toml::Value, Source)>) -> Result<Resolved<IpVersion>> {
        let (parsed, source) = match (self.global.ip_version, &self.env.ip_version, file) {
            (Some(v), ..) => (Some(v), Source::Flag("--ip-version")),
            (None, Some(text), _) => (IpVersion::parse(text), Source::Env(ENV_IP_VERSION)),
            (None, None, Some((value, source))) => (
                match value {
                    toml::Value::String(text) => IpVersion::parse(text),
                    toml::Value::Integer(4) => Some(IpVersion::V4),
                    toml::Value::Integer(6) => Some(IpVersion::V6),
                    _ => None,
                },
                source,
            ),
            (None, None, None) => (Some(IpVersion::Any), Source::Default),
        };
        match parsed {
            Some(value) => Ok(Resolved::new(value, source)),
            None => Err(Error::Setting {
                origin: source.to_string(),
                expected: "4, 6 or \"any\"",
            }),
        }
    }

    /// The validated settings of one profile: keys present, the secret
    /// command run, the secret decoded, the base URL checked.
    /// `env_keys`: whether BTCTURK_API_KEY/SECRET apply (not with
    /// --all-profiles, where they would stand for every account at once).
    pub fn api_settings(&self, name: &str, env_keys: bool) -> Result<ApiSettings> {
        let d = self.describe(name, env_keys)?;
        let credentials = self.credentials(name, d.api_key, d.api_secret, env_keys)?;
        let base_url = check_base_url(&d.base_url)?;
        if !(1..=3600).contains(&d.timeout_secs.value) {
            return Err(Error::ConfigParse {
                path: self.config.path.clone().unwrap_or_default(),
                message: format!(
                    "timeout_secs = {} is outside 1..=3600",
                    d.timeout_secs.value
                ),
            });
        }
        Ok(ApiSettings {
            profile: name.to_owned(),
            credentials,
            base_url,
            timeout: Duration::from_secs(d.timeout_secs.value),
            ip_version: d.ip_version.value,
            retries: self.global.retries,
            max_wait: Duration::from_secs(self.global.max_wait),
            max_response_bytes: MAX_RESPONSE_BYTES,
        })
    }

    /// The key pair: both present, the secret command run, the key
    /// printable ASCII, the secret decoded.
    fn credentials(
        &self,
        name: &str,
        key: Option<Resolved<String>>,
        secret: Option<Resolved<SecretSetting>>,
        env_keys: bool,
    ) -> Result<Credentials> {
        // A named profile's keys live in its own table.
        let table = if name == DEFAULT_PROFILE {
            String::new()
        } else {
            format!("profiles.{name}.")
        };
        let missing = |what, env, key| Error::MissingKey {
            what,
            env,
            env_empty: env_keys && self.env.empty.contains(&env),
            key: format!("{table}{key}"),
            path: self.config.path.clone(),
            file_found: self.file_found,
        };
        let key = key.ok_or_else(|| missing("key", ENV_KEY, "api_key"))?;
        let secret = secret.ok_or_else(|| missing("secret", ENV_SECRET, "api_secret"))?;
        let origin = secret.source.to_string();
        let secret_value = match secret.value {
            SecretSetting::Value(s) => s,
            SecretSetting::Command(command) => crate::secret::run(&command, &origin)?,
        };
        let key_text = key.value.trim();
        // It goes out as a header: only printable ASCII can, and a few
        // hundred bytes at most (BtcTurk's keys are 36 characters).
        let problem = if !key_text.bytes().all(|b| b.is_ascii_graphic()) {
            Some("holds spaces, control or non-ASCII characters")
        } else if key_text.len() > 256 {
            Some("is longer than any API key (BtcTurk's are 36 characters)")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::BadKey {
                origin: key.source.to_string(),
                problem,
            });
        }
        Credentials::new(key_text.to_owned(), &secret_value, &origin)
    }

    /// The profiles a run fetches: the selected one, or with
    /// `--all-profiles` every profile that has a key.
    pub fn api_profiles(&self, all: bool) -> Result<Vec<ApiSettings>> {
        if !all {
            let profile = self.selected_profile();
            let settings = self
                .api_settings(&profile.value, true)
                .map_err(|e| match e {
                    Error::UnknownProfile { name, known, .. } => Error::UnknownProfile {
                        name,
                        known,
                        from: match profile.source {
                            Source::Env(var) => Some(var),
                            _ => None,
                        },
                    },
                    other => other,
                })?;
            return Ok(vec![settings]);
        }
        let path = || self.config.path.clone().unwrap_or_default();
        // Each profile with a key of its own is an account; two with one
        // key would count that account twice.
        let mut keyed: Vec<(String, String)> = Vec::new();
        for name in self.profile_names() {
            let described = self
                .describe(&name, false)
                .map_err(|e| e.in_profile(Some(&name)))?;
            let Some(key) = described.api_key else {
                continue;
            };
            let key = key.value.trim().to_owned();
            if let Some((other, _)) = keyed.iter().find(|(_, k)| *k == key) {
                return Err(Error::ConfigParse {
                    path: path(),
                    message: format!(
                        "profiles {} and {} have the same api_key; each profile names its own account",
                        sanitize(other),
                        sanitize(&name)
                    ),
                });
            }
            keyed.push((name, key));
        }
        if keyed.is_empty() {
            return Err(Error::ConfigParse {
                path: path(),
                message: "--all-profiles found no profile with an api_key".into(),
            });
        }
        keyed
            .iter()
            .map(|(name, _)| {
                self.api_settings(name, false)
                    .map_err(|e| e.in_profile(Some(name)))
            })
            .collect()
    }
}

/// What a run is to do, with everything it needs resolved.
pub enum Task<'a> {
    Listing(Settings),
    /// The file as loaded, or why it could not be: doctor reports that as
    /// its first check.
    Doctor(Result<Inputs<'a>>),
    History(crate::history::Query),
    ConfigInit {
        path: PathBuf,
        force: bool,
    },
    ConfigPath(PathBuf),
    ConfigShow(Inputs<'a>),
    ConfigProfiles(Vec<String>),
    Completions(clap_complete::Shell),
    Man,
}

/// The one place the command line, the environment and the config file
/// meet: each command's settings. `common` is `cli.common`.
pub fn task<'a>(cli: &Cli, common: &'a Common, terminal: &Terminal, log: Log) -> Result<Task<'a>> {
    let path = || ConfigPath::in_use(common).path.ok_or(Error::NoConfigDir);
    Ok(match &cli.command {
        None => Task::Listing(Settings::resolve(&cli.show, common, terminal)?),
        Some(Command::Doctor(_)) => Task::Doctor(Inputs::load(common)),
        Some(Command::History(args)) => {
            Task::History(history_query(args, &Inputs::load(common)?, terminal, log)?)
        }
        Some(Command::Config(ConfigCommand::Init { force, .. })) => Task::ConfigInit {
            path: path()?,
            force: *force,
        },
        Some(Command::Config(ConfigCommand::Path { .. })) => Task::ConfigPath(path()?),
        Some(Command::Config(ConfigCommand::Show { .. })) => {
            Task::ConfigShow(Inputs::load(common)?)
        }
        Some(Command::Config(ConfigCommand::Profiles { .. })) => {
            Task::ConfigProfiles(Inputs::load(common)?.profile_names())
        }
        Some(Command::Completions { shell }) => Task::Completions(*shell),
        Some(Command::Man) => Task::Man,
    })
}

/// The display style of output bound for a terminal or not.
fn style(terminal: &Terminal, color: ColorChoice, to_terminal: bool) -> render::Style {
    render::Style {
        boxes: terminal.boxes(to_terminal),
        color: terminal.color(color, to_terminal),
        width: to_terminal.then_some(terminal.width),
    }
}

/// What `history` reads and shows.
fn history_query(
    args: &HistoryArgs,
    inputs: &Inputs,
    terminal: &Terminal,
    log: Log,
) -> Result<crate::history::Query> {
    use crate::history::View;
    let mut files = args.files.clone();
    // -p or BTCTURK_PROFILE alike: a profile of the config file, or one a
    // dump written with --all-profiles names.
    let selected = inputs.selected_profile();
    let profile = (selected.source != Source::Default).then_some(selected.value);
    let known_profiles = inputs.profile_names();
    let in_config = profile.as_ref().filter(|p| known_profiles.contains(p));
    let mut profile_file = false;
    // On a terminal, stdin is no dump: the config file may name one, the
    // profile's own or the top level's.
    if files.is_empty() && terminal.stdin {
        let name = in_config.map_or(DEFAULT_PROFILE, String::as_str);
        profile_file = in_config.is_some() && inputs.own_history_file(name);
        let file = inputs.history_file(name)?;
        files.push(file.ok_or(Error::HistoryNoInput)?);
    }
    // Only periods, dates and times without an offset need the zone; a TZ
    // that names none is said once.
    let local = [args.since, args.until, args.at]
        .into_iter()
        .flatten()
        .any(|w| w.is_local());
    let tz = if args.every.is_some() || local {
        let (zone, warning) = crate::zone::local();
        if let Some(warning) = warning {
            log.warn(&warning);
        }
        zone
    } else {
        jiff::tz::TimeZone::UTC
    };
    Ok(crate::history::Query {
        files,
        view: match (&args.asset, args.changes, args.at) {
            (Some(code), ..) => View::Asset(code.clone()),
            (None, true, _) => View::Changes,
            (None, false, Some(at)) => View::At(at),
            (None, false, None) => View::Snapshots,
        },
        since: args.since,
        until: args.until,
        every: args.every,
        tz,
        profile,
        profile_file,
        known_profiles,
        format: args.output,
        style: style(terminal, inputs.global.color, terminal.stdout),
        chart: terminal.stdout && !args.no_chart,
        escape: terminal.stdout,
        width: terminal.width,
        waiting: Box::new(move |line| log.note(line)),
    })
}

/// Everything a balance run needs, validated.
#[derive(Debug)]
pub struct Settings {
    /// The profiles to fetch: one, or all with `--all-profiles`.
    pub profiles: Vec<ApiSettings>,
    pub all_profiles: bool,
    pub view: View,
    pub render: render::Options,
    pub destination: Destination,
    /// Whether the output goes to a terminal (stdout, a terminal).
    pub to_terminal: bool,
    pub watch: Option<Duration>,
    /// Warnings about the settings themselves, for stderr.
    pub notes: Vec<String>,
}

impl Settings {
    /// The balance listing's settings: the profiles and their keys, what
    /// to show, how, and where.
    pub fn resolve(show: &ShowArgs, common: &Common, terminal: &Terminal) -> Result<Settings> {
        let inputs = Inputs::load(common)?;
        let profiles = inputs.api_profiles(show.all_profiles)?;
        let notes = inputs
            .env_over_profile(show.all_profiles)
            .into_iter()
            .collect();
        let destination = Destination::new(show.out.as_deref(), show.append.as_deref());
        let to_terminal = matches!(destination, Destination::Stdout) && terminal.stdout;
        let turkish = show.csv_locale == Some(CsvLocale::Tr);
        Ok(Settings {
            profiles,
            all_profiles: show.all_profiles,
            view: View {
                filter: Filter {
                    non_zero: show.non_zero,
                    assets: show.assets.clone(),
                },
                value_in: show.value_in,
                min_value: show.min_value,
                sort: show.sort,
            },
            render: render::Options {
                format: show.output,
                header: !show.no_header,
                csv: CsvStyle {
                    delimiter: show.delimiter.unwrap_or(if turkish { b';' } else { b',' }),
                    decimal_comma: turkish,
                    bom: turkish,
                },
                style: style(terminal, common.color, to_terminal),
                escape: to_terminal,
            },
            to_terminal,
            destination,
            watch: show.watch.map(Duration::from_secs),
            notes,
        })
    }
}

/// The environment variables btcturk-bal reads, read once. An empty
/// variable counts as unset, as most tools treat it; so does one of spaces
/// only (a key of spaces would be sent, and refused requests count toward
/// the API's block of an address).
struct EnvVars {
    key: Option<String>,
    secret: Option<SecretString>,
    config: Option<String>,
    base_url: Option<String>,
    profile: Option<String>,
    ip_version: Option<String>,
    /// For a `~/` in paths of the config file.
    home: Option<OsString>,
    /// The variables set to nothing, for the messages.
    empty: Vec<&'static str>,
}

impl EnvVars {
    fn read() -> EnvVars {
        let blank = |v: &OsString| v.to_string_lossy().trim().is_empty();
        let var = |name| {
            std::env::var_os(name)
                .filter(|v: &OsString| !blank(v))
                .map(|v| v.to_string_lossy().into_owned())
        };
        EnvVars {
            key: var(ENV_KEY),
            secret: var(ENV_SECRET).map(SecretString::from),
            config: var(ENV_CONFIG),
            base_url: var(ENV_BASE_URL),
            profile: var(ENV_PROFILE),
            ip_version: var(ENV_IP_VERSION),
            home: std::env::var_os("HOME"),
            empty: [ENV_KEY, ENV_SECRET]
                .into_iter()
                .filter(|name| std::env::var_os(name).is_some_and(|v| blank(&v)))
                .collect(),
        }
    }
}

/// One profile's keys from the file, the profile's own over the top-level.
struct Merged<'f> {
    api_key: Option<(&'f String, Source)>,
    api_secret: Option<(&'f SecretString, Source)>,
    api_secret_command: Option<(&'f String, Source)>,
    base_url: Option<(&'f String, Source)>,
    timeout_secs: Option<(&'f u64, Source)>,
    ip_version: Option<(&'f toml::Value, Source)>,
    history_file: Option<(&'f String, Source)>,
}

/// One profile's settings and their sources, unvalidated.
pub struct Described {
    pub api_key: Option<Resolved<String>>,
    pub api_secret: Option<Resolved<SecretSetting>>,
    pub base_url: Resolved<String>,
    pub timeout_secs: Resolved<u64>,
    pub ip_version: Resolved<IpVersion>,
    /// As written in the file (`config show`).
    pub history_file: Option<Resolved<String>>,
}

/// `config.toml` in the platform's config directory for btcturk-bal.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "btcturk-bal")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// The base URL requests go to, or an error that says what is wrong with
/// it without showing it.
pub fn check_base_url(url: &Resolved<String>) -> Result<String> {
    base_url::parse(&url.value).map_err(|p| Error::BaseUrl {
        origin: url.source.to_string(),
        preview: base_url::preview(&url.value),
        problem: p.problem,
        fix: p.fix,
    })
}
