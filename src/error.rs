//! The one error type of btcturk-bal and its exit codes.
//!
//! Every failure a user can meet is a variant here, carrying what its message
//! needs; `code()` maps it to the exit code documented in the README, so
//! scripts can tell "try again later" (75) from "fix your keys" (77).

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::text::sanitize;

/// Exit codes, from sysexits.h where one fits.
pub mod exit {
    /// A command line that cannot be carried out, as clap's own errors.
    pub const USAGE: u8 = 2;
    pub const DATAERR: u8 = 65;
    /// A bug: the tool panicked.
    pub const SOFTWARE: u8 = 70;
    pub const NOINPUT: u8 = 66;
    pub const UNAVAILABLE: u8 = 69;
    pub const IO: u8 = 74;
    pub const TEMPFAIL: u8 = 75;
    pub const PROTOCOL: u8 = 76;
    pub const NOPERM: u8 = 77;
    pub const CONFIG: u8 = 78;
    /// Ctrl-C (SIGINT), as shells report it: 128 + 2.
    pub const INTERRUPTED: u8 = 130;

    /// Every code a run can end with: the code, what it means, what to do.
    /// `--help`, the manual and the README's table come from here (a test
    /// holds the README to it).
    pub const TABLE: &[(u8, &str, &str)] = &[
        (0, "success", ""),
        (USAGE, "bad command line", "see btcturk-bal --help"),
        (
            DATAERR,
            "history: a line that is not a row of btcturk-bal's CSV, or files of different columns",
            "mend or leave out the file the message names",
        ),
        (
            NOINPUT,
            "history: a file that is missing or cannot be read",
            "check the path",
        ),
        (
            UNAVAILABLE,
            "the API could not be reached: connection, DNS, TLS, timeout",
            "check the network; retry later",
        ),
        (
            SOFTWARE,
            "a bug in btcturk-bal: it panicked (one line says so, no core file)",
            "report it with the command you ran, keys left out; RUST_BACKTRACE=1 shows the panic's message and backtrace",
        ),
        (
            IO,
            "the output could not be written",
            "check the disk or the output file",
        ),
        (
            TEMPFAIL,
            "temporary: rate limited (429), server error (5xx), a file locked for a minute",
            "retry later; the message says when",
        ),
        (
            PROTOCOL,
            "the response was not what the API documents",
            "report it; the message names the problem",
        ),
        (
            NOPERM,
            "authentication rejected (401/403)",
            "check the key pair, its permissions and IP list (an IPv4-bound key over IPv6: --ip-version 4), the clock",
        ),
        (
            CONFIG,
            "configuration: missing or invalid keys, unreadable or invalid config file",
            "fix the setting the message names",
        ),
        (
            INTERRUPTED,
            "interrupted by Ctrl-C (SIGINT), also while a secret command prompts",
            "",
        ),
    ];
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read config file {path}: {source}")]
    ConfigRead { path: PathBuf, source: io::Error },

    #[error("config file {path} (named by {named_by}) does not exist")]
    ConfigMissing { path: PathBuf, named_by: String },

    #[error("invalid config file {path}: {message}")]
    ConfigParse { path: PathBuf, message: String },

