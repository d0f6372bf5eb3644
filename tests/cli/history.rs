//! `btcturk-bal history`: dumps the tool itself writes against the test
//! server over several runs, read back in each view and format.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{
    FakeApi, KEY, KEY2, Reply, Request, SECRET, SECRET2, Sandbox, TICKER, on_terminal, run,
    standard,
};

/// TRY 1000.50, BTC 0.5 and a zero ETH; BTC is priced 3 TRY, then 4.
const ACCOUNT: &str = r#"{"success":true,"data":[
    {"asset":"TRY","assetname":"Türk Lirası","balance":"1000.50","free":"1000.50","locked":"0","precision":2},
    {"asset":"BTC","assetname":"Bitcoin","balance":"0.5","free":"0.5","locked":"0","precision":8},
    {"asset":"ETH","assetname":"Ethereum","balance":"0","free":"0","locked":"0","precision":8}]}"#;

fn api(btc_price: &'static str) -> FakeApi {
    FakeApi::start(move |req: &Request| match req.path.as_str() {
        TICKER => Reply::json(
            200,
            format!(
                r#"{{"success":true,"data":[{{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":{btc_price}}}]}}"#
            ),
        ),
        _ => standard(req, ACCOUNT),
    })
}

/// The times the runs of `dumps` are stamped with, an hour apart.
const RUN_TIMES: [&str; 2] = ["2026-11-24T03:00:00Z", "2026-11-24T04:00:00Z"];

/// Two runs an hour apart, BTC at 3 TRY then 4, each appended to `file`
/// with `args`.
fn dumps(sandbox: &Sandbox, file: &Path, args: &[&str]) {
    dumps_at(sandbox, file, args, RUN_TIMES);
}

/// `dumps` stamped with `times`.
fn dumps_at(sandbox: &Sandbox, file: &Path, args: &[&str], times: [&str; 2]) {
    for (price, at) in ["3", "4"].into_iter().zip(times) {
        let api = api(price);
        run(sandbox
            .cmd(&api)
            .args(["-o", "csv", "--append"])
            .arg(file)
            .args(args)
            .env("BTCTURK_BAL_TEST_FETCHED_AT", at))
        .succeeds();
    }
}

fn history(sandbox: &Sandbox, args: &[&str]) -> crate::support::Run {
    run(sandbox.bare().arg("history").args(args))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn snapshots_of_valued_dumps_in_each_format() {
    let sandbox = Sandbox::new();
    let file: PathBuf = sandbox.home.path().join("valued.csv");
    dumps(&sandbox, &file, &["--value-in", "TRY"]);
    let json = history(&sandbox, &["-o", "json", path(&file)]);
    json.succeeds();
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["currency"], "TRY");
    let snaps = doc["snapshots"].as_array().expect("snapshots");
    assert_eq!(snaps.len(), 2);
    // 1000.50 + 0.5 × 3, then + 0.5 × 4: exact sums and differences.
    assert_eq!(snaps[0]["assets"], 2);
    assert_eq!(snaps[0]["total"], "1002");
    assert_eq!(snaps[0]["change"], Value::Null);
    assert_eq!(snaps[1]["total"], "1002.5");
    assert_eq!(snaps[1]["change"], "0.5");
    let csv = history(&sandbox, &["-o", "csv", path(&file)]);
    csv.succeeds();
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines[0], "fetched_at,assets,total,change");
    assert!(
        lines[1].ends_with(",2,1002,") && lines[2].ends_with(",2,1002.5,0.5"),
        "{}",
        csv.stdout
    );
    let table = history(&sandbox, &[path(&file)]);
    table.succeeds();
    assert!(
        table.stdout.contains("| Total (TRY) | Change (TRY) |"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains('⠀'), "no chart off a terminal");
}

#[test]
fn one_asset_and_the_changes_of_turkish_dumps() {
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("tr.csv");
    dumps(
        &sandbox,
        &file,
        &["--csv-locale", "tr", "--value-in", "TRY"],
    );
    let asset = history(&sandbox, &["--asset", "btc", "-o", "json", path(&file)]);
    asset.succeeds();
    let doc: Value = serde_json::from_str(&asset.stdout).expect("JSON");
    assert_eq!(doc["asset"], "BTC");
    assert_eq!(doc["snapshots"][0]["balance"], "0.5");
    assert_eq!(doc["snapshots"][0]["price"], "3");
    assert_eq!(doc["snapshots"][1]["value"], "2");
    let changes = history(&sandbox, &["--changes", "-o", "json", path(&file)]);
    changes.succeeds();
    let doc: Value = serde_json::from_str(&changes.stdout).expect("JSON");
    assert_eq!(
        doc["assets"],
        json!([
            {"asset": "BTC", "from": "0.5", "to": "0.5", "change": "0", "value_change": "0.5"},
            {"asset": "ETH", "from": "0", "to": "0", "change": "0", "value_change": "0"},
            {"asset": "TRY", "from": "1000.50", "to": "1000.50", "change": "0", "value_change": "0"}
        ])
    );
    // A plain dump of the same columns reads with the Turkish one.
    let plain = sandbox.home.path().join("plain.csv");
    let later = ["2026-11-24T05:00:00Z", "2026-11-24T06:00:00Z"];
    dumps_at(&sandbox, &plain, &["--value-in", "TRY"], later);
    let both = history(&sandbox, &["-o", "csv", path(&file), path(&plain)]);
    both.succeeds();
    assert_eq!(both.stdout.lines().count(), 5, "{}", both.stdout);
    let csv = history(&sandbox, &["--changes", "-o", "csv", path(&file)]);
    assert!(
        csv.stdout
            .starts_with("asset,from,to,change,value_change\nBTC,0.5,0.5,0,0.5\n"),
        "{}",
        csv.stdout
    );
}

