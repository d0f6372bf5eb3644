//! The config file: read (a regular file of at most 1 MiB, that others
//! cannot change, and cannot read when it holds the secret) and parsed
//! into each profile's keys, with errors that name key and line and never
//! a value.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};

/// One profile's keys as the file gives them, each with where it stands
/// in the file (for messages that name a key's line, never its value).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileProfile {
    pub(super) api_key: Option<Spanned<String>>,
    pub(super) api_secret: Option<Spanned<SecretString>>,
    pub(super) api_secret_command: Option<Spanned<String>>,
    pub(super) base_url: Option<Spanned<String>>,
    pub(super) timeout_secs: Option<Spanned<u64>>,
    /// 4, 6 or "any": the address family requests may use.
    pub(super) ip_version: Option<Spanned<toml::Value>>,
    /// The dump `history` reads when given no file on a terminal.
    pub(super) history_file: Option<Spanned<String>>,
}

/// The config file: the default profile's keys at the top, and more
/// profiles under `[profiles.NAME]`.
#[derive(Debug, Default)]
pub(super) struct FileConfig {
    pub(super) top: FileProfile,
    pub(super) profiles: BTreeMap<String, FileProfile>,
    /// Where each line of the file starts, to turn a value's place into
    /// its line number once the text itself is gone.
    line_starts: Vec<usize>,
}

/// The file as written. The top-level keys are spelled out rather than
/// flattened from `FileProfile`: through `flatten`, serde neither denies
/// unknown keys nor knows where in the file an error is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    api_key: Option<Spanned<String>>,
    api_secret: Option<Spanned<SecretString>>,
    api_secret_command: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    timeout_secs: Option<Spanned<u64>>,
    ip_version: Option<Spanned<toml::Value>>,
    history_file: Option<Spanned<String>>,
    #[serde(default)]
    profiles: BTreeMap<String, FileProfile>,
}

impl FileConfig {
    fn new(f: FileText, text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        FileConfig {
            top: FileProfile {
                api_key: f.api_key,
                api_secret: f.api_secret,
                api_secret_command: f.api_secret_command,
                base_url: f.base_url,
                timeout_secs: f.timeout_secs,
                ip_version: f.ip_version,
                history_file: f.history_file,
            },
            profiles: f.profiles,
            line_starts,
        }
    }

    /// The line (from 1) of a value of the file.
    pub(super) fn line<T>(&self, value: &Spanned<T>) -> usize {
        let at = value.span().start;
        self.line_starts
            .partition_point(|&start| start <= at)
            .max(1)
    }

    /// Whether any profile holds a secret (an empty `api_secret = ""`, as
    /// in the example file, is none).
    fn holds_secret(&self) -> bool {
        let holds = |p: &FileProfile| {
            p.api_secret
                .as_ref()
                .is_some_and(|s| !s.get_ref().expose_secret().trim().is_empty())
        };
        holds(&self.top) || self.profiles.values().any(holds)
    }
}