    #[error(
        "config file {path} holds api_secret but is readable by group or others (mode {mode:03o})"
    )]
    ConfigReadable { path: PathBuf, mode: u32 },

    #[error("config file {path} is writable by group or others (mode {mode:03o})")]
    ConfigWritable { path: PathBuf, mode: u32 },

    #[error(
        "config file {path} lies in {}, which group or others may write (mode {mode:03o}, no sticky bit)",
        dir.display()
    )]
    ConfigDirWritable {
        path: PathBuf,
        dir: PathBuf,
        mode: u32,
    },

    #[error("no profile \"{}\" in the config file{}", sanitize(name), from.map(|v| format!(" (from {v})")).unwrap_or_default())]
    UnknownProfile {
        name: String,
        known: Vec<String>,
        /// The environment variable that named it, if one did.
        from: Option<&'static str>,
    },

    /// The command is named by its key and line, never by its text: a
    /// secret pasted under that key would be shown.
    #[error("{origin} failed: {reason}")]
    SecretCommand { origin: String, reason: String },

    #[error("profile {}: {source}", sanitize(profile))]
    Profile {
        profile: String,
        #[source]
        source: Box<Error>,
    },

    #[error("no API {what} configured{}", if *env_empty { format!(" ({env} is set but empty)") } else { String::new() })]
    MissingKey {
        what: &'static str,
        env: &'static str,
        /// Whether `env` is set, to nothing (an unset shell variable, say).
        env_empty: bool,
        /// The config key, `profiles.NAME.` before it for a named profile.
        key: String,
        path: Option<PathBuf>,
        /// Whether that config file exists (else `config init` makes it).
        file_found: bool,
    },

    #[error("the API secret from {origin} is not valid base64")]
    BadSecret { origin: String },

    #[error("the API key from {origin} {problem}")]
    BadKey {
        origin: String,
        problem: &'static str,
    },

    #[error("the base URL from {origin} is not usable: {problem} (it begins {preview})")]
    BaseUrl {
        origin: String,
        /// Its first few characters: enough to know it, not to leak it.
        preview: String,
        problem: &'static str,
        fix: &'static str,
    },

    #[error("cannot reach {url}: {cause}")]
    Unreachable { url: String, cause: String },

    /// A setting whose value is none of those it takes, named by where it
    /// came from ("env BTCTURK_IP_VERSION", "ip_version on line 3 of FILE").
    #[error("{origin} must be {expected}")]
    Setting {
        origin: String,
        expected: &'static str,
    },

    #[error("{addr} is an {family} address, and --ip-version {ip_version} was asked for")]
    OtherFamily {
        addr: String,
        family: &'static str,
        ip_version: &'static str,
    },

    #[error("cannot resolve {host}{}", ip_version.map(|v| format!(" to an IPv{v} address")).unwrap_or_default())]
    Unresolved {
        host: String,
        /// The one address family allowed, when only one is.
        /// "4" or "6" when only that family was allowed.
        ip_version: Option<&'static str>,
    },

    #[error("{url} did not answer with TLS")]
    NotTls { url: String },

    #[error("TLS certificate of {url} not accepted: {cause}")]
    Certificate { url: String, cause: String },

    #[error("rate limited ({detail})")]
    RateLimited {
        detail: String,
        retry_after: Option<Duration>,
    },

    #[error("the API answered {status} ({detail})")]
    ServerFault { status: String, detail: String },

    #[error("unexpected response from the API: {0}")]
    Response(String),

    #[error("the API answered {status} redirecting to {location:?}; redirects are not followed")]
    Redirect { status: u16, location: String },

    #[error("authentication rejected by the API ({status}{detail}){}", over_ipv6.map(|(from, _)| format!(", over IPv6 from {from}")).unwrap_or_default())]
    Auth {
        status: u16,
        detail: String,
        clock: ClockNote,
        /// The refused request went over IPv6 from this address; and
        /// whether IPv6 only was asked for.
        over_ipv6: Option<(std::net::IpAddr, bool)>,
    },

    #[error("cannot write output: {0}")]
    Output(io::Error),

    #[error("cannot write {path}: {source}")]
    OutputFile { path: PathBuf, source: io::Error },

    #[error("cannot write {path}: the directory {} does not exist", dir.display())]
    OutputDir { path: PathBuf, dir: PathBuf },

    #[error("cannot write {path}: the folder {} does not let you make files in it", dir.display())]
    OutputDirDenied { path: PathBuf, dir: PathBuf },

    #[error("cannot append to {path}: it {file}, but this run writes {run}")]
    AppendMismatch {
        path: PathBuf,
        file: String,
        run: String,
    },

    #[error("{path} is locked by another process (waited {} s for it)", waited.as_secs())]
    Locked { path: PathBuf, waited: Duration },

    #[error(
        "-p: no profile \"{}\" in the config file or the dumps",
        sanitize(name)
    )]
    HistoryUnknownProfile { name: String, known: Vec<String> },

    #[error("cannot read {path}: {source}")]
    HistoryOpen { path: PathBuf, source: io::Error },

    #[error("{path} has no header line")]
    HistoryHeaderless {
        path: PathBuf,
        /// The header lines a row of its length could have been written
        /// under.
        headers: Vec<String>,
    },

    #[error(
        "-p: {path} has no profile column (it was written without --all-profiles), so the dumps have no profiles"
    )]
    HistoryNoProfiles { path: PathBuf },

    #[error(
        "{first} (line {first_line}) and {second} (line {second_line}) hold different rows for one asset at {at}"
    )]
    HistoryConflict {
        first: PathBuf,
        first_line: u64,
        second: PathBuf,
        second_line: u64,
        at: String,
    },

    #[error("history has no dump to read")]
    HistoryNoInput,

    #[error("no snapshot at or before {at}: the first is at {first}")]
    HistoryBefore { at: String, first: String },

    #[error("{what} is past what a .NET decimal holds ({})", crate::figure::BOUND)]
    HistoryOverflow { what: String },

    #[error("{path}, line {line}: {problem}")]
    HistoryData {
        path: PathBuf,
        line: u64,
        problem: String,
        /// Whether it is one broken line (worth mending or removing), not
        /// a file that is no dump at all.
        broken_line: bool,
    },

    #[error("{first} and {second} hold different columns: `{first_header}` and `{second_header}`")]
    HistoryMixed {
        first: PathBuf,
        first_header: String,
        second: PathBuf,
        second_header: String,
    },

    #[error("{path} already exists")]
    ConfigExists { path: PathBuf },

    #[error("no config directory: HOME is not set")]
    NoConfigDir,
}