#[test]
fn profiles_and_time_limits() {
    let sandbox = Sandbox::new();
    let config = format!(
        "api_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\n[profiles.work]\napi_key = \"{KEY2}\"\napi_secret = \"{SECRET2}\"\n"
    );
    sandbox.write_config(&sandbox.default_config(), &config);
    let file = sandbox.home.path().join("all.csv");
    for (price, at) in ["3", "4"].into_iter().zip(RUN_TIMES) {
        let api = api(price);
        run(sandbox
            .bare()
            .env("BTCTURK_BAL_TEST_FETCHED_AT", at)
            .env("BTCTURK_BASE_URL", api.url())
            .args([
                "--all-profiles",
                "-o",
                "csv",
                "--value-in",
                "TRY",
                "--append",
            ])
            .arg(&file))
        .succeeds();
    }
    let all = history(&sandbox, &["-o", "json", path(&file)]);
    all.succeeds();
    let doc: Value = serde_json::from_str(&all.stdout).expect("JSON");
    assert_eq!(doc["snapshots"][0]["assets"], 4, "both profiles' rows");
    assert_eq!(doc["snapshots"][0]["total"], "2004");
    let work = history(&sandbox, &["-p", "work", "-o", "json", path(&file)]);
    let doc: Value = serde_json::from_str(&work.stdout).expect("JSON");
    assert_eq!(doc["snapshots"][1]["total"], "1002.5");
    let last = history(&sandbox, &["--since", "0m", "-o", "csv", path(&file)]);
    assert_eq!(
        last.stdout.lines().count(),
        2,
        "only the last snapshot: {}",
        last.stdout
    );
    let none = history(
        &sandbox,
        &["--until", "2020-01-01", "-o", "csv", path(&file)],
    );
    assert_eq!(none.stdout, "fetched_at,assets,total,change\n");
}

#[test]
fn a_chart_heads_the_table_on_a_terminal() {
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("valued.csv");
    dumps(&sandbox, &file, &["--value-in", "TRY"]);
    let api = api("3");
    let shown = on_terminal(&sandbox, &api, &format!("history {}", path(&file)), &[]);
    assert!(
        shown.contains("1002.50 ┤") && shown.contains("1002.00 ┤"),
        "{shown}"
    );
    assert!(
        shown
            .chars()
            .any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)),
        "no braille: {shown}"
    );
    let plain = on_terminal(
        &sandbox,
        &api,
        &format!("history --no-chart {}", path(&file)),
        &[],
    );
    assert!(!plain.contains('┤'), "{plain}");
}

#[test]
fn bad_input_names_the_file_and_line() {
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path();
    let missing = history(&sandbox, &[path(&dir.join("nope.csv"))]);
    missing.fails(66, &["cannot read", "nope.csv"]);
    let header = "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision\n";
    let row = "2026-11-24T03:00:00Z,BTC,Bitcoin,1,1,0,,,8\n";
    for (name, body, words) in [
        (
            "fields.csv",
            format!("{header}{row}2026-11-24T04:00:00Z,BTC\n"),
            "line 3: 2 fields where the header has 9",
        ),
        (
            "amount.csv",
            format!("{header}2026-11-24T03:00:00Z,BTC,Bitcoin,lots,1,0,,,8\n"),
            "line 2: balance \"lots\" is not a decimal number",
        ),
        (
            "time.csv",
            format!("{header}yesterday,BTC,Bitcoin,1,1,0,,,8\n"),
            "line 2: fetched_at \"yesterday\" is not a time",
        ),
        (
            "other.csv",
            "name,amount\nx,1\n".to_owned(),
            "line 1: this is not a header",
        ),
        (
            "crowded.csv",
            format!(
                "{header}{}",
                (0..=100_000)
                    .map(|i| format!("2026-11-24T03:00:00Z,A{i},Asset,1,1,0,,,8\n"))
                    .collect::<String>()
            ),
            "line 100002: more than 100000 rows in one run at fetched_at 2026-11-24T03:00:00Z",
        ),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, body).expect("file");
        history(&sandbox, &[path(&file)]).fails(65, &[name, words]);
    }
    let plain = dir.join("plain.csv");
    std::fs::write(&plain, format!("{header}{row}")).expect("file");
    let valued = dir.join("valued.csv");
    std::fs::write(
        &valued,
        "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,price_usdt,value_usdt\n",
    )
    .expect("file");
    history(&sandbox, &[path(&plain), path(&valued)]).fails(
        65,
        &[
            "plain.csv and",
            "valued.csv hold different columns",
            "price_usdt,value_usdt",
        ],
    );
}

