//! Cron-safe files (--append, --out), spreadsheet CSV and colour rules.

use crate::ACCOUNT;
use crate::support::{FakeApi, Reply, Sandbox, Setup, entries, on_terminal, run, standard};

#[test]
fn append_writes_one_header_and_nothing_for_a_failed_run() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    let append = |sandbox: &Sandbox, api: &FakeApi| {
        run(sandbox
            .cmd(api)
            .args(["-o", "csv", "-z", "-a", "btc,try", "--append"])
            .arg(&file))
    };
    let first = append(&sandbox, &api);
    first.succeeds();
    assert_eq!(first.stdout, "", "the rows go to the file, not stdout");
    append(&sandbox, &api).succeeds();
    let text = std::fs::read_to_string(&file).expect("appended");
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("fetched_at,"))
            .count(),
        1,
        "{text}"
    );

    let down = run(sandbox
        .cmd(&api)
        .env("BTCTURK_BASE_URL", "http://127.0.0.1:1")
        .args(["-o", "csv", "--retries", "0", "--append"])
        .arg(&file));
    down.fails(69, &["cannot reach"]);
    assert_eq!(
        std::fs::read_to_string(&file).expect("file"),
        text,
        "a failed run added something"
    );
}

#[test]
fn out_replaces_the_file_whole_and_keeps_it_on_failure() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path().join("out");
    std::fs::create_dir(&dir).expect("dir");
    let file = dir.join("balances.json");
    std::fs::write(&file, "old").expect("old file");
    crate::support::set_mode(&file, 0o644);

    let ok = run(sandbox.cmd(&api).args(["-o", "json", "--out"]).arg(&file));
    ok.succeeds();
    assert_eq!(ok.stdout, "");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written"))
            .expect("whole JSON");
    assert_eq!(json["assets"].as_array().map(Vec::len), Some(4));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "an existing file keeps its permissions");
    }

    let before = std::fs::read(&file).expect("read");
    run(sandbox
        .cmd(&api)
        .env("BTCTURK_BASE_URL", "http://127.0.0.1:1")
        .args(["--retries", "0", "--out"])
        .arg(&file))
    .fails(69, &["cannot reach"]);
    assert_eq!(std::fs::read(&file).expect("read"), before);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["balances.json"],
        "no temporary files left behind"
    );
}

#[test]
fn unwritable_out_is_exit_74() {
    let t = Setup::serving(ACCOUNT);
    run(t.cmd().args(["--out", "/nonexistent-dir/balances.txt"]))
        .fails(74, &["cannot write /nonexistent-dir/balances.txt"]);
}

#[test]
fn turkish_csv_has_bom_semicolons_and_decimal_commas() {
    let t = Setup::serving(ACCOUNT);
    let run = run(t
        .cmd()
        .args(["-o", "csv", "--csv-locale", "tr", "-a", "try,xyz"]));
    run.succeeds();
    assert!(
        run.stdout
            .starts_with("\u{feff}fetched_at;asset;name;balance;"),
        "{:?}",
        run.stdout
    );
    let lines: Vec<_> = run.stdout.lines().collect();
    assert!(
        lines[1].ends_with(";TRY;Türk Lirası;27223,7283250757643288;22349,3654565035348765;4874,3628685722294523;4874,3628685722294523;0;2"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(";XYZ;\"Odd \"\"Token\"\", Inc.\";1,5;1,5;0;;;"),
        "{}",
        lines[2]
    );
}

#[test]
fn turkish_csv_appended_has_one_bom_at_the_start() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("tr.csv");
    for _ in 0..2 {
        run(sandbox
            .cmd(&api)
            .args(["-o", "csv", "--csv-locale", "tr", "-a", "btc", "--append"])
            .arg(&file))
        .succeeds();
    }
    let text = std::fs::read_to_string(&file).expect("file");
    assert_eq!(text.matches('\u{feff}').count(), 1);
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.lines().count(), 3);
}

#[test]
fn delimiter_is_configurable() {
    let t = Setup::serving(ACCOUNT);
    let run = t.run(&[
        "-o",
        "csv",
        "--delimiter",
        "tab",
        "-a",
        "btc",
        "--no-header",
    ]);
    run.succeeds();
    assert!(
        run.stdout.contains("\tBTC\tBitcoin\t9.7502186644553258\t"),
        "{}",
        run.stdout
    );
}