/// What is known about the local clock when authentication failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ClockNote {
    /// Not checked (a 403, or the check itself failed).
    Unknown(Option<String>),
    /// Checked and within tolerance; the skew in milliseconds (positive: behind).
    Fine(i64),
    /// Off by more than the API tolerates, and a corrected request failed too.
    Skewed(i64),
}

impl Error {
    /// The error as met in `profile` (with `--all-profiles`), naming it.
    pub fn in_profile(self, profile: Option<&str>) -> Error {
        match profile {
            Some(p) => Error::Profile {
                profile: p.to_owned(),
                source: Box::new(self),
            },
            None => self,
        }
    }

    /// The process exit code for this error (README, "Exit codes").
    pub fn code(&self) -> u8 {
        match self {
            Error::ConfigRead { .. }
            | Error::ConfigMissing { .. }
            | Error::ConfigParse { .. }
            | Error::ConfigReadable { .. }
            | Error::ConfigWritable { .. }
            | Error::ConfigDirWritable { .. }
            | Error::MissingKey { .. }
            | Error::BadSecret { .. }
            | Error::BadKey { .. }
            | Error::BaseUrl { .. }
            | Error::UnknownProfile { .. }
            | Error::SecretCommand { .. } => exit::CONFIG,
            Error::Profile { source, .. } => source.code(),
            Error::Unreachable { .. }
            | Error::OtherFamily { .. }
            | Error::Unresolved { .. }
            | Error::Certificate { .. }
            | Error::NotTls { .. } => exit::UNAVAILABLE,
            Error::RateLimited { .. } | Error::ServerFault { .. } | Error::Locked { .. } => {
                exit::TEMPFAIL
            }
            Error::Response(_) | Error::Redirect { .. } => exit::PROTOCOL,
            Error::Auth { .. } => exit::NOPERM,
            Error::Output(_)
            | Error::OutputFile { .. }
            | Error::OutputDir { .. }
            | Error::OutputDirDenied { .. }
            | Error::AppendMismatch { .. } => exit::IO,
            Error::HistoryOpen { .. } => exit::NOINPUT,
            Error::HistoryData { .. }
            | Error::HistoryMixed { .. }
            | Error::HistoryHeaderless { .. }
            | Error::HistoryConflict { .. } => exit::DATAERR,
            Error::HistoryNoProfiles { .. }
            | Error::HistoryNoInput
            | Error::HistoryUnknownProfile { .. } => exit::USAGE,
            Error::HistoryBefore { .. } | Error::HistoryOverflow { .. } => exit::DATAERR,
            Error::ConfigExists { .. } | Error::NoConfigDir | Error::Setting { .. } => exit::CONFIG,
        }
    }

