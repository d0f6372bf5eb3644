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

/// Two runs a second apart (fetched_at has whole seconds), BTC at 3 TRY
/// then 4, each appended to `file` with `args`.
fn dumps(sandbox: &Sandbox, file: &Path, args: &[&str]) {
    for price in ["3", "4"] {
        let api = api(price);
        run(sandbox
            .cmd(&api)
            .args(["-o", "csv", "--append"])
            .arg(file)
            .args(args))
        .succeeds();
        std::thread::sleep(std::time::Duration::from_millis(1100));
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
    dumps(&sandbox, &plain, &["--value-in", "TRY"]);
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
    for price in ["3", "4"] {
        let api = api(price);
        run(sandbox
            .bare()
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
        std::thread::sleep(std::time::Duration::from_millis(1100));
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
            "line 2: balance \"lots\" is not a number",
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
            "huge.csv",
            format!("{header}2026-11-24T03:00:00Z,BTC,Bitcoin,1e23,1,0,,,8\n"),
            "line 2: balance \"1e23\" is too large to add up",
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
