//! Each output format and filter, exactly as a user or script reads it.

use serde_json::{Value, json};

use crate::ACCOUNT;
use crate::support::{BALANCES, FakeApi, Sandbox, Setup, on_terminal, run};

/// Splits off and checks the run's `fetched_at` (RFC 3339 UTC, whole seconds).
fn check_timestamp(ts: &str) {
    assert_eq!(ts.len(), 20, "{ts}");
    assert!(
        ts.ends_with('Z') && ts.parse::<jiff::Timestamp>().is_ok(),
        "{ts}"
    );
}

#[test]
fn table_shows_amounts_at_precision_rounded_half_to_even() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(&mut sandbox.cmd(&api));
    run.succeeds();
    assert_eq!(
        run.stdout,
        "\
+-------+-------------------+------------+------------+------------+
| Asset | Name              |      Total |       Free |     Locked |
+==================================================================+
| BTC   | Bitcoin           | 9.75021866 | 6.43924146 | 3.31097720 |
| ETH   | Ethereum          | 0.00000000 | 0.00000000 | 0.00000000 |
| TRY   | Türk Lirası       |   27223.73 |   22349.37 |    4874.36 |
| XYZ   | Odd \"Token\", Inc. |        1.5 |        1.5 |          0 |
+-------+-------------------+------------+------------+------------+
"
    );
    assert_eq!(run.stderr, "");
    assert_eq!(api.hits(BALANCES), 1);
}

#[test]
fn json_carries_exact_amounts_and_nulls() {
    let t = Setup::serving(ACCOUNT);
    let run = t.run(&["-o", "json"]);
    run.succeeds();
    let mut doc: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    check_timestamp(doc["fetched_at"].as_str().expect("fetched_at"));
    doc["fetched_at"] = json!("T");
    assert_eq!(
        doc,
        json!({
            "fetched_at": "T",
            "assets": [
                {"asset": "BTC", "name": "Bitcoin", "balance": "9.7502186644553258",
                 "free": "6.439241464455326", "locked": "3.3109771999999998",
                 "order_fund": "3.3109771999999998", "request_fund": "0", "precision": 8},
                {"asset": "ETH", "name": "Ethereum", "balance": "0.0000000000000000",
                 "free": "0.0000000000000000", "locked": "0", "order_fund": "0",
                 "request_fund": "0", "precision": 8},
                {"asset": "TRY", "name": "Türk Lirası", "balance": "27223.7283250757643288",
                 "free": "22349.3654565035348765", "locked": "4874.3628685722294523",
                 "order_fund": "4874.3628685722294523", "request_fund": "0", "precision": 2},
                {"asset": "XYZ", "name": "Odd \"Token\", Inc.", "balance": "1.5",
                 "free": "1.5", "locked": "0", "order_fund": null, "request_fund": null,
                 "precision": null}
            ]
        })
    );
}

/// The CSV rows with the shared `fetched_at` column checked and removed.
fn csv_rows(stdout: &str, header: bool) -> Vec<String> {
    let mut lines = stdout.lines();
    let mut rows = Vec::new();
    if header {
        rows.push(lines.next().expect("header").to_owned());
    }
    let mut stamp = None;
    for line in lines {
        let (ts, rest) = line.split_once(',').expect("a comma");
        check_timestamp(ts);
        assert!(stamp.is_none_or(|s| s == ts), "one fetched_at per run");
        stamp = Some(ts.to_owned());
        rows.push(rest.to_owned());
    }
    rows
}

#[test]
fn csv_is_rfc4180_with_exact_amounts() {
    let t = Setup::serving(ACCOUNT);
    let run = t.run(&["-o", "csv"]);
    run.succeeds();
    assert_eq!(
        csv_rows(&run.stdout, true),
        [
            "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision",
            "BTC,Bitcoin,9.7502186644553258,6.439241464455326,3.3109771999999998,3.3109771999999998,0,8",
            "ETH,Ethereum,0.0000000000000000,0.0000000000000000,0,0,0,8",
            "TRY,Türk Lirası,27223.7283250757643288,22349.3654565035348765,4874.3628685722294523,4874.3628685722294523,0,2",
            "XYZ,\"Odd \"\"Token\"\", Inc.\",1.5,1.5,0,,,",
        ]
    );
}

#[test]
fn csv_without_header_for_appending() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .args(["-o", "csv", "--no-header", "-a", "btc"]));
    run.succeeds();
    assert_eq!(
        csv_rows(&run.stdout, false),
        [
            "BTC,Bitcoin,9.7502186644553258,6.439241464455326,3.3109771999999998,3.3109771999999998,0,8"
        ]
    );
}