    /// A line telling the user what to do about it, where one helps.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Profile { source, .. } => source.hint(),
            Error::UnknownProfile { name, known, .. } => Some(profile_hint(name, known)),
            Error::ConfigExists { .. } => {
                Some("edit it, or run `btcturk-bal config init --force` to replace it".into())
            }
            Error::ConfigMissing { path, .. } => Some(format!(
                "fix the path, or write a template there: btcturk-bal config init --config {}",
                path.display()
            )),
            Error::ConfigReadable { path, .. } => {
                Some(format!("run: chmod 600 {}", path.display()))
            }
            // 600 in one step: it also keeps a secret the file may hold
            // from being read, which the next check would ask for.
            Error::ConfigWritable { path, .. } => Some(format!(
                "run: chmod 600 {} (whoever can write it can change the command it runs and where the keys go)",
                path.display()
            )),
            Error::ConfigDirWritable { dir, .. } => Some(format!(
                "run: chmod go-w {} (whoever can write there can replace the file)",
                dir.display()
            )),
            Error::BaseUrl { fix, .. } => Some((*fix).into()),
            Error::NoConfigDir => Some("name the file with --config PATH".into()),
            Error::SecretCommand { .. } => Some(
                "run the command yourself to see what it says; it must print the secret on stdout"
                    .into(),
            ),
            Error::MissingKey {
                env,
                key,
                path,
                file_found,
                ..
            } => {
                let file = path.as_ref().map_or_else(
                    || "the config file".to_owned(),
                    |p| p.display().to_string(),
                );
                let own = if key.starts_with("profiles.") {
                    " (a profile does not take the top-level keys)"
                } else {
                    ""
                };
                let init = if *file_found {
                    ""
                } else {
                    "; `btcturk-bal config init` writes a template to fill in"
                };
                Some(format!("set {env}, or add {key} to {file}{own}{init}"))
            }
            Error::BadKey { .. } => Some(
                "copy the public key again from BtcTurk's API access page; it is letters, digits and dashes"
                    .into(),
            ),
            Error::BadSecret { .. } => Some(
                "use the private key exactly as BtcTurk showed it when the API key was created"
                    .into(),
            ),
            Error::Unresolved {
                ip_version: Some(v),
                ..
            } => Some(format!(
                "ip_version {v} allows only IPv{v} addresses (from --ip-version, BTCTURK_IP_VERSION or ip_version in the config file); `any` allows both"
            )),
            Error::Unresolved { .. } => Some(
                "check the host name in the base URL, the network connection and its DNS".into(),
            ),
            Error::OtherFamily { ip_version, .. } => Some(format!(
                "ip_version {ip_version} (from --ip-version, BTCTURK_IP_VERSION or ip_version in the config file) allows no other family; use `any`, or a base URL of that family"
            )),
            Error::Unreachable { .. } => {
                Some("check the network connection, proxy settings and the base URL".into())
            }
            Error::NotTls { .. } => Some(
                "the server may speak plain http: then the base URL may want http:// (taken only for 127.0.0.1, ::1 and localhost)"
                    .into(),
            ),
            Error::Certificate { .. } => Some(
                "the server's certificate is not trusted; check the base URL and any proxy that intercepts TLS"
                    .into(),
            ),
            Error::RateLimited { retry_after, .. } => Some(match retry_after {
                Some(wait) => match crate::clock::rfc3339_after(*wait) {
                    Some(at) => format!("try again after {at} ({} s from now)", wait.as_secs()),
                    None => format!(
                        "the API asks for a pause of {} s, past any date; try again later",
                        wait.as_secs()
                    ),
                },
                None => "try again in a minute; the API allows 120 requests a minute".into(),
            }),
            Error::ServerFault { .. } => {
                Some("the exchange is having trouble; try again in a few minutes".into())
            }
            Error::Auth {
                over_ipv6: Some((_, asked)),
                ..
            } => Some(format!(
                "keys are bound to addresses, mostly IPv4 ones, and a key bound to an IPv4 address is refused over IPv6: {}",
                if *asked {
                    "register this IPv6 address with the key (IPv6 only was asked for)"
                } else {
                    "set ip_version = 4 in the config file (or BTCTURK_IP_VERSION=4, or --ip-version 4), or register this IPv6 address with the key"
                }
            )),
            Error::Auth { clock, .. } => Some(auth_hint(clock)),
            Error::HistoryData { broken_line, .. } => Some(if *broken_line {
                "history reads the CSV btcturk-bal writes (-o csv); mend or remove that line".into()
            } else {
                "history reads the CSV btcturk-bal writes (-o csv)".into()
            }),
            Error::HistoryHeaderless { path, headers } => Some(match &headers[..] {
                [] => "history reads the CSV btcturk-bal writes (-o csv) with its header line".into(),
                [one] => format!(
                    "history needs the header line btcturk-bal writes (runs written with --no-header lack it); for these rows it is\n  {one}\nadd it as the first line, for example: sed -i '1i {one}' {}",
                    path.display()
                ),
                several => format!(
                    "history needs the header line btcturk-bal writes (runs written with --no-header lack it); for rows of this length it is one of\n  {}\n(price_usdt,value_usdt for values in USDT); add the right one as the first line",
                    several.join("\n  ")
                ),
            }),
            Error::HistoryBefore { first, .. } => Some(format!(
                "give a time from {first} on, or read the dump that holds the earlier snapshots too"
            )),
            Error::HistoryNoInput => Some(
                "name a FILE, pipe one in (btcturk-bal history < FILE), or set history_file in the config file"
                    .into(),
            ),
            Error::HistoryNoProfiles { .. } => {
                Some("leave out -p; dumps written with --all-profiles have a profile column".into())
            }
            Error::HistoryConflict { .. } => Some(
                "two dumps of the same account and time disagree: read them apart, or remove the run that is wrong"
                    .into(),
            ),
            Error::HistoryMixed { .. } => Some(
                "read files written with the same options (--value-in, --all-profiles, --csv-locale) together"
                    .into(),
            ),
            Error::HistoryUnknownProfile { name, known } => Some(profile_hint(name, known)),
            Error::OutputDir { dir, .. } => Some(format!("create it: mkdir -p {}", dir.display())),
            Error::OutputDirDenied { dir, .. } => Some(format!(
                "write into a folder of yours, or have write access to {} given to you",
                dir.display()
            )),
            Error::AppendMismatch { .. } => Some(
                "append to a new file, or run with the options that wrote this one (--value-in, --csv-locale, --delimiter)"
                    .into(),
            ),
            Error::Locked { path, .. } => Some(format!(
                "find what holds it (fuser {}); a cron line's flock -n takes a lock file of its own, never the dump",
                path.display()
            )),
            Error::Output(e) | Error::OutputFile { source: e, .. }
                if e.kind() == io::ErrorKind::FileTooLarge =>
            {
                Some("raise the file size limit for this run (ulimit -f), or write less (-z)".into())
            }
            _ => None,
        }
    }
}