/// The most a config file can be: a few profiles take a few KiB.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads and parses a config file. A missing file (or one under a folder
/// that is a file) is `None` unless the user named it. What is not a regular file, is over 1 MiB, or could be changed
/// by other users is refused before it is read.
pub(super) fn load(path: &Path, named: bool) -> Result<Option<FileConfig>> {
    let read_err = |source| Error::ConfigRead {
        path: path.to_path_buf(),
        source,
    };
    let refuse = |message: &str| Error::ConfigParse {
        path: path.to_path_buf(),
        message: message.to_owned(),
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        // A path that cannot exist (HOME a file, so .config under it is
        // no folder) is as absent as a missing file.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) && !named =>
        {
            return Ok(None);
        }
        Err(e) => return Err(read_err(e)),
    };
    if !meta.is_file() {
        return Err(refuse("not a regular file"));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(refuse("larger than 1 MiB; a config file is a few lines"));
    }
    check_writers(path, &meta)?;
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut text = String::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(read_err)?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        text.zeroize();
        return Err(refuse("larger than 1 MiB; a config file is a few lines"));
    }
    let parsed = toml::from_str::<FileText>(&text)
        .map(|f| FileConfig::new(f, &text))
        .map_err(|e| Error::ConfigParse {
            path: path.to_path_buf(),
            message: toml_problem(&e, &text),
        });
    // The text may hold the secret: zero it rather than leave it to the allocator.
    text.zeroize();
    let config = parsed?;
    let mode = meta.permissions().mode() & 0o777;
    if config.holds_secret() && mode & 0o044 != 0 {
        return Err(Error::ConfigReadable {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(Some(config))
}

/// Refuses a config file that others could change, whatever it holds: it
/// can name a command to run and where the keys are sent. So is one in a
/// directory they may write without the sticky bit (they could replace it).
fn check_writers(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(Error::ConfigWritable {
            path: path.to_path_buf(),
            mode,
        });
    }
    let dir = crate::output::parent_dir(path);
    if let Ok(dir_meta) = std::fs::metadata(dir) {
        let mode = dir_meta.permissions().mode() & 0o7777;
        if mode & 0o022 != 0 && mode & 0o1000 == 0 {
            return Err(Error::ConfigDirWritable {
                path: path.to_path_buf(),
                dir: dir.to_path_buf(),
                mode: mode & 0o777,
            });
        }
    }
    Ok(())
}

/// What is wrong with a config file, by key and line, never quoting a
/// value: a secret pasted under the wrong key, or without its quotes, must
/// not reach the terminal. (toml's own Display quotes the line, and its
/// type errors quote the value.)
fn toml_problem(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim_end();
    // serde names an unknown key, and the keys it knows: no values.
    let what = if message.starts_with("unknown field") {
        message.to_owned()
    } else {
        match message.rfind("expected ") {
            Some(at) => friendly(&message[at..]),
            None => "not valid TOML here".to_owned(),
        }
    };
    let Some(span) = e.span() else {
        return what;
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or_default();
    match line_text.split_once('=').map(|(key, _)| key.trim()) {
        Some(key) if is_bare_key(key) && message == "duplicate key" => {
            match first_line_of(text, key, line) {
                Some(first) => format!("`{key}` is set twice, on lines {first} and {line}"),
                None => format!("`{key}` on line {line} is set twice"),
            }
        }
        Some(key) if is_bare_key(key) => format!("`{key}` on line {line}: {what}"),
        _ => format!("line {line}: {what}"),
    }
}

/// The line, before `line`, in the same table, where `key` was first set.
fn first_line_of(text: &str, key: &str, line: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
    lines
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .find(|(_, l)| l.split_once('=').is_some_and(|(k, _)| k.trim() == key))
        .map(|(at, _)| at + 1)
}

/// A TOML key as written before `=` (dotted or quoted keys are not named).
fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// serde's names for what it wanted, in words.
fn friendly(expected: &str) -> String {
    expected
        .replace("u64", "a whole number")
        .replace("a borrowed string", "a string")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_problems_name_key_and_line_never_the_value() {
        let problem = |text: &str| match toml::from_str::<FileText>(text) {
            Err(e) => toml_problem(&e, text),
            Ok(_) => "parsed".into(),
        };
        let cases = [
            (
                "api_key = \"k\"\ntimeout_secs = \"s3cr3t\"\n",
                "`timeout_secs` on line 2: expected a whole number",
            ),
            ("api_key = s3cr3t+/=\n", "`api_key` on line 1: "),
            (
                "api_key = 5\napi_secret = [\"s3cr3t\"]\n",
                "`api_key` on line 1: expected a string",
            ),
            (
                "[profiles.x]\napi_secert = \"s3cr3t\"\n",
                "unknown field `api_secert`, expected one of",
            ),
            ("api_key = \"s3cr3t\n", "`api_key` on line 1: "),
            ("s3cr3t\n", "line 1: "),
            (
                "api_key = \"s3cr3t\"\n# a comment\napi_key = \"s3cr3t2\"\n",
                "`api_key` is set twice, on lines 1 and 3",
            ),
            (
                "api_key = \"a\"\n[profiles.w]\napi_key = \"b\"\napi_key = \"c\"\n",
                "`api_key` is set twice, on lines 3 and 4",
            ),
            (
                "api_kye = \"s3cr3t\"\n",
                "unknown field `api_kye`, expected one of `api_key`",
            ),
        ];
        for (text, expected) in cases {
            let shown = problem(text);
            assert!(shown.contains(expected), "{text:?}: {shown}");
            assert!(!shown.contains("s3cr3t"), "{text:?}: {shown}");
        }
    }

    #[test]
    fn each_value_knows_its_line() {
        let text = "# keys\napi_key = \"k\"\n\n[profiles.work]\nbase_url = \"x\"\n";
        let parsed = toml::from_str::<FileText>(text).expect("parses");
        let config = FileConfig::new(parsed, text);
        let key = config.top.api_key.as_ref().expect("key");
        assert_eq!(config.line(key), 2);
        let url = config.profiles["work"].base_url.as_ref().expect("url");
        assert_eq!(config.line(url), 5);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_config_or_a_problem_in_words(text in "\\PC{0,80}") {
            match toml::from_str::<FileText>(&text) {
                Ok(parsed) => {
                    let config = FileConfig::new(parsed, &text);
                    if let Some(key) = &config.top.api_key {
                        proptest::prop_assert!(config.line(key) >= 1);
                    }
                }
                Err(e) => {
                    let _ = toml_problem(&e, &text);
                }
            }
        }
    }
}