#[test]
fn colour_and_boxes_on_a_terminal_follow_the_rules() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let bold = "\x1b[1m";
    let plain = on_terminal(&sandbox, &api, "-a btc", &[]);
    assert!(plain.contains('┌') && plain.contains(bold), "{plain}");
    let no_color = on_terminal(&sandbox, &api, "-a btc", &[("NO_COLOR", "1")]);
    assert!(
        no_color.contains('┌') && !no_color.contains('\x1b'),
        "{no_color}"
    );
    let clicolor = on_terminal(&sandbox, &api, "-a btc", &[("CLICOLOR", "0")]);
    assert!(!clicolor.contains('\x1b'), "{clicolor}");
    let dumb = on_terminal(&sandbox, &api, "-a btc", &[("TERM", "dumb")]);
    assert!(
        dumb.contains("+-------+") && !dumb.contains('┌') && !dumb.contains('\x1b'),
        "{dumb}"
    );
}

#[test]
fn colour_off_a_terminal_only_when_forced() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let piped = run(sandbox.cmd(&api).args(["-a", "btc"]));
    assert!(
        !piped.stdout.contains('\x1b') && piped.stdout.starts_with("+---"),
        "{}",
        piped.stdout
    );
    let always = run(sandbox
        .cmd(&api)
        .args(["-a", "btc", "--color", "always"])
        .env("NO_COLOR", "1"));
    assert!(
        always.stdout.contains("\x1b[1m"),
        "--color always beats NO_COLOR"
    );
    let forced = run(sandbox
        .cmd(&api)
        .args(["-a", "btc"])
        .env("CLICOLOR_FORCE", "1"));
    assert!(forced.stdout.contains("\x1b[1m"), "{}", forced.stdout);
    let never = run(sandbox
        .cmd(&api)
        .args(["-a", "btc", "--color", "never"])
        .env("CLICOLOR_FORCE", "1"));
    assert!(!never.stdout.contains('\x1b'));
    let error = run(sandbox.bare().args(["--color", "always"]));
    assert!(
        error
            .stderr
            .starts_with("btcturk-bal: \x1b[1;31merror:\x1b[0m no API key"),
        "{}",
        error.stderr
    );
}

#[test]
fn quiet_silences_warnings_not_errors() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let quiet = run(sandbox.cmd(&api).args(["-q", "-a", "doge,btc"]));
    quiet.succeeds();
    assert_eq!(quiet.stderr, "");
    run(sandbox.bare().arg("-q")).fails(78, &["no API key"]);
}

/// The entries of `dir`, sorted.

#[test]
fn out_into_a_fifo_no_process_reads_is_refused_at_once() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let fifo = sandbox.home.path().join("pipe");
    crate::support::mkfifo(&fifo);
    // Without a reader, opening the FIFO would wait for ever.
    for flag in ["--out", "--append"] {
        run(sandbox.cmd(&api).args(["-o", "csv", flag]).arg(&fifo))
            .fails(74, &["pipe: it is a FIFO that no process is reading"]);
    }
}

#[test]
fn out_into_a_fifo_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let fifo = sandbox.home.path().join("pipe");
    crate::support::mkfifo(&fifo);
    // The reader is there before the run starts (opened without waiting
    // for a writer), as a consumer of the FIFO is.
    let mut reader = {
        use std::os::unix::fs::OpenOptionsExt;
        let nonblocking = rustix::fs::OFlags::NONBLOCK.bits() as i32;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nonblocking)
            .open(&fifo)
            .expect("open the FIFO to read")
    };
    run(sandbox
        .cmd(&api)
        .args(["-o", "csv", "-a", "btc", "--out"])
        .arg(&fifo))
    .succeeds();
    let kind = std::fs::symlink_metadata(&fifo).expect("meta").file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    // The run has ended, so all it wrote waits in the pipe.
    let mut got = String::new();
    std::io::Read::read_to_string(&mut reader, &mut got).expect("read the FIFO");
    assert!(
        got.starts_with("fetched_at,asset,") && got.contains(",BTC,"),
        "{got}"
    );
}