fn assets_shown(args: &[&str]) -> (Vec<String>, String) {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["-o", "json"]).args(args));
    run.succeeds();
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let codes = doc["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .map(|a| a["asset"].as_str().expect("code").to_owned())
        .collect();
    (codes, run.stderr.clone())
}

#[test]
fn non_zero_drops_zero_balances() {
    assert_eq!(assets_shown(&["--non-zero"]).0, ["BTC", "TRY", "XYZ"]);
    assert_eq!(assets_shown(&["-z"]).0, ["BTC", "TRY", "XYZ"]);
}

#[test]
fn asset_filter_is_repeatable_comma_separated_and_case_insensitive() {
    assert_eq!(
        assets_shown(&["-a", "btc,Try", "--asset", "eth"]).0,
        ["BTC", "ETH", "TRY"]
    );
    assert_eq!(assets_shown(&["-a", "eth", "-z"]).0, Vec::<String>::new());
}

#[test]
fn asset_filter_warns_about_codes_the_account_lacks() {
    let (codes, stderr) = assets_shown(&["-a", "btc,doge"]);
    assert_eq!(codes, ["BTC"]);
    assert_eq!(
        stderr,
        "btcturk-bal: warning: the account has no asset DOGE\n"
    );
}

#[test]
fn filters_apply_to_the_table_and_csv_too() {
    let t = Setup::serving(ACCOUNT);
    let table = t.run(&["-z", "-a", "eth,xyz"]);
    table.succeeds();
    assert!(
        table.stdout.contains("| XYZ ") && !table.stdout.contains("ETH"),
        "{}",
        table.stdout
    );
    let csv = t.run(&["-o", "csv", "-z", "-a", "eth,xyz"]);
    assert_eq!(csv_rows(&csv.stdout, true).len(), 2, "{}", csv.stdout);
}

#[test]
fn numbers_and_long_amounts_pass_through_exactly() {
    // JSON numbers, an exponent, the most a .NET decimal holds at either
    // end, a scale and a negative zero, as sent.
    let t = Setup::serving(
        r#"{"success": true, "code": "SUCCESS", "message": null, "data": [
            {"asset": "BTC", "balance": 0.1234567890123456, "free": 1e-8,
             "locked": "79228162514264337593543950335", "precision": 8},
            {"asset": "ETH", "balance": "0,0000000000000000000000000001", "free": "1.50",
             "locked": -0, "orderFund": "0,0000000000000000"}]}"#,
    );
    let run = t.run(&["-o", "csv", "--no-header"]);
    run.succeeds();
    assert_eq!(
        csv_rows(&run.stdout, false),
        [
            "BTC,,0.1234567890123456,0.00000001,79228162514264337593543950335,,,8",
            "ETH,,0.0000000000000000000000000001,1.50,-0,0.0000000000000000,,",
        ]
    );
    let run = t.run(&["-o", "json"]);
    run.succeeds();
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["assets"][0]["locked"], "79228162514264337593543950335");
    assert_eq!(doc["assets"][1]["locked"], "-0");
    assert_eq!(doc["assets"][1]["order_fund"], "0.0000000000000000");
}

#[test]
fn a_byte_order_mark_before_the_answer_is_skipped() {
    let t = Setup::serving(
        "\u{feff}{\"success\": true, \"data\": [
            {\"asset\": \"BTC\", \"balance\": \"1.5\", \"free\": \"1.5\", \"locked\": \"0\", \"precision\": \"8\"}]}",
    );
    let run = t.run(&["-o", "csv", "--no-header"]);
    run.succeeds();
    assert_eq!(csv_rows(&run.stdout, false), ["BTC,,1.5,1.5,0,,,8"]);
}

#[test]
fn odd_data_is_shown_as_received() {
    // Negative locked, free above balance: reported by users of the real API.
    let t = Setup::serving(
        r#"{"success": true, "code": 0, "data": [
            {"asset": "TRY", "balance": "10", "free": "12.5", "locked": "-2.5", "precision": 2}]}"#,
    );
    let run = t.run(&["-o", "csv", "--no-header"]);
    run.succeeds();
    assert_eq!(csv_rows(&run.stdout, false), ["TRY,,10,12.5,-2.5,,,2"]);
}

#[test]
fn an_empty_account_is_an_empty_list() {
    let t = Setup::serving(r#"{"success": true, "code": 0, "message": null, "data": []}"#);
    let run = t.run(&["-o", "json"]);
    run.succeeds();
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["assets"], json!([]));
}