#[test]
fn unvalued_dumps_from_stdin_in_every_view_and_format() {
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("plain.csv");
    dumps(&sandbox, &file, &["--delimiter", "|"]);
    let dump = std::fs::read(&file).expect("dump");
    let from_stdin = |args: &[&str]| {
        use std::io::Write;
        let mut child = sandbox
            .bare()
            .arg("history")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&dump)
            .expect("write");
        let out = child.wait_with_output().expect("run");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let doc: Value = serde_json::from_str(&from_stdin(&["-o", "json", "-"])).expect("JSON");
    assert_eq!(doc["currency"], Value::Null);
    assert_eq!(doc["snapshots"][1]["assets"], 2);
    assert_eq!(doc["snapshots"][1]["total"], Value::Null);
    assert_eq!(doc["snapshots"][1]["change"], Value::Null);
    let asset_csv = from_stdin(&["--asset", "TRY", "-o", "csv"]);
    assert!(
        asset_csv.starts_with("fetched_at,balance,price,value\n"),
        "{asset_csv}"
    );
    assert!(
        asset_csv
            .lines()
            .nth(2)
            .is_some_and(|l| l.ends_with(",1000.50,,")),
        "{asset_csv}"
    );
    let asset_table = from_stdin(&["--asset", "TRY"]);
    assert!(
        asset_table.contains("| Fetched at ") && asset_table.contains("1000.50 |"),
        "{asset_table}"
    );
    let changes_table = from_stdin(&["--changes"]);
    assert!(
        // Balances to the asset's precision (8 for BTC, 2 for TRY), truncated.
        changes_table.contains("| BTC   | 0.50000000 | 0.50000000 | 0.00000000 |")
            && changes_table.contains("| TRY   |    1000.50 |    1000.50 |       0.00 |"),
        "{changes_table}"
    );
    let changes_json: Value =
        serde_json::from_str(&from_stdin(&["--changes", "-o", "json"])).expect("JSON");
    assert_eq!(changes_json["assets"][0]["value_change"], Value::Null);
}

/// A valued dump of literal rows (header first).
const HEADER_TRY: &str = "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,price_try,value_try\n";
const RUN_3H: &str = "2026-11-24T03:00:00Z,TRY,Lira,10,10,0,0,0,2,1,10\n2026-11-24T03:00:00Z,BTC,Bitcoin,1,1,0,0,0,8,5,5\n";

fn write(sandbox: &Sandbox, name: &str, text: &str) -> PathBuf {
    let file = sandbox.home.path().join(name);
    std::fs::write(&file, text).expect("write dump");
    file
}

#[test]
fn the_cron_line_run_twice_in_one_second_is_two_snapshots() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}{RUN_3H}"));
    let run = history(&sandbox, &["-o", "csv", path(&file)]);
    run.succeeds();
    assert_eq!(
        run.stdout,
        "fetched_at,assets,total,change\n2026-11-24T03:00:00Z,2,15,\n2026-11-24T03:00:00Z,2,15,0\n"
    );
}

#[test]
fn a_file_given_twice_is_counted_once_with_a_note() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}"));
    let run = history(&sandbox, &["-o", "csv", path(&file), path(&file)]);
    run.succeeds();
    assert_eq!(
        run.stdout,
        "fetched_at,assets,total,change\n2026-11-24T03:00:00Z,2,15,\n"
    );
    assert!(
        run.stderr.contains(&format!(
            "warning: {0} repeats 1 run of {0}; each is counted once",
            file.display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn endless_or_huge_inputs_are_refused_at_once() {
    let sandbox = Sandbox::new();
    let sparse = sandbox.home.path().join("sparse.csv");
    let file = std::fs::File::create(&sparse).expect("create");
    file.set_len(2 << 30).expect("a sparse 2 GiB file");
    let headed = sandbox.home.path().join("headed.csv");
    std::fs::write(&headed, HEADER_TRY).expect("header");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&headed)
        .and_then(|f| f.set_len(2 << 30))
        .expect("2 GiB of NULs after the header");
    for (file, line) in [("/dev/zero", 1), (path(&sparse), 1), (path(&headed), 2)] {
        let started = std::time::Instant::now();
        history(&sandbox, &[file]).fails(
            65,
            &[&format!(
                "{file}, line {line}: it is longer than any line btcturk-bal writes"
            )],
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{file}"
        );
    }
}

#[test]
fn a_run_being_appended_is_waited_for() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}"));
    // A writer holding the --append lock while it writes a second run.
    let writer = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .expect("open");
    writer.lock().expect("lock");
    let mut reader = sandbox
        .bare()
        .args(["history", "-o", "csv"])
        .arg(&file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start");
    crate::support::stderr_until(&mut reader, "waiting for the lock on");
    std::io::Write::write_all(&mut &writer, RUN_3H.replace("T03", "T04").as_bytes())
        .expect("second run");
    writer.unlock().expect("unlock");
    let out = reader.wait_with_output().expect("history");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(stdout.lines().count(), 3, "both runs: {stdout}");
}

#[test]
fn a_dump_written_without_header_is_told_the_header_it_needs() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", RUN_3H);
    let run = history(&sandbox, &[path(&file)]);
    run.fails(65, &[&format!("{} has no header line", file.display())]);
    assert!(
        run.stderr.contains(&format!("  {}", HEADER_TRY.trim_end())),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("mend"), "{}", run.stderr);
}