/// What to check when the API refused the key pair, led by the clock when
/// it is known to be off.
fn auth_hint(clock: &ClockNote) -> String {
    let clock = match clock {
        ClockNote::Skewed(ms) => {
            return format!(
                "{}; sync it (for example enable NTP) and try again",
                crate::clock::describe_skew(*ms)
            );
        }
        ClockNote::Fine(ms) => format!(
            "not the clock: it is within {} s of the API's",
            crate::clock::seconds(*ms)
        ),
        ClockNote::Unknown(Some(why)) => format!("the system clock (could not compare it: {why})"),
        ClockNote::Unknown(None) => "the system clock".into(),
    };
    format!(
        "check: the key and secret belong together; the key may read funds; \
         the key's IP restriction allows this machine; {clock}"
    )
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// "did you mean" the closest of `known`, else all of them.
fn profile_hint(name: &str, known: &[String]) -> String {
    match closest(name, known) {
        Some(near) => format!(
            "did you mean \"{}\"? known profiles: {}",
            sanitize(near),
            sanitize(&known.join(", "))
        ),
        None => format!(
            "known profiles: {} (add [profiles.NAME] to the config file for more)",
            sanitize(&known.join(", "))
        ),
    }
}

/// The known name closest to a mistyped one, if one is close: the same
/// letters in another case, or similar by Jaro-Winkler (the measure and the
/// bound clap's own "did you mean" uses).
fn closest<'k>(name: &str, known: &'k [String]) -> Option<&'k String> {
    known
        .iter()
        .map(|k| {
            let score = if k.eq_ignore_ascii_case(name) {
                1.0
            } else {
                strsim::jaro_winkler(name, k)
            };
            (score, k)
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_of_hints_is_reached() {
        let hint = |e: Error| e.hint().unwrap_or_default();
        assert!(hint(Error::NoConfigDir).contains("--config PATH"));
        let missing = Error::MissingKey {
            what: "key",
            env: "BTCTURK_API_KEY",
            env_empty: false,
            key: "api_key".into(),
            path: Some("/c.toml".into()),
            file_found: true,
        };
        assert_eq!(
            hint(missing),
            "set BTCTURK_API_KEY, or add api_key to /c.toml"
        );
        let unknown = Error::UnknownProfile {
            name: "Work".into(),
            known: vec!["default".into(), "work".into()],
            from: None,
        };
        assert!(hint(unknown).starts_with("did you mean \"work\"?"));
        assert!(hint(Error::HistoryNoInput).contains("history_file"));
        let dir = Error::OutputDir {
            path: "/x/y".into(),
            dir: "/x".into(),
        };
        assert_eq!(hint(dir), "create it: mkdir -p /x");
        let unresolved = Error::Unresolved {
            host: "h".into(),
            ip_version: Some("4"),
        };
        assert!(hint(unresolved).contains("only IPv4"));
        assert_eq!(Error::Response("x".into()).hint(), None);
    }
}