#[test]
fn help_and_version_work_without_keys() {
    let sandbox = Sandbox::new();
    let help = run(sandbox.bare().arg("--help"));
    help.succeeds();
    assert!(
        help.stdout.contains("--non-zero") && help.stdout.contains("jq"),
        "{}",
        help.stdout
    );
    let version = run(sandbox.bare().arg("--version"));
    version.succeeds();
    assert_eq!(
        version.stdout,
        format!("btcturk-bal {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_usage_is_exit_2() {
    let sandbox = Sandbox::new();
    let bad = run(sandbox.bare().args(["-o", "xml"]));
    assert_eq!(bad.code, 2);
    assert_eq!(bad.stdout, "");
    assert!(bad.stderr.contains("invalid value 'xml'"), "{}", bad.stderr);
    assert_eq!(run(sandbox.bare().args(["--timeout", "0"])).code, 2);
}

/// An asset whose code and name hold what must not reach a terminal raw:
/// ESC (a colour sequence), U+009B (a C1 escape introducer) and U+202E (a
/// right-to-left override).
const HOSTILE: &str = r#"{"success":true,"data":[
    {"asset":"EV\u001b[31mIL","assetname":"a\u009bb\u202ec","balance":"1","free":"1","locked":"0","precision":2}]}"#;

#[test]
fn server_text_is_escaped_on_a_terminal_in_every_format() {
    let api = FakeApi::serving(HOSTILE);
    for (args, shown) in [
        ("-o json", ["\\u001b[31m", "\\u009b", "\\u202e"]),
        ("-o csv", ["\\u{1b}[31m", "\\u{9b}", "\\u{202e}"]),
        ("--color never", ["\\u{1b}[31m", "\\u{9b}", "\\u{202e}"]),
    ] {
        let out = on_terminal(&Sandbox::new(), &api, args, &[]);
        for raw in ['\u{1b}', '\u{9b}', '\u{202e}'] {
            assert!(!out.contains(raw), "{args}: raw {raw:?} in {out:?}");
        }
        for escaped in shown {
            assert!(out.contains(escaped), "{args}: no {escaped} in {out:?}");
        }
    }
    // JSON on a terminal still reads back as the same strings.
    let json = on_terminal(&Sandbox::new(), &api, "-o json", &[]);
    let doc: Value = serde_json::from_str(json.trim_end()).expect("JSON");
    assert_eq!(doc["assets"][0]["name"], "a\u{9b}b\u{202e}c");
}

#[test]
fn server_text_reaches_a_pipe_exactly_as_received() {
    let t = Setup::serving(HOSTILE);
    let json = t.run(&["-o", "json"]);
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["assets"][0]["asset"], "EV\u{1b}[31mIL");
    assert_eq!(doc["assets"][0]["name"], "a\u{9b}b\u{202e}c");
    assert!(json.stdout.contains("a\u{9b}b\u{202e}c"), "{}", json.stdout);
    let csv = t.run(&["-o", "csv", "--no-header"]);
    assert!(
        csv.stdout.contains(",EV\u{1b}[31mIL,a\u{9b}b\u{202e}c,"),
        "{:?}",
        csv.stdout
    );
}

#[test]
fn runs_append_as_json_lines() {
    let api = crate::support::FakeApi::serving(crate::ACCOUNT);
    let sandbox = crate::support::Sandbox::new();
    let file = sandbox.home.path().join("runs.jsonl");
    let refused = crate::support::run(
        sandbox
            .cmd(&api)
            .args(["-o", "json", "--append"])
            .arg(&file),
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("use -o jsonl"),
        "{}",
        refused.stderr
    );
    assert!(!file.exists());
    for _ in 0..2 {
        crate::support::run(
            sandbox
                .cmd(&api)
                .args(["-o", "jsonl", "--append"])
                .arg(&file),
        )
        .succeeds();
    }
    let text = std::fs::read_to_string(&file).expect("file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    for line in lines {
        let run: serde_json::Value = serde_json::from_str(line).expect("one object a line");
        assert_eq!(run["assets"][0]["asset"], "BTC");
    }
    // The same fields as -o json.
    let json = crate::support::run(sandbox.cmd(&api).args(["-o", "json"]));
    let jsonl = crate::support::run(sandbox.cmd(&api).args(["-o", "jsonl"]));
    let keys = |text: &str| {
        let v: serde_json::Value = serde_json::from_str(text).expect("JSON");
        v.as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&json.stdout), keys(&jsonl.stdout));
    assert_eq!(jsonl.stdout.lines().count(), 1);
}