#[test]
fn out_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path();
    std::fs::write(dir.join("data.csv"), "old").expect("target");
    std::os::unix::fs::symlink("data.csv", dir.join("latest.csv")).expect("link");
    run(sandbox
        .cmd(&api)
        .args(["-o", "csv", "--out"])
        .arg(dir.join("latest.csv")))
    .succeeds();
    assert_eq!(
        std::fs::read_link(dir.join("latest.csv")).ok(),
        Some("data.csv".into()),
        "the link was replaced"
    );
    let data = std::fs::read_to_string(dir.join("data.csv")).expect("target");
    assert!(data.starts_with("fetched_at,"), "{data}");
}

#[test]
fn out_never_copies_set_uid_or_set_gid_bits() {
    use std::os::unix::fs::PermissionsExt;
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    std::fs::write(&file, "old").expect("old");
    crate::support::set_mode(&file, 0o6750);
    run(sandbox.cmd(&api).args(["-o", "csv", "--out"]).arg(&file)).succeeds();
    let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o7777;
    assert_eq!(mode, 0o750);
}

#[test]
fn out_interrupted_by_a_signal_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let api = FakeApi::serving(ACCOUNT);
    // A closed terminal (SIGHUP) as much as kill and Ctrl-C.
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("INT", 2)] {
        let sandbox = Sandbox::new();
        let dir = sandbox.home.path().join("out");
        std::fs::create_dir(&dir).expect("dir");
        let file = dir.join("balances.csv");
        std::fs::write(&file, "old").expect("old");
        // The run is held with its temporary file written, before the
        // rename, until the test removes `hold`.
        let hold = sandbox.home.path().join("held");
        let mut child = sandbox
            .cmd(&api)
            .args(["-o", "csv", "--out"])
            .arg(&file)
            .env("BTCTURK_BAL_TEST_HOLD", format!("out:{}", hold.display()))
            .stdin(std::process::Stdio::null())
            .spawn()
            .expect("start");
        crate::support::eventually("the run is held", || hold.exists().then_some(()));
        assert_eq!(entries(&dir).len(), 2, "the temporary file beside it");
        crate::support::send_signal(signal, child.id());
        std::fs::remove_file(&hold).expect("let the run go on");
        let status = child.wait().expect("wait");
        assert_eq!(status.signal(), Some(number), "{signal}: {status:?}");
        assert_eq!(
            entries(&dir),
            ["balances.csv"],
            "{signal}: a temporary file was left"
        );
        // The step was finished: the new file is in place, whole.
        let text = std::fs::read_to_string(&file).expect("file");
        assert_eq!(text.lines().count(), 5, "{signal}: {text}");
        assert!(text.ends_with('\n'), "{signal}: {text}");
    }
}

#[test]
fn append_creates_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    run(sandbox.cmd(&api).args(["-o", "csv", "--append"]).arg(&file)).succeeds();
    let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// btcturk-bal for `api` under a file size limit of 2 KiB (`ulimit -f 4`,
/// in dash's 512-byte blocks), as a cron job's limits or a full quota
/// stop a write. The signal the limit raises (SIGXFSZ) is left as the
/// shell leaves it: its default would kill the run.
fn limited(sandbox: &Sandbox, api: &FakeApi) -> std::process::Command {
    let mut cmd = sandbox.with_keys(sandbox.clean("sh"), api);
    cmd.args(["-c", "ulimit -f 4; exec \"$0\" \"$@\""])
        .arg(assert_cmd::cargo::cargo_bin!("btcturk-bal"));
    cmd
}

#[test]
fn a_write_past_the_file_size_limit_is_taken_back() {
    let api = FakeApi::serving(&crate::support::large_account(2_000));
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    run(sandbox
        .cmd(&api)
        .args(["-o", "csv", "-a", "a1", "--append"])
        .arg(&file))
    .succeeds();
    let before = std::fs::read(&file).expect("file");
    let limit = "the file size limit (ulimit -f) stopped the write";
    run(limited(&sandbox, &api)
        .args(["-o", "csv", "--append"])
        .arg(&file))
    .fails(74, &["cannot write", "balances.csv", limit]);
    assert_eq!(
        std::fs::read(&file).expect("file"),
        before,
        "a half run was left"
    );
    // --out: the temporary file goes, the old file stays.
    let out = sandbox.home.path().join("out.csv");
    std::fs::write(&out, "old").expect("old");
    run(limited(&sandbox, &api)
        .args(["-o", "csv", "--out"])
        .arg(&out))
    .fails(74, &["cannot write", "out.csv", limit]);
    assert_eq!(std::fs::read_to_string(&out).expect("out"), "old");
    assert_eq!(entries(sandbox.home.path()), ["balances.csv", "out.csv"]);
}

