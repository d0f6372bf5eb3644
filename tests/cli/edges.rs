//! Everything btcturk-bal takes from outside, walked from the tool's own
//! tables: each option of each subcommand (from `--help`, which clap
//! writes from its command tree), each environment variable (`--help`'s
//! Environment list, and TZ, COLUMNS and HOME) and each config key (the
//! template `config init` writes), given a catalogue of hostile values.
//! Each run must end within 5 s, under 200 MB, with an exit code from the
//! exit table and no internal error. A flag, variable or key added later
//! is walked the day it is added.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::{FakeApi, KEY, Reply, SECRET, TICKER, standard};

/// A dump `history` reads, so that its options meet real rows.
const DUMP: &str = "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision\n\
2026-11-24T03:00:00Z,BTC,Bitcoin,1,1,0,0,0,8\n\
2026-11-24T04:00:00Z,BTC,Bitcoin,2,2,0,0,0,8\n";

/// One run of the walk.
struct Case {
    what: String,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    /// The config file's bytes, when the case has one.
    config: Option<Vec<u8>>,
    /// The fake API's URL and keys in the environment.
    keys: bool,
}

/// Paths that are no file to read or write.
struct Places {
    fifo: PathBuf,
    dir: PathBuf,
    dump: PathBuf,
}

impl Places {
    fn paths(&self) -> Vec<OsString> {
        vec![
            "/dev/zero".into(),
            self.fifo.clone().into(),
            self.dir.clone().into(),
            self.dir.join("missing-folder/file").into(),
        ]
    }
}

/// The catalogue: empty, padded, enormous, not UTF-8, a control
/// character, negative, 2^64.
fn hostile() -> Vec<OsString> {
    vec![
        "".into(),
        "  5  ".into(),
        "A".repeat(100_000).into(),
        OsString::from_vec(vec![0xff, 0xfe, b'A']),
        "x\u{1}y".into(),
        "-1".into(),
        "18446744073709551616".into(),
    ]
}

/// What `args --help` prints.
fn help(args: &[&str]) -> String {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("btcturk-bal"))
        .args(args)
        .arg("--help")
        .env_clear()
        .output()
        .expect("help");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The lines of a help section (`Commands:`, `Exit codes:`), up to the
/// blank line that ends it.
fn section<'h>(help: &'h str, title: &str) -> Vec<&'h str> {
    help.lines()
        .skip_while(|l| *l != title)
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

/// A command path (`[]`, `["history"]`, `["config", "show"]`...) and its
/// options that take a value, each with the value's name.
type Command = (Vec<String>, Vec<(String, String)>);

/// Every command and its options.
fn commands() -> Vec<Command> {
    let mut found = Vec::new();
    let mut todo = vec![Vec::<String>::new()];
    while let Some(path) = todo.pop() {
        let words: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&words);
        for line in section(&text, "Commands:") {
            let name = line.split_whitespace().next().unwrap_or_default();
            if !name.is_empty() && name != "help" && line.starts_with("  ") {
                todo.push(path.iter().cloned().chain([name.to_owned()]).collect());
            }
        }
        let options = text
            .lines()
            .filter(|l| l.starts_with("  -") || l.starts_with("      --"))
            .filter_map(|l| {
                let l = l.trim_start();
                let l = l.split_once(", ").map_or(l, |(_, long)| long);
                let (flag, value) = l.split_once(" <")?;
                let value = value.strip_suffix('>')?;
                Some((flag.to_owned(), value.to_owned()))
            })
            .collect();
        found.push((path, options));
    }
    found
}

