//! Ctrl-C (SIGINT), SIGTERM and SIGHUP end every run with the signal's
//! own status, at every step, also after a secret command has run; a step
//! that must not be cut (an `--append` block, an `--out` file put in
//! place) is finished first and nothing is left half written.
//!
//! Each case is a test per signal. No case races the clock: a test sends
//! its signal once the run has visibly reached the step (a request the
//! fake API holds, a frame on the terminal, a line in the pipe, a file in
//! place, a debug-build hold at the append's midpoint).

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::ACCOUNT;
use crate::support::{
    BALANCES, FakeApi, KEY, Pty, Reply, SECRET, Sandbox, entries, large_account, send_signal,
    standard,
};

/// How the run gets its secret: the environment, or the config file's
/// `api_secret_command` (which used to leave signals ignored once it ran).
#[derive(Clone, Copy)]
enum Keys {
    Env,
    Command,
}

/// The binary (or `program`, such as `script`) for `api`, with its keys
/// as `keys` says.
fn with_keys(sandbox: &Sandbox, api: &FakeApi, keys: Keys, program: Option<&str>) -> Command {
    let cmd = match program {
        Some(program) => sandbox.clean(program),
        None => sandbox.bare(),
    };
    match keys {
        Keys::Env => sandbox.with_keys(cmd, api),
        Keys::Command => {
            sandbox.write_config(
                &sandbox.default_config(),
                &format!(
                    "api_key = \"{KEY}\"\napi_secret_command = \"printf '%s' {SECRET}\"\nbase_url = \"{}\"\n",
                    api.url()
                ),
            );
            cmd
        }
    }
}

/// Waits (at most 30 s) until `done` holds; `what` names it if it never
/// does.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    crate::support::eventually(what, || done().then_some(()));
}

/// Waits (at most 30 s) for `child` to end and asserts it was ended by
/// `signal`, as the shell sees it.
fn ended_by(child: &mut Child, signal: i32) {
    let status = crate::support::wait_within(child, 30, &format!("after signal {signal}"));
    assert_eq!(status.signal(), Some(signal), "{status:?}");
}