#[test]
fn an_asset_no_snapshot_holds_is_named_and_shows_nothing() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}"));
    let run = history(&sandbox, &["-a", "DOGE", "-o", "csv", path(&file)]);
    run.succeeds();
    assert_eq!(run.stdout, "fetched_at,balance,price,value\n");
    assert!(
        run.stderr
            .contains("warning: no snapshot holds the asset DOGE"),
        "{}",
        run.stderr
    );
    let btc = history(&sandbox, &["-a", "btc", "-o", "csv", path(&file)]);
    assert_eq!(
        btc.stdout,
        "fetched_at,balance,price,value\n2026-11-24T03:00:00Z,1,5,5\n"
    );
    let profile = history(&sandbox, &["-p", "work", path(&file)]);
    assert_eq!(profile.code, 2, "{}", profile.stderr);
    assert!(
        profile.stderr.contains("the dumps have no profiles"),
        "{}",
        profile.stderr
    );
}

#[test]
fn on_a_terminal_text_from_dumps_is_escaped_in_every_format() {
    let sandbox = Sandbox::new();
    let evil =
        "2026-11-24T03:00:00Z,\"X\u{1b}]52;c;aGk=\u{7}\u{9b}\u{202e}\",Evil,1,1,0,0,0,8,2,2\n";
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}{evil}"));
    let api = api("3");
    for format in ["csv", "json", "table"] {
        let shown = on_terminal(
            &sandbox,
            &api,
            &format!("history --changes -o {format} {}", path(&file)),
            &[],
        );
        for raw in ['\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!shown.contains(raw), "{format}: {shown:?}");
        }
        assert!(!shown.contains("\u{1b}]52"), "{format}: {shown:?}");
    }
    // To a pipe, every byte as the dump has it.
    let piped = history(&sandbox, &["--changes", "-o", "csv", path(&file)]);
    // (--changes groups codes in upper case.)
    assert!(
        piped
            .stdout
            .contains("X\u{1b}]52;C;AGK=\u{7}\u{9b}\u{202e}"),
        "{}",
        piped.stdout
    );
}

/// `history ARGS` on a pseudo-terminal of `cols` columns (0: a pty with
/// no size), as the user sees it.
fn history_on_terminal(sandbox: &Sandbox, cols: u16, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let output = sandbox
        .clean("script")
        .env("TERM", "xterm")
        .args([
            "-qec",
            &format!("stty rows 24 cols {cols}; {} history {args}", bin.display()),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux runs");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn numbers_never_wrap_on_a_narrow_or_sizeless_terminal() {
    let sandbox = Sandbox::new();
    let big = "2026-11-24T04:00:00Z,TRY,Lira,123456789012.5,1,0,0,0,2,1,123456789012.5\n";
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}{big}"));
    for cols in [0, 40, 60] {
        let changes = history_on_terminal(&sandbox, cols, &format!("--changes {}", path(&file)));
        assert!(changes.contains(" 123456789012.50 "), "{cols}: {changes}");
        assert!(changes.contains("Value change (TRY)"), "{cols}: {changes}");
        let shown = history_on_terminal(&sandbox, cols, path(&file));
        // The total and its change, each whole on its line.
        assert!(
            shown.contains(" 123456789012.50 ┆ 123456788997.50 "),
            "{cols}: {shown}"
        );
        // The chart fits the terminal, or 80 columns where it says 0.
        let width = if cols == 0 { 80 } else { usize::from(cols) };
        let chart_line = shown.lines().find(|l| l.contains('┤')).expect("a chart");
        assert!(
            chart_line.chars().count() <= width && chart_line.chars().count() > width - 10,
            "{cols}: {chart_line:?}"
        );
    }
}

#[test]
fn with_no_file_on_a_terminal_history_reads_history_file_or_says_what_to_do() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}"));
    let api = api("3");
    let told = on_terminal(&sandbox, &api, "history; echo rc=$?", &[]);
    assert!(told.contains("history has no dump to read"), "{told}");
    assert!(told.contains("name a FILE, pipe one in"), "{told}");
    assert!(told.contains("rc=2"), "{told}");
    sandbox.write_config(
        &sandbox.default_config(),
        &format!("history_file = \"{}\"\n", file.display()),
    );
    let read = on_terminal(&sandbox, &api, "history -o csv", &[]);
    assert!(read.contains("2026-11-24T03:00:00Z,2,15,"), "{read}");
}

/// A dump of hourly runs from 2026-01-01T00:00Z to 2027-01-01T02:00Z: the
/// TRY balance is the hour's number.
fn hourly_dump(sandbox: &Sandbox) -> PathBuf {
    hours_dump(sandbox, 8763)
}

/// A dump of `hours` hourly runs from the start of 2026.
fn hours_dump(sandbox: &Sandbox, hours: i64) -> PathBuf {
    let mut text = String::from(
        "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,price_try,value_try\n",
    );
    let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
    for h in 0..hours {
        let at = start + jiff::SignedDuration::from_hours(h);
        text += &format!("{at:.0},TRY,Lira,{h},{h},0,0,0,2,1,{h}\n");
    }
    let file = sandbox.home.path().join("hourly.csv");
    std::fs::write(&file, text).expect("dump");
    file
}