/// The environment variables `--help` lists, and those the tool reads
/// from the system (time zone, terminal width, home).
fn variables() -> Vec<String> {
    let text = help(&[]);
    let mut names: Vec<String> = section(&text, "Environment:")
        .into_iter()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .flat_map(|l| {
            let first = l.trim_start().split("  ").next().unwrap_or_default();
            first
                .split(", ")
                .map(|n| n.split('=').next().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    names.extend(["TZ", "COLUMNS", "HOME"].map(str::to_owned));
    names
}

/// The config keys the template `config init` writes names, set or
/// commented out.
fn config_keys() -> Vec<String> {
    let template = include_str!("../../config.example.toml");
    let mut keys: Vec<String> = template
        .lines()
        .filter_map(|l| l.trim_start_matches("# ").split_once(" = "))
        .map(|(key, _)| key.to_owned())
        .filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 7, "{keys:?}");
    keys
}

/// `value` as a TOML basic string.
fn toml_string(value: &[u8]) -> Vec<u8> {
    let mut out = b"\"".to_vec();
    for chunk in value.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                c if c.is_control() => {
                    out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes())
                }
                c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        // Not UTF-8: the bytes as they are, which TOML refuses.
        out.extend_from_slice(chunk.invalid());
    }
    out.push(b'"');
    out
}

/// A config file with working keys, `key` set to `value` (replacing its
/// working value).
fn config_with(api: &FakeApi, key: &str, value: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    for (k, v) in [
        ("api_key", KEY.to_owned()),
        ("api_secret", SECRET.to_owned()),
        ("base_url", api.url()),
    ] {
        if k != key {
            text.extend_from_slice(format!("{k} = \"{v}\"\n").as_bytes());
        }
    }
    text.extend_from_slice(key.as_bytes());
    text.extend_from_slice(b" = ");
    text.extend_from_slice(value);
    text.push(b'\n');
    text
}

/// Every case of the walk.
fn cases(api: &FakeApi, places: &Places) -> Vec<Case> {
    let mut cases = Vec::new();
    for (path, options) in commands() {
        for (flag, value_name) in options {
            let mut values = hostile();
            if flag == "--watch" {
                // Padded, 5 is a valid --watch, which runs until stopped:
                // 4 (padded) is the bound's edge instead.
                values[1] = "  4  ".into();
            }
            if ["FILE", "PATH", "DIR"].contains(&value_name.as_str()) {
                values.extend(places.paths());
            }
            for value in values {
                let mut args: Vec<OsString> = path.iter().map(OsString::from).collect();
                let mut arg = OsString::from(format!("{flag}="));
                arg.push(&value);
                args.push(arg);
                match path.first().map(String::as_str) {
                    Some("history") => args.push(places.dump.clone().into()),
                    Some("completions") => args.push("bash".into()),
                    _ => {}
                }
                cases.push(Case {
                    what: format!("{} {flag}={}", path.join(" "), shown(&value)),
                    args,
                    env: Vec::new(),
                    config: None,
                    keys: true,
                });
            }
        }
    }
    for name in variables() {
        let mut values = hostile();
        values.extend(places.paths());
        for value in values {
            // The listing reads them all; history only TZ (for periods).
            let mut runs: Vec<&[&str]> = vec![&[]];
            if name == "TZ" {
                runs.push(&["history", "--every", "month"]);
            }
            for args in runs {
                let mut args: Vec<OsString> = args.iter().map(OsString::from).collect();
                if args.first().is_some_and(|a| a == "history") {
                    args.push(places.dump.clone().into());
                }
                // The fake API in the file too: a variable set to nothing
                // counts as unset, and then the file's URL serves.
                let config = format!("base_url = \"{}\"\n", api.url()).into_bytes();
                cases.push(Case {
                    what: format!("{name}={} {args:?}", shown(&value)),
                    args,
                    env: vec![(name.clone().into(), value.clone())],
                    config: Some(config),
                    keys: true,
                });
            }
        }
    }
    for key in config_keys() {
        let mut values: Vec<Vec<u8>> = hostile()
            .iter()
            .chain(&places.paths())
            .map(|v| toml_string(v.as_bytes()))
            .collect();
        values.extend([b"-1".to_vec(), b"18446744073709551616".to_vec()]);
        for value in values {
            for args in [&[][..], &["config", "show"]] {
                cases.push(Case {
                    what: format!("{key} = {} {args:?}", shown(OsStr::from_bytes(&value))),
                    args: args.iter().map(OsString::from).collect(),
                    env: Vec::new(),
                    config: Some(config_with(api, &key, &value)),
                    keys: false,
                });
            }
        }
    }
    cases
}

