//! Resolves the command line, the environment and the config file into
//! `Settings`, once. Precedence: flag > environment > config file > default.
//! Nothing downstream looks at flags or the environment again.

use std::ffi::OsString;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use secrecy::zeroize::Zeroize;
use serde::Deserialize;

use crate::auth::Credentials;
use crate::balance::Filter;
use crate::cli::{Cli, Format};
use crate::error::{Error, Result};
use crate::report::View;
use crate::term::Log;

pub const DEFAULT_BASE_URL: &str = "https://api.btcturk.com";
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// A real account answers tens of KB; 64 MiB leaves room for 50,000 assets
/// while keeping memory bounded whatever the server sends.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

const ENV_KEY: &str = "BTCTURK_API_KEY";
const ENV_SECRET: &str = "BTCTURK_API_SECRET";
const ENV_CONFIG: &str = "BTCTURK_BAL_CONFIG";
const ENV_BASE_URL: &str = "BTCTURK_BASE_URL";

/// Everything a run needs, validated.
#[derive(Debug)]
pub struct Settings {
    pub api: ApiSettings,
    pub output: Format,
    pub header: bool,
    pub view: View,
    pub log: Log,
}

#[derive(Debug)]
pub struct ApiSettings {
    pub credentials: Credentials,
    /// Scheme and host (and any path prefix), without a trailing slash.
    pub base_url: String,
    pub timeout: Duration,
    pub retries: u32,
    pub max_wait: Duration,
    pub max_response_bytes: u64,
}

/// The config file's keys.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    api_key: Option<String>,
    api_secret: Option<SecretString>,
    base_url: Option<String>,
    timeout_secs: Option<u64>,
}

/// Where the config file path came from: a path the user named must exist,
/// the default one may be absent.
enum ConfigPath {
    Named(PathBuf),
    Default(PathBuf),
    None,
}

impl Settings {
    pub fn resolve(cli: Cli) -> Result<Settings> {
        Self::resolve_with(cli, |name| std::env::var_os(name))
    }

    fn resolve_with(cli: Cli, env: impl Fn(&str) -> Option<OsString>) -> Result<Settings> {
        // An empty variable counts as unset, as most tools treat it.
        let env = |name: &str| {
            env(name)
                .filter(|v| !v.is_empty())
                .map(|v| v.to_string_lossy().into_owned())
        };
        let path = match (&cli.config, env(ENV_CONFIG)) {
            (Some(p), _) => ConfigPath::Named(p.clone()),
            (None, Some(p)) => ConfigPath::Named(PathBuf::from(p)),
            (None, None) => default_config_path().map_or(ConfigPath::None, ConfigPath::Default),
        };
        let (file, file_path) = match &path {
            ConfigPath::Named(p) => (load(p, true)?, Some(p.as_path())),
            ConfigPath::Default(p) => (load(p, false)?, Some(p.as_path())),
            ConfigPath::None => (None, None),
        };
        let file = file.unwrap_or_default();
        let file_origin = |key: &str| match file_path {
            Some(p) => format!("{key} in {}", p.display()),
            None => key.to_owned(),
        };

        let key = match env(ENV_KEY) {
            Some(k) => k,
            None => file
                .api_key
                .clone()
                .filter(|k| !k.trim().is_empty())
                .ok_or_else(|| missing("key", ENV_KEY, "api_key", file_path))?,
        };
        let credentials = match env(ENV_SECRET) {
            Some(s) => Credentials::new(key.trim().to_owned(), &SecretString::from(s), ENV_SECRET)?,
            None => {
                let secret = file
                    .api_secret
                    .as_ref()
                    .filter(|s| !secrecy::ExposeSecret::expose_secret(*s).trim().is_empty())
                    .ok_or_else(|| missing("secret", ENV_SECRET, "api_secret", file_path))?;
                Credentials::new(key.trim().to_owned(), secret, &file_origin("api_secret"))?
            }
        };

        let (base_url, origin) = match (cli.base_url, env(ENV_BASE_URL), file.base_url) {
            (Some(u), _, _) => (u, "--base-url".to_owned()),
            (None, Some(u), _) => (u, ENV_BASE_URL.to_owned()),
            (None, None, Some(u)) => (u, file_origin("base_url")),
            (None, None, None) => (DEFAULT_BASE_URL.to_owned(), "the default".to_owned()),
        };
        let base_url = check_base_url(&base_url, &origin)?;

        let timeout_secs = match (cli.timeout, file.timeout_secs) {
            (Some(t), _) => t,
            (None, Some(t)) if (1..=3600).contains(&t) => t,
            (None, Some(t)) => {
                return Err(Error::ConfigParse {
                    path: file_path.map(Path::to_path_buf).unwrap_or_default(),
                    message: format!("timeout_secs = {t} is outside 1..=3600"),
                });
            }
            (None, None) => DEFAULT_TIMEOUT_SECS,
        };

        Ok(Settings {
            api: ApiSettings {
                credentials,
                base_url,
                timeout: Duration::from_secs(timeout_secs),
                retries: cli.retries,
                max_wait: Duration::from_secs(cli.max_wait),
                max_response_bytes: MAX_RESPONSE_BYTES,
            },
            output: cli.output,
            header: !cli.no_header,
            view: View {
                filter: Filter {
                    non_zero: cli.non_zero,
                    assets: cli
                        .assets
                        .iter()
                        .map(|a| a.trim().to_ascii_uppercase())
                        .filter(|a| !a.is_empty())
                        .collect(),
                },
                value_in: cli.value_in,
                min_value: cli.min_value,
                sort: cli.sort,
            },
            log: Log {
                verbose: cli.verbose,
            },
        })
    }
}