#[test]
fn every_month_counts_months_in_the_zone_tz_names() {
    let sandbox = Sandbox::new();
    let file = hourly_dump(&sandbox);
    let closes = |tz: &str| {
        let out = run(sandbox
            .bare()
            .env("TZ", tz)
            .args(["history", "--every", "month", "-o", "csv"])
            .arg(&file));
        out.succeeds();
        out.stdout
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // Each close names its period and when the period ends: the July
    // close and the unfinished August can no longer read as one.
    let utc = closes("UTC");
    assert_eq!(utc.len(), 13, "{utc:?}");
    assert_eq!(
        utc[0],
        "2026-01-31T23:00:00Z,2026-01,2026-02-01T00:00:00Z,1,743,"
    );
    assert_eq!(
        utc[1],
        "2026-02-28T23:00:00Z,2026-02,2026-03-01T00:00:00Z,1,1415,672"
    );
    assert_eq!(
        utc[11],
        "2026-12-31T23:00:00Z,2026-12,2027-01-01T00:00:00Z,1,8759,744"
    );
    assert_eq!(
        utc[12],
        "2027-01-01T02:00:00Z,2027-01,2027-02-01T00:00:00Z,1,8762,3"
    );
    if !Path::new("/usr/share/zoneinfo/Europe/Istanbul").exists() {
        crate::support::skipping(
            "no time zone database here: --every month in Europe/Istanbul not tried",
        );
        return;
    }
    let istanbul = closes("Europe/Istanbul");
    assert_eq!(istanbul.len(), 13, "{istanbul:?}");
    // Istanbul's months end at 21:00Z, three hours before UTC's.
    assert_eq!(
        istanbul[0],
        "2026-01-31T20:00:00Z,2026-01,2026-01-31T21:00:00Z,1,740,"
    );
    assert_eq!(
        istanbul[11],
        "2026-12-31T20:00:00Z,2026-12,2026-12-31T21:00:00Z,1,8756,744"
    );
    assert_eq!(
        istanbul[12],
        "2027-01-01T02:00:00Z,2027-01,2027-01-31T21:00:00Z,1,8762,6"
    );
}

#[test]
fn at_a_time_shows_the_holdings_then_and_before_the_first_is_exit_65() {
    let sandbox = Sandbox::new();
    let file = hourly_dump(&sandbox);
    let out = run(sandbox
        .bare()
        .args(["history", "--at", "2026-06-30", "-o", "json"])
        .arg(&file));
    out.succeeds();
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["fetched_at"], "2026-06-30T23:00:00Z");
    assert_eq!(
        doc["assets"],
        json!([{"asset": "TRY", "balance": "4343", "price": "1", "value": "4343"}])
    );
    assert_eq!(doc["total"], "4343");
    let table = run(sandbox
        .bare()
        .args(["history", "--at", "2026-06-30"])
        .arg(&file));
    assert!(
        table
            .stdout
            .contains("The snapshot of 2026-06-30T23:00:00Z, the last at or before 2026-06-30T23:59:59Z; total 4343.00 TRY"),
        "{}",
        table.stdout
    );
    run(sandbox
        .bare()
        .args(["history", "--at", "2025-12-31"])
        .arg(&file))
    .fails(
        65,
        &["no snapshot at or before 2025-12-31T23:59:59Z: the first is at 2026-01-01T00:00:00Z"],
    );
    let both = run(sandbox
        .bare()
        .args(["history", "--at", "2026-06-30", "--every", "day"])
        .arg(&file));
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[test]
fn a_tz_that_names_no_zone_is_said_once_and_periods_are_in_utc() {
    let sandbox = Sandbox::new();
    // January and the first days of February: in Europe/Istanbul the
    // January close is three hours earlier than in UTC.
    let file = hours_dump(&sandbox, 24 * 33);
    let every_month = |tz: &std::ffi::OsStr| {
        let mut child = sandbox
            .bare()
            .env("TZ", tz)
            .args(["history", "--every", "month", "-o", "csv"])
            .arg(&file)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start");
        // A FIFO or a device must not hold the run.
        crate::support::wait_within(&mut child, 30, &format!("TZ={tz:?}"));
        let out = child.wait_with_output().expect("output");
        assert!(out.status.success(), "{tz:?}: {out:?}");
        (
            String::from_utf8(out.stdout).expect("UTF-8"),
            String::from_utf8(out.stderr).expect("UTF-8"),
        )
    };
    let (utc, quiet) = every_month("UTC".as_ref());
    assert_eq!(quiet, "");
    let fifo = sandbox.home.path().join("zone-fifo");
    crate::support::mkfifo(&fifo);
    let sparse = sandbox.home.path().join("sparse");
    std::fs::File::create(&sparse)
        .and_then(|f| f.set_len(1 << 30))
        .expect("a sparse 1 GiB file");
    let garbage = sandbox.home.path().join("garbage");
    std::fs::write(&garbage, "TZif but not really").expect("garbage");
    let cases: [(&std::ffi::OsStr, &str); 8] = [
        (
            "Europe/Istambul".as_ref(),
            "is not a time zone this machine knows",
        ),
        (
            "Europe/Istanbul ".as_ref(),
            "is not a time zone this machine knows",
        ),
        ("/dev/zero".as_ref(), "names no regular file"),
        (fifo.as_os_str(), "names no regular file"),
        (sandbox.home.path().as_os_str(), "names no regular file"),
        ("/nonexistent/zone".as_ref(), "names no file"),
        (
            sparse.as_os_str(),
            "names a file too large to be a time zone",
        ),
        (garbage.as_os_str(), "names a file that is not a time zone"),
    ];
    for (tz, why) in cases {
        let (closes, warning) = every_month(tz);
        assert_eq!(closes, utc, "{tz:?}");
        assert_eq!(
            warning,
            format!(
                "btcturk-bal: warning: TZ={:?} {why}: periods are counted in UTC\n",
                tz.to_string_lossy()
            ),
        );
    }
}

#[test]
fn an_impossible_date_and_a_negative_span_are_said_in_words() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}"));
    for (args, words) in [
        (
            ["--at", "2025-02-29"],
            "\"2025-02-29\" is not a date or time there is",
        ),
        (
            ["--until", "2026-13-01"],
            "\"2026-13-01\" is not a date or time there is",
        ),
        (
            ["--since", "2026-06-30T24:00"],
            "is not a date or time there is",
        ),
        (
            ["--at", "-2d"],
            "\"-2d\": a span counts back from the last snapshot, so it cannot be negative",
        ),
        (["--since", "-7d"], "cannot be negative"),
    ] {
        let refused = history(&sandbox, &[args[0], args[1], path(&file)]);
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.contains(words),
            "{args:?}: {}",
            refused.stderr
        );
        assert!(
            !refused.stderr.contains("unexpected argument"),
            "{}",
            refused.stderr
        );
    }
}