#[test]
fn append_after_a_line_without_newline_starts_a_new_line() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    let append = || {
        run(sandbox
            .cmd(&api)
            .args(["-o", "csv", "-a", "btc", "--append"])
            .arg(&file))
        .succeeds();
    };
    append();
    let cut = std::fs::read_to_string(&file).expect("file");
    std::fs::write(&file, cut.trim_end()).expect("cut the last newline");
    append();
    let text = std::fs::read_to_string(&file).expect("file");
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[1], cut.lines().nth(1).expect("row"));
    assert!(lines[2].contains(",BTC,"), "{text}");
}

/// The account, and BTC at 3 TRY on the ticker.
fn priced() -> FakeApi {
    FakeApi::start(|req| match req.path.as_str() {
        crate::support::TICKER => Reply::json(
            200,
            r#"{"success":true,"data":[{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":3}]}"#,
        ),
        _ => standard(req, ACCOUNT),
    })
}

#[test]
fn append_under_another_header_is_refused() {
    let api = priced();
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    run(sandbox.cmd(&api).args(["-o", "csv", "--append"]).arg(&file)).succeeds();
    let before = std::fs::read(&file).expect("file");
    for other in [
        &["--value-in", "TRY"][..],
        &["--csv-locale", "tr"],
        &["--delimiter", ";"],
    ] {
        let refused = run(sandbox
            .cmd(&api)
            .args(["-o", "csv"])
            .args(other)
            .arg("--append")
            .arg(&file));
        refused.fails(
            74,
            &[
                "cannot append to",
                "begins with the header `fetched_at,asset,name,",
                "but this run writes `fetched_at",
            ],
        );
        assert_eq!(std::fs::read(&file).expect("file"), before, "{other:?}");
    }
}

#[test]
fn append_waits_for_a_run_that_holds_the_file_and_says_so() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    let held = std::fs::File::create(&file).expect("file");
    held.lock().expect("lock");
    let mut child = sandbox
        .cmd(&api)
        .args(["-o", "csv", "-a", "btc", "--append"])
        .arg(&file)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start");
    let said = crate::support::stderr_until(&mut child, "Ctrl-C stops");
    assert_eq!(
        said,
        format!(
            "btcturk-bal: waiting for the lock on {} (another process holds it); Ctrl-C stops\n",
            file.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "");
    held.unlock().expect("unlock");
    assert!(child.wait().expect("wait").success());
    let text = std::fs::read_to_string(&file).expect("file");
    assert!(
        text.starts_with("fetched_at,") && text.lines().count() == 2,
        "{text}"
    );
}

#[test]
fn append_gives_up_on_a_lock_held_too_long() {
    // The cron line that locks the dump itself with flock -n: the run
    // would wait forever for its own parent's lock. A minute in a
    // release build; two seconds here.
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("balances.csv");
    std::fs::write(&file, "").expect("file");
    let mut cmd = sandbox.with_keys(sandbox.clean("flock"), &api);
    cmd.arg("-n")
        .arg(&file)
        .arg(assert_cmd::cargo::cargo_bin!("btcturk-bal"))
        .args(["-o", "csv", "--append"])
        .arg(&file)
        .env("BTCTURK_BAL_TEST_LOCK_SECS", "2");
    let run = run(&mut cmd);
    run.fails(
        75,
        &[&format!(
            "{} is locked by another process (waited 2 s for it)",
            file.display()
        )],
    );
    assert!(
        run.stderr
            .starts_with("btcturk-bal: waiting for the lock on "),
        "{}",
        run.stderr
    );
    assert!(run.hint().contains("flock -n takes a lock file of its own"));
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "");
}

#[test]
fn out_to_dev_stdout_writes_into_the_file_stdout_is() {
    // A cron job's `> log` makes stdout a regular file: --out /dev/stdout
    // must write into it, not rename a new file over the log.
    use std::os::unix::fs::MetadataExt;
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let log = sandbox.home.path().join("cron.log");
    std::fs::write(&log, "earlier line\n").expect("log");
    let before = std::fs::metadata(&log).expect("log").ino();
    let stdout = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("log");
    let status = sandbox
        .cmd(&api)
        .args(["-o", "csv", "-a", "btc", "--out", "/dev/stdout"])
        .stdout(stdout)
        .status()
        .expect("run");
    assert!(status.success());
    assert_eq!(
        std::fs::metadata(&log).expect("log").ino(),
        before,
        "the log was replaced"
    );
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.starts_with("earlier line\nfetched_at,asset,") && text.contains(",BTC,"),
        "{text}"
    );
}