fn missing(what: &'static str, env: &'static str, key: &'static str, path: Option<&Path>) -> Error {
    Error::MissingKey {
        what,
        env,
        key,
        path: path.map(Path::to_path_buf),
    }
}

/// `config.toml` in the platform's config directory for btcturk-bal.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "btcturk-bal")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Reads and parses a config file. A missing file is `None` unless the user
/// named it.
fn load(path: &Path, named: bool) -> Result<Option<FileConfig>> {
    let read_err = |source| Error::ConfigRead {
        path: path.to_path_buf(),
        source,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => return Ok(None),
        Err(e) => return Err(read_err(e)),
    };
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(read_err)?;
    let parsed = toml::from_str::<FileConfig>(&text).map_err(|e| Error::ConfigParse {
        path: path.to_path_buf(),
        message: e.message().trim_end().to_owned() + &location(&e, &text),
    });
    // The text may hold the secret: zero it rather than leave it to the allocator.
    text.zeroize();
    let config = parsed?;
    if config.api_secret.is_some() {
        check_private(&file, path)?;
    }
    Ok(Some(config))
}

/// " at line L, column C" for a TOML error. The error's own Display quotes
/// the offending line, which may be the secret's, so it is not used.
fn location(e: &toml::de::Error, text: &str) -> String {
    let Some(span) = e.span() else {
        return String::new();
    };
    let before = &text.as_bytes()[..span.start.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    format!(" (line {line}, column {column})")
}

/// A file holding the secret must not be readable by group or others, as ssh
/// insists for private keys.
#[cfg(unix)]
fn check_private(file: &std::fs::File, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .map_err(|source| Error::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::ConfigPermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_file: &std::fs::File, _path: &Path) -> Result<()> {
    Ok(())
}

/// Accepts `https://HOST[:PORT][/PREFIX]`, and `http://` only for loopback
/// hosts (the tests' fake server): the signature headers must not cross a
/// network in clear text.
fn check_base_url(url: &str, origin: &str) -> Result<String> {
    let fail = |reason: &str| Error::BaseUrl {
        url: url.to_owned(),
        origin: origin.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim().trim_end_matches('/');
    let uri: ureq::http::Uri = trimmed.parse().map_err(|_| fail("not a URL"))?;
    let host = uri.host().ok_or_else(|| fail("no host"))?;
    if trimmed.contains('@') {
        return Err(fail("user names and passwords do not belong in the URL"));
    }
    if uri.query().is_some() {
        return Err(fail("a query string does not belong in the base URL"));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(host) => {}
        Some("http") => return Err(fail("plain http is refused for hosts other than loopback")),
        _ => return Err(fail("the scheme must be https")),
    }
    Ok(trimmed.to_owned())
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        let ok = |u: &str| check_base_url(u, "test").map_err(|e| e.to_string());
        assert_eq!(
            ok("https://api.btcturk.com/").as_deref(),
            Ok("https://api.btcturk.com")
        );
        assert_eq!(
            ok("http://127.0.0.1:8080").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert_eq!(ok("http://127.9.0.1").as_deref(), Ok("http://127.9.0.1"));
        assert_eq!(ok("http://[::1]:9/").as_deref(), Ok("http://[::1]:9"));
        assert_eq!(
            ok("http://localhost:1").as_deref(),
            Ok("http://localhost:1")
        );
        for bad in [
            "http://api.btcturk.com",
            "http://10.0.0.1",
            "http://127.0.0.1.example.com",
            "ftp://127.0.0.1",
            "api.btcturk.com",
            "https://user:pw@api.btcturk.com",
            "https://api.btcturk.com/?x=1",
            "",
        ] {
            assert!(ok(bad).is_err(), "{bad} accepted");
        }
    }
}