/// A one-shot run waiting on an answer the API holds back for a minute.
fn one_shot_against_a_slow_api(name: &str, signal: i32, keys: Keys) {
    let api = FakeApi::start(|req| match req.path.as_str() {
        BALANCES => Reply::Slow(Duration::from_secs(60), Box::new(standard(req, ACCOUNT))),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let mut child = with_keys(&sandbox, &api, keys, None)
        .args(["-o", "csv"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start");
    wait_until("the request reached the API", || api.hits(BALANCES) == 1);
    send_signal(name, child.id());
    ended_by(&mut child, signal);
}

/// `doctor` waiting on the API.
fn doctor_against_a_slow_api(name: &str, signal: i32, keys: Keys) {
    let api = FakeApi::start(|req| {
        Reply::Slow(Duration::from_secs(60), Box::new(standard(req, ACCOUNT)))
    });
    let sandbox = Sandbox::new();
    let mut child = with_keys(&sandbox, &api, keys, None)
        .arg("doctor")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start");
    wait_until("a request reached the API", || !api.requests().is_empty());
    send_signal(name, child.id());
    ended_by(&mut child, signal);
}

/// `--watch` on a terminal, after its first frame: Ctrl-C is typed, the
/// other signals sent with kill.
fn watch_on_a_terminal(name: &str, signal: i32, keys: Keys) {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let mut pty = Pty::start(
        with_keys(&sandbox, &api, keys, Some("script")),
        &format!("exec {} --watch 5 -a btc", bin.display()),
    );
    pty.wait_for("Ctrl-C to stop");
    if name == "INT" {
        pty.type_keys("\x03");
    } else {
        send_signal(name, pty.program_pid());
    }
    let (code, screen) = pty.finish();
    assert_eq!(code, Some(128 + signal), "{screen:?}");
}

/// `--watch -o jsonl` into a pipe, after its first line.
fn watch_into_a_pipe(name: &str, signal: i32, keys: Keys) {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let mut child = with_keys(&sandbox, &api, keys, None)
        .args(["--watch", "5", "-o", "jsonl"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("UTF-8");
    assert!(first.contains(r#""asset":"BTC""#), "{first}");
    send_signal(name, child.id());
    // The pipe stays open until the run has ended.
    ended_by(&mut child, signal);
    drop(lines);
}

/// `--watch -o prometheus --out FILE`, once the file is in place.
fn watch_into_a_file(name: &str, signal: i32, keys: Keys) {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path().join("metrics");
    std::fs::create_dir(&dir).expect("dir");
    let file = dir.join("btcturk.prom");
    let mut child = with_keys(&sandbox, &api, keys, None)
        .args(["--watch", "5", "-o", "prometheus", "--out"])
        .arg(&file)
        .stdin(Stdio::null())
        .spawn()
        .expect("start");
    wait_until("the file is in place", || file.exists());
    send_signal(name, child.id());
    ended_by(&mut child, signal);
    assert_eq!(entries(&dir), ["btcturk.prom"], "a temporary file was left");
    let text = std::fs::read_to_string(&file).expect("file");
    // The whole output: every asset, and its last line with its end.
    let last = text.lines().last().unwrap_or_default();
    assert!(
        text.contains("btcturk_balance{asset=\"XYZ\"} 1.5\n")
            && last.starts_with("btcturk_fetched_timestamp_seconds ")
            && text.ends_with('\n'),
        "{text}"
    );
}

/// `-o jsonl --append` of a large account, the signal sent while the
/// run is held halfway through writing its line: the line is finished.
fn large_append(name: &str, signal: i32, keys: Keys) {
    let api = FakeApi::serving(&large_account(2_000));
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.jsonl");
    let append = || {
        let mut cmd = with_keys(&sandbox, &api, keys, None);
        cmd.args(["-o", "jsonl", "--append"]).arg(&file);
        cmd
    };
    let first = append().output().expect("first run");
    assert!(first.status.success(), "{first:?}");
    let hold = sandbox.home.path().join("held");
    let mut child = append()
        .env(
            "BTCTURK_BAL_TEST_HOLD",
            format!("append:{}", hold.display()),
        )
        .stdin(Stdio::null())
        .spawn()
        .expect("start");
    wait_until("the run is halfway through its line", || hold.exists());
    send_signal(name, child.id());
    std::fs::remove_file(&hold).expect("let the run go on");
    ended_by(&mut child, signal);
    let text = std::fs::read_to_string(&file).expect("file");
    assert!(
        text.ends_with('\n'),
        "half a line: ...{:?}",
        &text[text.len() - 40..]
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "one line a run");
    for line in lines {
        let run: serde_json::Value = serde_json::from_str(line).expect("a whole JSON line");
        assert_eq!(run["assets"].as_array().map(Vec::len), Some(2_000));
    }
    assert!(!hold.exists());
}

/// `history` reading a dump that never ends (a FIFO kept open).
fn history_on_an_endless_dump(name: &str, signal: i32) {
    let sandbox = Sandbox::new();
    let fifo = sandbox.home.path().join("dump.csv");
    crate::support::mkfifo(&fifo);
    let mut child = sandbox
        .bare()
        .args(["history", "-o", "csv"])
        .arg(&fifo)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start");
    // Opening the FIFO waits until the run has opened it to read.
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open the FIFO");
    let mut dump = String::from(
        "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision\n",
    );
    for hour in 0..24 {
        dump += &format!("2026-01-01T{hour:02}:00:00Z,BTC,Bitcoin,1,1,0,0,0,8\n");
    }
    std::io::Write::write_all(&mut writer, dump.as_bytes()).expect("rows");
    send_signal(name, child.id());
    ended_by(&mut child, signal);
}

/// A test per signal for `$case`, with `$keys` when given.
macro_rules! each_signal {
    ($module:ident, $case:ident $(, $keys:expr)?) => {
        mod $module {
            #[test]
            fn sigint() {
                super::$case("INT", 2 $(, $keys)?);
            }
            #[test]
            fn sigterm() {
                super::$case("TERM", 15 $(, $keys)?);
            }
            #[test]
            fn sighup() {
                super::$case("HUP", 1 $(, $keys)?);
            }
        }
    };
}

each_signal!(one_shot, one_shot_against_a_slow_api, super::Keys::Env);
each_signal!(
    one_shot_secret_command,
    one_shot_against_a_slow_api,
    super::Keys::Command
);
each_signal!(doctor, doctor_against_a_slow_api, super::Keys::Env);
each_signal!(watch_terminal, watch_on_a_terminal, super::Keys::Env);
each_signal!(
    watch_terminal_secret_command,
    watch_on_a_terminal,
    super::Keys::Command
);
each_signal!(watch_pipe, watch_into_a_pipe, super::Keys::Env);
each_signal!(
    watch_pipe_secret_command,
    watch_into_a_pipe,
    super::Keys::Command
);
each_signal!(watch_out, watch_into_a_file, super::Keys::Env);
each_signal!(
    watch_out_secret_command,
    watch_into_a_file,
    super::Keys::Command
);
each_signal!(append, large_append, super::Keys::Env);
each_signal!(append_secret_command, large_append, super::Keys::Command);
each_signal!(history, history_on_an_endless_dump);

#[test]
fn a_signal_ignored_at_start_stays_ignored() {
    // nohup starts the run with SIGHUP ignored: a closed terminal must
    // not end it. The next round's line shows it lived on; SIGTERM then
    // ends it.
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .with_keys(sandbox.clean("nohup"), &api)
        .arg(assert_cmd::cargo::cargo_bin!("btcturk-bal"))
        .args(["--watch", "5", "-o", "jsonl"])
        .env("BTCTURK_BAL_TEST_WATCH_MS", "100")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    lines.next().expect("a line").expect("UTF-8");
    send_signal("HUP", child.id());
    let second = lines.next().expect("a second round").expect("UTF-8");
    assert!(second.contains(r#""asset":"BTC""#), "{second}");
    send_signal("TERM", child.id());
    ended_by(&mut child, 15);
}