#[test]
fn append_into_dev_null_or_stdout_writes_into_it() {
    // No lock, end or sync to take on a device or a pipe: it is written into.
    let t = Setup::serving(ACCOUNT);
    run(t.cmd().args(["-o", "csv", "--append", "/dev/null"])).succeeds();
    let piped = run(t
        .cmd()
        .args(["-o", "csv", "-a", "btc", "--append", "/dev/stdout"]));
    piped.succeeds();
    assert!(
        piped.stdout.starts_with("fetched_at,") && piped.stdout.contains(",BTC,"),
        "{}",
        piped.stdout
    );
}

#[test]
fn append_refuses_lines_of_another_kind_header_or_not() {
    let api = priced();
    let sandbox = Sandbox::new();
    let csv = sandbox.home.path().join("balances.csv");
    let jsonl = sandbox.home.path().join("balances.jsonl");
    let rows = sandbox.home.path().join("rows.csv");
    let append = |args: &[&str], file: &std::path::Path| {
        run(sandbox.cmd(&api).args(args).arg("--append").arg(file))
    };
    append(&["-o", "csv"], &csv).succeeds();
    append(&["-o", "jsonl"], &jsonl).succeeds();
    append(&["-o", "csv", "--no-header"], &rows).succeeds();
    let before: Vec<Vec<u8>> = [&csv, &jsonl, &rows]
        .iter()
        .map(|f| std::fs::read(f).expect("file"))
        .collect();
    let header = "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision";
    append(&["-o", "jsonl"], &csv).fails(
        74,
        &[&format!(
            "balances.csv: it begins with `{header}`, not JSON Lines, but this run writes JSON Lines"
        )],
    );
    append(&["-o", "csv", "--no-header"], &jsonl).fails(
        74,
        &[&format!(
            "balances.jsonl: it holds JSON Lines, but this run writes CSV under the header `{header}`"
        )],
    );
    append(&["-o", "csv", "--no-header", "--value-in", "TRY"], &csv).fails(
        74,
        &[&format!(
            "balances.csv: it begins with the header `{header}`"
        )],
    );
    append(&["-o", "csv", "--no-header", "--value-in", "TRY"], &rows).fails(
        74,
        &["rows.csv: it holds rows of 9 fields, but this run writes 11 columns"],
    );
    let after: Vec<Vec<u8>> = [&csv, &jsonl, &rows]
        .iter()
        .map(|f| std::fs::read(f).expect("file"))
        .collect();
    assert_eq!(after, before, "a refused run changed a file");
    // The same kind goes on: rows onto rows, a line onto lines.
    append(&["-o", "csv", "--no-header"], &rows).succeeds();
    append(&["-o", "jsonl"], &jsonl).succeeds();
    append(&["-o", "csv", "--no-header"], &csv).succeeds();
}

#[test]
fn a_folder_the_user_cannot_write_is_named_not_the_file() {
    // Run as nobody, which needs root to become.
    if !crate::support::is_root() {
        crate::support::skipping("not root: cannot run btcturk-bal as another user");
        return;
    }
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    // root's folder, which nobody may enter but not write; the file in it
    // anyone may write (so only the folder can refuse).
    let dir = tempfile::Builder::new()
        .prefix("root-only-")
        .tempdir_in("/tmp")
        .expect("dir");
    crate::support::set_mode(dir.path(), 0o755);
    let file = dir.path().join("balances.csv");
    std::fs::write(&file, "old").expect("file");
    crate::support::set_mode(&file, 0o666);
    for (flag, target) in [
        ("--out", file.clone()),
        ("--append", dir.path().join("new.csv")),
    ] {
        let mut cmd = sandbox.with_keys(sandbox.clean("runuser"), &api);
        cmd.args(["-u", "nobody", "--"])
            .arg(assert_cmd::cargo::cargo_bin!("btcturk-bal"))
            .args(["-o", "csv", flag])
            .arg(&target);
        let refused = run(&mut cmd);
        refused.fails(
            74,
            &[&format!(
                "cannot write {}: the folder {} does not let you make files in it",
                target.display(),
                dir.path().display()
            )],
        );
    }
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "old");
}