#[test]
fn an_empty_input_is_said_not_shown_as_an_empty_story() {
    let sandbox = Sandbox::new();
    let empty = write(&sandbox, "empty.csv", "");
    let from_stdin = run(sandbox
        .bare()
        .args(["history", "-o", "csv"])
        .stdin(std::fs::File::open("/dev/null").expect("/dev/null")));
    from_stdin.succeeds();
    assert_eq!(
        from_stdin.stderr,
        "btcturk-bal: warning: no snapshot read from stdin\n"
    );
    let file = history(&sandbox, &["-o", "csv", path(&empty)]);
    file.succeeds();
    assert_eq!(
        file.stderr,
        format!(
            "btcturk-bal: warning: no snapshot read from {}\n",
            empty.display()
        )
    );
}

#[test]
fn history_file_is_a_path_as_config_files_write_them() {
    let sandbox = Sandbox::new();
    let api = api("3");
    let config = sandbox.default_config();
    let config_dir = config.parent().expect("config folder").to_owned();
    std::fs::create_dir_all(&config_dir).expect("config folder");
    let dump = format!("{HEADER_TRY}{RUN_3H}");
    std::fs::write(config_dir.join("beside.csv"), &dump).expect("dump");
    std::fs::write(sandbox.home.path().join("home.csv"), &dump).expect("dump");
    // Relative to the config file's folder, not the current one; ~/ is
    // the home folder.
    for written in ["beside.csv", "~/home.csv"] {
        sandbox.write_config(&config, &format!("history_file = \"{written}\"\n"));
        let read = on_terminal(&sandbox, &api, "history -o csv; echo rc=$?", &[]);
        assert!(
            read.contains("2026-11-24T03:00:00Z,2,15,"),
            "{written}: {read}"
        );
        assert!(read.contains("rc=0"), "{written}: {read}");
    }
    // Empty, or a FIFO that would hold the run: refused by key and line.
    let fifo = sandbox.home.path().join("fifo");
    crate::support::mkfifo(&fifo);
    for (written, expected) in [
        ("", "a file's path, not empty"),
        (
            fifo.to_str().expect("UTF-8"),
            "a regular file, not a folder, a FIFO or a device",
        ),
        (
            "/dev/zero",
            "a regular file, not a folder, a FIFO or a device",
        ),
    ] {
        sandbox.write_config(&config, &format!("# dumps\nhistory_file = \"{written}\"\n"));
        let told = on_terminal(&sandbox, &api, "history; echo rc=$?", &[]);
        assert!(
            told.contains(&format!(
                "history_file on line 2 of {} must be {expected}",
                config.display()
            )),
            "{written}: {told}"
        );
        assert!(told.contains("rc=78"), "{written}: {told}");
    }
}

