//! --watch: redrawn on a terminal, written out in turn elsewhere, riding
//! out faults.

use std::time::Duration;

use crate::ACCOUNT;
use crate::support::{BALANCES, FakeApi, Reply, Sandbox, Setup, run, standard};

#[test]
fn watch_rides_out_a_server_error() {
    // The first round meets a 503; the watch goes on and the next round
    // shows the balances. Not a terminal: each good round is written whole.
    let api = FakeApi::start(|req| match (req.path.as_str(), req.hit) {
        (BALANCES, 0) => Reply::status(503),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .cmd(&api)
        .args([
            "--watch",
            "5",
            "--retries",
            "0",
            "-o",
            "csv",
            "-a",
            "btc",
            "--no-header",
        ])
        // Rounds a tenth of a second apart, not five (debug builds only).
        .env("BTCTURK_BAL_TEST_WATCH_MS", "100")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // The second round's row, read as it comes.
    let mut row = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
        &mut row,
    )
    .expect("a row");
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    let stdout = row;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "warning: the API answered 503 Service Unavailable (no details given); trying again in 5 s"
        ),
        "{stderr}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(",BTC,Bitcoin,"), "{stdout}");
}

#[test]
fn watch_on_a_terminal_redraws_in_place_with_the_last_error() {
    // The first round meets a 503: the screen says there is nothing yet,
    // and why. The next, 5 s on, clears the screen and draws the table and
    // when it was fetched; the error is gone.
    use std::io::Read;
    let api = FakeApi::start(|req| match (req.path.as_str(), req.hit) {
        (BALANCES, 0) => Reply::status(503),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let mut script = sandbox
        .with_keys(sandbox.clean("script"), &api)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("BTCTURK_BAL_TEST_WATCH_MS", "100")
        .args([
            "-qfec",
            &format!("{} --watch 5 --retries 0 -a btc", bin.display()),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux runs");
    let mut terminal = script.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0; 4096];
        while let Ok(n @ 1..) = terminal.read(&mut buf) {
            if tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&seen).contains("Ctrl-C to stop")
        && std::time::Instant::now() < deadline
    {
        if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
            seen.extend(chunk);
        }
    }
    let _ = script.kill();
    let _ = script.wait();
    let screen = String::from_utf8_lossy(&seen).replace("\r\n", "\n");
    let frames: Vec<&str> = screen.split("\x1b[H\x1b[2J").collect();
    // Two frames at least (more may come before the test ends the run),
    // each clearing the screen.
    assert!(frames.len() >= 3, "{screen:?}");
    assert!(
        frames[1].starts_with("No balances yet\nLast error at 20")
            && frames[1].contains(": the API answered 503 Service Unavailable"),
        "{screen:?}"
    );
    assert!(
        frames[2].contains("│ BTC   ┆ Bitcoin ┆ 9.75021866 ┆"),
        "{screen:?}"
    );
    assert!(
        frames[2].contains("\nUpdated 20") && frames[2].ends_with(", every 5 s; Ctrl-C to stop\n"),
        "{screen:?}"
    );
    assert!(!frames[2].contains("error"), "{screen:?}");
}

#[test]
fn watch_needs_at_least_five_seconds() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.bare().args(["--watch", "1"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn watch_off_a_terminal_writes_the_header_once_and_ends_with_its_reader() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let t = Setup::serving(ACCOUNT);
    let mut child = t
        .cmd()
        .args(["--watch", "5", "-o", "csv", "-a", "btc"])
        .env("BTCTURK_BAL_TEST_WATCH_MS", "100")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start btcturk-bal");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // The header, then a round's row every 5 s.
    let first: Vec<String> = (0..3)
        .map(|_| lines.next().expect("a line").expect("UTF-8"))
        .collect();
    assert!(first[0].starts_with("fetched_at,asset,"), "{first:?}");
    assert!(
        first[1].contains(",BTC,") && first[2].contains(",BTC,"),
        "{first:?}"
    );
    // As `| head -3` would: the next round finds no reader and ends the run.
    drop(lines);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("--watch went on polling with no reader");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""));
}