/// A value as a failure names it: at most 40 characters.
fn shown(value: &OsStr) -> String {
    let text = value.to_string_lossy();
    let clipped: String = text.chars().take(40).collect();
    format!("{clipped:?}")
}

/// Runs `case` in a home of its own: why it failed the rules, if it did.
fn walk(case: &Case, api: &FakeApi, codes: &[i32], time: Option<&Path>) -> Option<String> {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("config/btcturk-bal/config.toml");
    if let Some(text) = &case.config {
        std::fs::create_dir_all(config.parent().expect("dir")).expect("config dir");
        std::fs::write(&config, text).expect("config");
        crate::support::set_mode(&config, 0o600);
    }
    let memory = home.path().join("memory");
    let stderr = home.path().join("stderr");
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let mut cmd = match time {
        Some(time) => {
            let mut cmd = std::process::Command::new(time);
            cmd.args(["-f", "%M", "-o"]).arg(&memory).arg("env");
            cmd
        }
        None => std::process::Command::new("env"),
    };
    cmd.arg("--default-signal")
        .arg(bin)
        .args(&case.args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("LANG", "C.UTF-8");
    if case.keys {
        cmd.env("BTCTURK_BASE_URL", api.url())
            .env("BTCTURK_API_KEY", KEY)
            .env("BTCTURK_API_SECRET", SECRET);
    }
    cmd.envs(case.env.iter().map(|(k, v)| (k, v)))
        .current_dir(home.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"));
    let mut child = cmd.spawn().expect("start");
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Some(format!("{}: still running after 5 s", case.what));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let said = String::from_utf8_lossy(&std::fs::read(&stderr).unwrap_or_default()).into_owned();
    let code = status.code().unwrap_or(-1);
    if !codes.contains(&code) {
        return Some(format!("{}: exit {code} ({status:?}): {said}", case.what));
    }
    if said.contains("internal error") {
        return Some(format!("{}: {said}", case.what));
    }
    if time.is_some() {
        let kb: u64 = std::fs::read_to_string(&memory)
            .ok()
            .and_then(|m| m.lines().last()?.trim().parse().ok())
            .unwrap_or(0);
        if kb > 200 * 1024 {
            return Some(format!("{}: {kb} KB at most", case.what));
        }
    }
    None
}

#[test]
fn every_option_variable_and_key_takes_hostile_values_in_words() {
    let api = FakeApi::start(|req| match req.path.as_str() {
        TICKER => Reply::json(
            200,
            r#"{"success":true,"data":[{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":3}]}"#,
        ),
        _ => standard(req, crate::ACCOUNT),
    });
    let dir = tempfile::tempdir().expect("dir");
    let places = Places {
        fifo: dir.path().join("fifo"),
        dir: dir.path().join("a-folder"),
        dump: dir.path().join("dump.csv"),
    };
    crate::support::mkfifo(&places.fifo);
    std::fs::create_dir(&places.dir).expect("folder");
    std::fs::write(&places.dump, DUMP).expect("dump");
    // The exit table, as --help prints it.
    let codes: Vec<i32> = section(&help(&[]), "Exit codes:")
        .iter()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(codes.contains(&0) && codes.contains(&78), "{codes:?}");
    let time = Path::new("/usr/bin/time");
    let time = time.exists().then_some(time);
    if time.is_none() {
        crate::support::skipping(
            "/usr/bin/time is not installed (apt-get install time): memory not measured",
        );
    }
    let cases = cases(&api, &places);
    // Enough to cover every table: a new row grows these.
    assert!(cases.len() > 500, "{} cases", cases.len());
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Some(failure) = walk(case, &api, &codes, time) {
                        failures.lock().expect("failures").push(failure);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("failures");
    assert!(
        failures.is_empty(),
        "{} of {} cases broke the rules:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(30)
            .map(|f| f.chars().take(400).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