#[test]
fn every_period_is_named_in_each_format_and_the_unfinished_one_is_marked() {
    let sandbox = Sandbox::new();
    // Hourly runs up to 2027-01-01T02:00Z: the ISO week 2026-W53 holds
    // the last of them and ends on 2027-01-04.
    let file = hourly_dump(&sandbox);
    let csv = history(&sandbox, &["--every", "week", "-o", "csv", path(&file)]);
    csv.succeeds();
    assert!(
        csv.stdout
            .starts_with("fetched_at,period,period_end,assets,total,change\n2026-01-04T23:00:00Z,2026-W01,2026-01-05T00:00:00Z,1,95,\n"),
        "{}",
        csv.stdout
    );
    assert!(
        csv.stdout
            .ends_with("\n2027-01-01T02:00:00Z,2026-W53,2027-01-04T00:00:00Z,1,8762,99\n"),
        "{}",
        csv.stdout
    );
    let json = history(&sandbox, &["--every", "day", "-o", "json", path(&file)]);
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["snapshots"][0]["period"], "2026-01-01");
    assert_eq!(doc["snapshots"][0]["period_end"], "2026-01-02T00:00:00Z");
    let year = history(&sandbox, &["--every", "year", "-o", "csv", path(&file)]);
    assert!(
        year.stdout.contains(",2026,2027-01-01T00:00:00Z,"),
        "{}",
        year.stdout
    );
    // The table: the period beside each close, and one not ended by the
    // machine's clock marked "so far" (compared with the CSV's period_end,
    // so that the test holds whatever the date).
    let table = history(&sandbox, &["--every", "month", "--no-chart", path(&file)]);
    table.succeeds();
    let now = jiff::Timestamp::now();
    for line in csv_lines_of(&sandbox, &file, "month") {
        let fields: Vec<&str> = line.split(',').collect();
        let end: jiff::Timestamp = fields[2].parse().expect("period_end");
        let marked = format!("{} (so far)", fields[1]);
        assert!(
            table.stdout.contains(&format!("{} ", fields[1])),
            "{}",
            table.stdout
        );
        assert_eq!(
            table.stdout.contains(&marked),
            end > now,
            "{marked}: {}",
            table.stdout
        );
    }
}

/// The rows of `--every period -o csv` on `file`.
fn csv_lines_of(sandbox: &Sandbox, file: &Path, period: &str) -> Vec<String> {
    let out = history(sandbox, &["--every", period, "-o", "csv", path(file)]);
    out.stdout.lines().skip(1).map(str::to_owned).collect()
}

#[test]
fn at_names_the_snapshot_it_used_in_csv_and_says_when_it_is_old() {
    let sandbox = Sandbox::new();
    let file = hourly_dump(&sandbox);
    let fresh = history(
        &sandbox,
        &["--at", "2026-06-30T12:30:00Z", "-o", "csv", path(&file)],
    );
    fresh.succeeds();
    assert_eq!(
        fresh.stdout,
        "fetched_at,asset,balance,price_try,value_try\n2026-06-30T12:00:00Z,TRY,4332,1,4332\n"
    );
    assert_eq!(fresh.stderr, "");
    // After the last snapshot: its holdings are the latest there are.
    let old = history(&sandbox, &["--at", "2027-03-01", "-o", "csv", path(&file)]);
    old.succeeds();
    assert!(
        old.stdout
            .ends_with("\n2027-01-01T02:00:00Z,TRY,8762,1,8762\n"),
        "{}",
        old.stdout
    );
    assert_eq!(
        old.stderr,
        "btcturk-bal: warning: the last snapshot at or before 2027-03-01T23:59:59Z is 59 days older (2027-01-01T02:00:00Z); no dump holds a later one\n"
    );
}

#[test]
fn a_date_means_the_local_day_in_at_since_until_and_every() {
    if !Path::new("/usr/share/zoneinfo/Europe/Istanbul").exists() {
        crate::support::skipping("no time zone database here: local dates not tried");
        return;
    }
    let sandbox = Sandbox::new();
    let file = hourly_dump(&sandbox);
    let in_zone = |tz: &str, args: &[&str]| {
        let out = run(sandbox
            .bare()
            .env("TZ", tz)
            .arg("history")
            .args(args)
            .arg(&file));
        out.succeeds();
        out.stdout
    };
    for (tz, june_close) in [
        ("Europe/Istanbul", "2026-06-30T20:00:00Z"),
        ("UTC", "2026-06-30T23:00:00Z"),
    ] {
        // The June close of --every month and --at the last day of June
        // are one snapshot.
        let every = in_zone(tz, &["--every", "month", "-o", "csv"]);
        assert!(
            every.contains(&format!("\n{june_close},2026-06,")),
            "{tz}: {every}"
        );
        let at = in_zone(tz, &["--at", "2026-06-30", "-o", "csv"]);
        assert!(at.contains(&format!("\n{june_close},TRY,")), "{tz}: {at}");
        // --since and --until a date: that local day's 24 runs.
        let day = in_zone(
            tz,
            &[
                "--since",
                "2026-06-30",
                "--until",
                "2026-06-30",
                "-o",
                "csv",
            ],
        );
        let rows: Vec<&str> = day.lines().skip(1).collect();
        assert_eq!(rows.len(), 24, "{tz}: {day}");
        assert!(rows[23].starts_with(june_close), "{tz}: {day}");
    }
    // A time without an offset is local: 03:00 in Istanbul is 00:00Z.
    let local = in_zone(
        "Europe/Istanbul",
        &["--at", "2026-06-30T03:00", "-o", "csv"],
    );
    assert!(local.contains("\n2026-06-30T00:00:00Z,TRY,"), "{local}");
}

/// A dump written with --all-profiles: `default` and `work` at one time.
const ALL_PROFILES: &str = "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,profile\n\
2026-11-24T03:00:00Z,BTC,Bitcoin,1,1,0,0,0,8,default\n\
2026-11-24T03:00:00Z,BTC,Bitcoin,2,2,0,0,0,8,work\n\
2026-11-24T03:00:00Z,ETH,Ethereum,3,3,0,0,0,8,work\n";

#[test]
fn a_profile_means_one_thing_in_history_by_flag_or_variable() {
    let sandbox = Sandbox::new();
    let api = api("3");
    let work_dump = write(&sandbox, "work.csv", &format!("{HEADER_TRY}{RUN_3H}"));
    let all = write(&sandbox, "all.csv", ALL_PROFILES);
    sandbox.write_config(
        &sandbox.default_config(),
        &format!(
            "api_key = \"{KEY}\"\n[profiles.work]\napi_key = \"{KEY2}\"\nhistory_file = \"{}\"\n",
            work_dump.display()
        ),
    );
    // The profile's own history_file, a dump of that account alone: read
    // whole, by -p and by BTCTURK_PROFILE alike.
    for (args, env) in [
        ("-p work history -o csv", None),
        ("history -o csv", Some("work")),
    ] {
        let env: Vec<(&str, &str)> = env.map(|p| ("BTCTURK_PROFILE", p)).into_iter().collect();
        let read = on_terminal(&sandbox, &api, &format!("{args}; echo rc=$?"), &env);
        assert!(
            read.contains("2026-11-24T03:00:00Z,2,15,"),
            "{args}: {read}"
        );
        assert!(read.contains("rc=0"), "{args}: {read}");
    }
    // A dump of every profile: that profile's rows, by flag or variable.
    let by_flag = history(&sandbox, &["-p", "work", "-o", "csv", path(&all)]);
    by_flag.succeeds();
    assert_eq!(
        by_flag.stdout,
        "fetched_at,assets,total,change\n2026-11-24T03:00:00Z,2,,\n"
    );
    let by_variable = run(sandbox
        .bare()
        .env("BTCTURK_PROFILE", "work")
        .args(["history", "-o", "csv"])
        .arg(&all));
    assert_eq!(by_variable.stdout, by_flag.stdout);
    // A profile in neither the config file nor the dump: a typo.
    let typo = history(&sandbox, &["-p", "wrok", "-o", "csv", path(&all)]);
    typo.fails(
        2,
        &["-p: no profile \"wrok\" in the config file or the dumps"],
    );
    assert!(
        typo.hint().starts_with("did you mean \"work\"?"),
        "{}",
        typo.stderr
    );
}

#[test]
fn jsonl_is_one_compact_line_with_what_json_holds() {
    let sandbox = Sandbox::new();
    let file = write(&sandbox, "d.csv", &format!("{HEADER_TRY}{RUN_3H}"));
    for view in [&[][..], &["-a", "btc"], &["--changes"], &["--at", "0d"]] {
        let lines = history(&sandbox, &[&["-o", "jsonl"], view, &[path(&file)]].concat());
        lines.succeeds();
        assert_eq!(
            lines.stdout.lines().count(),
            1,
            "{view:?}: {}",
            lines.stdout
        );
        let pretty = history(&sandbox, &[&["-o", "json"], view, &[path(&file)]].concat());
        let (a, b): (Value, Value) = (
            serde_json::from_str(&lines.stdout).expect("JSON line"),
            serde_json::from_str(&pretty.stdout).expect("JSON"),
        );
        assert_eq!(a, b, "{view:?}");
    }
}

#[test]
fn figures_past_the_bound_are_named_and_a_negative_zero_is_kept() {
    let sandbox = Sandbox::new();
    let max = "79228162514264337593543950335";
    for (name, rows, words) in [
        // A run whose values add up past the bound: named, with its file
        // and first line, never a wrong total.
        (
            "over.csv",
            format!(
                "03:00:00Z,A,,1,1,0,,,8,1,{max}\n03:00:00Z,B,,1,1,0,,,8,1,1\n04:00:00Z,A,,1,1,0,,,8,1,1\n"
            ),
            &[
                "the total of the run at fetched_at 2026-11-24T03:00:00Z (",
                "over.csv, from line 2) is past what a .NET decimal holds",
            ][..],
        ),
        // Totals that hold, whose change does not.
        (
            "swing.csv",
            format!("03:00:00Z,A,,1,1,0,,,8,1,{max}\n04:00:00Z,A,,1,1,0,,,8,1,-{max}\n"),
            &["the change at 2026-11-24T04:00:00Z is past what a .NET decimal holds"],
        ),
        // An amount no .NET decimal holds names its line.
        (
            "long.csv",
            "03:00:00Z,A,,0.00000000000000000000000000001,1,0,,,8,1,1\n".to_owned(),
            &[
                "line 2: balance \"0.00000000000000000000000000001\" is past what a .NET decimal holds",
            ],
        ),
    ] {
        let rows = rows
            .lines()
            .map(|r| format!("2026-11-24T{r}\n"))
            .collect::<String>();
        let file = write(&sandbox, name, &format!("{HEADER_TRY}{rows}"));
        history(&sandbox, &[path(&file)]).fails(65, words);
    }
    // A -0 as the dump writes it, in the data; a table shows 0.
    let zero = write(
        &sandbox,
        "zero.csv",
        &format!("{HEADER_TRY}2026-11-24T03:00:00Z,A,,-0,0,0,,,8,1,-0\n"),
    );
    let csv = history(&sandbox, &["-o", "csv", "-a", "a", path(&zero)]);
    csv.succeeds();
    assert_eq!(
        csv.stdout,
        "fetched_at,balance,price,value\n2026-11-24T03:00:00Z,-0,1,-0\n"
    );
}
