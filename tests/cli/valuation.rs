//! `--value-in`: prices from the public ticker, values and the total.

use serde_json::{Value, json};

use crate::support::{BALANCES, FakeApi, Reply, Request, Sandbox, TICKER, run, standard};

/// BTC and ETH priced directly in both currencies, XRP only against USDT,
/// SHIB only against TRY, ZZZ not at all; ETH has a zero balance and SHIB
/// is dust.
const ACCOUNT: &str = r#"{"success":true,"code":0,"message":null,"data":[
    {"asset":"TRY","assetname":"Türk Lirası","balance":"1000.50","free":"1000.50","locked":"0","precision":2},
    {"asset":"BTC","assetname":"Bitcoin","balance":"0.5","free":"0.5","locked":"0","precision":8},
    {"asset":"USDT","assetname":"Tether","balance":"10","free":"10","locked":"0","precision":2},
    {"asset":"XRP","assetname":"Ripple","balance":"100","free":"100","locked":"0","precision":6},
    {"asset":"ETH","assetname":"Ethereum","balance":"0","free":"0","locked":"0","precision":8},
    {"asset":"SHIB","assetname":"Shiba Inu","balance":"1000","free":"1000","locked":"0","precision":2},
    {"asset":"ZZZ","assetname":"Unlisted","balance":"5","free":"5","locked":"0","precision":4}]}"#;

/// Prices are JSON numbers, as the real ticker sends them.
const TICKER_BODY: &str = r#"{"success":true,"message":null,"code":0,"data":[
    {"pair":"BTCTRY","pairNormalized":"BTC_TRY","numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":2712345,"bid":2712000,"ask":2712500,"volume":12.5,"order":1000},
    {"pair":"BTCUSDT","pairNormalized":"BTC_USDT","numeratorSymbol":"BTC","denominatorSymbol":"USDT","last":79152.5,"order":1001},
    {"pair":"ETHTRY","pairNormalized":"ETH_TRY","numeratorSymbol":"ETH","denominatorSymbol":"TRY","last":120000,"order":1002},
    {"pair":"ETHUSDT","pairNormalized":"ETH_USDT","numeratorSymbol":"ETH","denominatorSymbol":"USDT","last":3500.1,"order":1003},
    {"pair":"USDTTRY","pairNormalized":"USDT_TRY","numeratorSymbol":"USDT","denominatorSymbol":"TRY","last":34.25,"order":1004},
    {"pair":"XRPUSDT","pairNormalized":"XRP_USDT","numeratorSymbol":"XRP","denominatorSymbol":"USDT","last":0.5123,"order":1005},
    {"pair":"SHIBTRY","pairNormalized":"SHIB_TRY","numeratorSymbol":"SHIB","denominatorSymbol":"TRY","last":0.000685,"order":1006}]}"#;

fn api() -> FakeApi {
    FakeApi::start(|req: &Request| match req.path.as_str() {
        TICKER => Reply::json(200, TICKER_BODY),
        _ => standard(req, ACCOUNT),
    })
}

fn json_run(args: &[&str]) -> (Value, FakeApi) {
    let api = api();
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["-o", "json"]).args(args));
    run.succeeds();
    assert_eq!(run.stderr, "");
    (serde_json::from_str(&run.stdout).expect("JSON"), api)
}

/// (asset, price, value) of each asset shown, in order.
fn valued(doc: &Value) -> Vec<(String, Value, Value)> {
    doc["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .map(|a| {
            (
                a["asset"].as_str().expect("code").to_owned(),
                a["price"].clone(),
                a["value"].clone(),
            )
        })
        .collect()
}

fn row(asset: &str, price: Value, value: Value) -> (String, Value, Value) {
    (asset.to_owned(), price, value)
}

#[test]
fn values_in_try_direct_and_through_usdt() {
    let (doc, api) = json_run(&["--value-in", "TRY"]);
    assert_eq!(
        valued(&doc),
        [
            row("BTC", json!("2712345"), json!("1356172.5")),
            row("ETH", json!("120000"), json!("0")),
            row("SHIB", json!("0.000685"), json!("0.685")),
            row("TRY", json!("1"), json!("1000.5")),
            row("USDT", json!("34.25"), json!("342.5")),
            row("XRP", json!("17.546275"), json!("1754.6275")),
            row("ZZZ", Value::Null, Value::Null),
        ]
    );
    // 1356172.5 + 0 + 0.685 + 1000.50 + 342.50 + 1754.6275, by hand.
    assert_eq!(
        doc["valuation"],
        json!({"currency": "TRY", "total": "1359270.8125", "unpriced": ["ZZZ"]})
    );
    assert_eq!(api.hits(TICKER), 1);
}

#[test]
fn values_in_usdt_divide_through_usdt_try() {
    let (doc, _api) = json_run(&["--value-in", "usdt"]);
    assert_eq!(
        valued(&doc),
        [
            row("BTC", json!("79152.5"), json!("39576.25")),
            row("ETH", json!("3500.1"), json!("0")),
            // 0.000685 / 34.25 = 0.00002 exactly.
            row("SHIB", json!("0.00002"), json!("0.02")),
            // 1 / 34.25 and 1000.50 / 34.25 to as many places as fit (28
            // and 27), the division done last, rounded half to even.
            row(
                "TRY",
                json!("0.0291970802919708029197080292"),
                json!("29.211678832116788321167883212")
            ),
            row("USDT", json!("1"), json!("10")),
            row("XRP", json!("0.5123"), json!("51.23")),
            row("ZZZ", Value::Null, Value::Null),
        ]
    );
    assert_eq!(
        doc["valuation"],
        // The sum of the values as written, 39666.711678832116788321167883|212,
        // has 32 digits: 24 places fit.
        json!({"currency": "USDT", "total": "39666.711678832116788321167883", "unpriced": ["ZZZ"]})
    );
}

#[test]
fn table_shows_price_value_total_and_unpriced() {
    let api = api();
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .args(["--value-in", "TRY", "-a", "btc,xrp,zzz,try"]));
    run.succeeds();
    assert_eq!(
        run.stdout,
        "\
+-------+-------------+------------+------------+------------+-------------+-------------+
| Asset | Name        |      Total |       Free |     Locked | Price (TRY) | Value (TRY) |
+========================================================================================+
| BTC   | Bitcoin     | 0.50000000 | 0.50000000 | 0.00000000 |     2712345 |  1356172.50 |
| TRY   | Türk Lirası |    1000.50 |    1000.50 |       0.00 |           1 |     1000.50 |
| XRP   | Ripple      | 100.000000 | 100.000000 |   0.000000 |   17.546275 |     1754.63 |
| ZZZ   | Unlisted    |     5.0000 |     5.0000 |     0.0000 |           - |           - |
+-------+-------------+------------+------------+------------+-------------+-------------+
Total: 1358927.63 TRY
Not priced, left out of the total: ZZZ
"
    );
}

#[test]
fn csv_gains_price_and_value_columns_named_for_the_currency() {
    let api = api();
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .args(["-o", "csv", "--value-in", "TRY", "-a", "xrp,zzz"]));
    run.succeeds();
    let lines: Vec<_> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,price_try,value_try"
    );
    assert!(
        lines[1].ends_with(",XRP,Ripple,100,100,0,,,6,17.546275,1754.6275"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(",ZZZ,Unlisted,5,5,0,,,4,,"),
        "{}",
        lines[2]
    );
    assert_eq!(lines.len(), 3);
    let usdt = crate::support::run(sandbox.cmd(&api).args(["-o", "csv", "--value-in", "usdt"]));
    usdt.succeeds();
    assert!(
        usdt.stdout.starts_with(
            "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,price_usdt,value_usdt\n"
        ),
        "{}",
        usdt.stdout
    );
}

#[test]
fn min_value_hides_dust_but_keeps_unpriced_holdings() {
    let (doc, _api) = json_run(&["--value-in", "TRY", "--min-value", "1"]);
    let shown: Vec<_> = valued(&doc).into_iter().map(|(a, ..)| a).collect();
    assert_eq!(shown, ["BTC", "TRY", "USDT", "XRP", "ZZZ"]);
    assert_eq!(doc["valuation"]["total"], json!("1359270.1275"));
}

#[test]
fn sort_by_value_puts_the_largest_first_and_unpriced_last() {
    let (doc, _api) = json_run(&["--value-in", "TRY", "--sort", "value"]);
    let shown: Vec<_> = valued(&doc).into_iter().map(|(a, ..)| a).collect();
    assert_eq!(shown, ["BTC", "XRP", "TRY", "USDT", "SHIB", "ETH", "ZZZ"]);
}

#[test]
fn sort_by_balance_is_numeric() {
    let (doc, _api) = json_run(&["--sort", "balance"]);
    let shown: Vec<_> = valued(&doc).into_iter().map(|(a, ..)| a).collect();
    assert_eq!(shown, ["TRY", "SHIB", "XRP", "USDT", "ZZZ", "BTC", "ETH"]);
}

#[test]
fn no_ticker_request_without_value_in() {
    let (doc, api) = json_run(&[]);
    assert_eq!(api.hits(TICKER), 0);
    assert_eq!(api.hits(BALANCES), 1);
    assert!(
        doc.get("valuation").is_none() && doc["assets"][0].get("price").is_none(),
        "{doc}"
    );
}

#[test]
fn failing_ticker_fails_the_run_with_no_output() {
    let api = FakeApi::start(|req: &Request| match req.path.as_str() {
        TICKER => Reply::status(503),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let run =
        run(sandbox
            .cmd(&api)
            .args(["--value-in", "TRY", "--retries", "1", "--max-wait", "0"]));
    run.fails(75, &["the API answered 503 Service Unavailable"]);
    assert_eq!(api.hits(TICKER), 2);
}

#[test]
fn unsupported_currency_lists_the_supported_ones() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.bare().args(["--value-in", "EUR"]));
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr.contains("invalid value 'EUR'")
            && run.stderr.contains("[possible values: TRY, USDT]"),
        "{}",
        run.stderr
    );
}

#[test]
fn value_options_need_value_in() {
    let sandbox = Sandbox::new();
    for args in [["--sort", "value"], ["--min-value", "5"]] {
        let run = run(sandbox.bare().args(args));
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{args:?}");
        assert!(run.stderr.contains("--value-in"), "{}", run.stderr);
    }
}

#[test]
fn a_pair_without_trades_prices_nothing_and_pair_names_serve() {
    // `last` 0 is the API's "no trades in 24 h"; a record without symbols
    // still names both sides in `pairNormalized`.
    let ticker = r#"{"success":true,"data":[
        {"pair":"BTCTRY","pairNormalized":"BTC_TRY","numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":0.0,"timestamp":1579996808957.0},
        {"pairNormalized":"XRP_TRY","last":20}]}"#;
    let api = FakeApi::start(move |req: &Request| match req.path.as_str() {
        TICKER => Reply::json(200, ticker),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .args(["-o", "json", "--value-in", "TRY", "-a", "btc,xrp"]));
    run.succeeds();
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        valued(&doc),
        [
            row("BTC", Value::Null, Value::Null),
            row("XRP", json!("20"), json!("2000")),
        ]
    );
    assert_eq!(doc["valuation"]["total"], json!("2000"));
    assert_eq!(doc["valuation"]["unpriced"], json!(["BTC"]));
}

/// Long amounts and prices, below 1 and near the limits of a .NET
/// decimal: the balances answer and the ticker.
const LONG_ACCOUNT: &str = r#"{"success":true,"data":[
    {"asset":"BIG","balance":"12345678901234.5678901234","free":"0","locked":"0","precision":8},
    {"asset":"TRY","balance":"0.00000001","free":"0","locked":"0","precision":2},
    {"asset":"LONG","balance":"0,1234567890123456789012345678","free":"0","locked":"0","precision":8},
    {"asset":"THIRD","balance":"7.0000000000000000000000000001","free":"0","locked":"0","precision":8},
    {"asset":"HUGE","balance":"79228162514264337593543950335","free":"0","locked":"0","precision":0},
    {"asset":"TINY","balance":"0.0000000000000000000000000001","free":"0","locked":"0","precision":8}]}"#;
const LONG_TICKER: &str = r#"{"success":true,"data":[
    {"numeratorSymbol":"BIG","denominatorSymbol":"TRY","last":98765432109876.54321},
    {"numeratorSymbol":"LONG","denominatorSymbol":"USDT","last":3.3333333333333333333333333333},
    {"numeratorSymbol":"THIRD","denominatorSymbol":"TRY","last":0.3333333333333333333333333333},
    {"numeratorSymbol":"HUGE","denominatorSymbol":"USDT","last":0.015},
    {"numeratorSymbol":"TINY","denominatorSymbol":"TRY","last":0.5},
    {"numeratorSymbol":"USDT","denominatorSymbol":"TRY","last":34.25}]}"#;

fn long_api() -> FakeApi {
    FakeApi::start(|req: &Request| match req.path.as_str() {
        TICKER => Reply::json(200, LONG_TICKER),
        _ => standard(req, LONG_ACCOUNT),
    })
}

/// The rule worked out by Python's decimal, independently of the tool:
/// each computed figure exact where a .NET decimal holds it, else rounded
/// half to even at the most places (up to 28) that fit; a route into USDT
/// multiplies, then divides by USDT/TRY; a total is the exact sum of the
/// values, rounded once. Reads `{"balances","ticker","currency"}` and
/// prints each asset's `[price, value]` and the total, as plain text.
const REFERENCE: &str = r#"
import json, sys
from decimal import Decimal as D, localcontext, ROUND_HALF_EVEN
def fit(v):
    with localcontext() as c:
        c.prec = 300
        for places in range(28, -1, -1):
            q = v.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
            if abs(q.scaleb(places)) < 2**96:
                return q
    raise OverflowError(v)
def text(v):
    with localcontext() as c:
        c.prec = 300
        return format(v.normalize(), "f") if v else "0"
def plain(t):
    return D(str(t).replace(",", "."))
inp = json.load(sys.stdin)
last = {}
for p in inp["ticker"]["data"]:
    last[(p["numeratorSymbol"], p["denominatorSymbol"])] = plain(p["last"])
cur = inp["currency"]; other = "TRY" if cur == "USDT" else "USDT"
out, values = {}, []
with localcontext() as c:
    c.prec = 300
    for a in inp["balances"]["data"]:
        code, bal = a["asset"], plain(a["balance"])
        if code == cur: price, value = D(1), fit(bal)
        elif (code, cur) in last: price = last[(code, cur)]; value = fit(bal * price)
        else:
            via = D(1) if code == other else last[(code, other)]
            ut = last[("USDT", "TRY")]
            if cur == "TRY": price = fit(via * ut); value = fit(bal * price)
            else: price = fit(via / ut); value = fit(fit(bal * via) / ut)
        out[code] = [text(price), text(value)]
        values.append(value)
    out["total"] = text(fit(sum(values, D(0))))
    out["total_2"] = format(fit(sum(values, D(0))).quantize(D("0.01"), rounding=ROUND_HALF_EVEN), "f")
print(json.dumps(out))
"#;

/// What the reference says of `LONG_ACCOUNT` in `currency`; `None` (the
/// test skipped) where no Python is installed.
fn reference(currency: &str) -> Option<Value> {
    use std::io::Write;
    let input = json!({
        "balances": serde_json::from_str::<Value>(LONG_ACCOUNT).expect("JSON"),
        "ticker": serde_json::from_str::<Value>(&LONG_TICKER.replace(
            // serde_json reads JSON numbers through f64: the reference
            // reads the prices as text.
            "\"last\":", "\"last\":\"",
        ).replace("},\n", "\"},\n").replace("}]}", "\"}]}")).expect("JSON"),
        "currency": currency,
    });
    let Ok(mut child) = std::process::Command::new("python3")
        .args(["-c", REFERENCE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    else {
        crate::support::skipping("python3 is not installed: no reference for the rule");
        return None;
    };
    let stdin = child.stdin.take().expect("stdin");
    { stdin }
        .write_all(input.to_string().as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3");
    assert!(out.status.success(), "the reference failed");
    Some(serde_json::from_slice(&out.stdout).expect("the reference's JSON"))
}

#[test]
fn one_rule_for_exact_numbers_in_every_format() {
    let api = long_api();
    let sandbox = Sandbox::new();
    for currency in ["TRY", "USDT"] {
        let Some(want) = reference(currency) else {
            return;
        };
        let args = ["--value-in", currency, "-o"];
        let json = run(sandbox.cmd(&api).args(args).arg("json"));
        json.succeeds();
        let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
        for asset in doc["assets"].as_array().expect("assets") {
            let code = asset["asset"].as_str().expect("code");
            assert_eq!(
                json!([asset["price"], asset["value"]]),
                want[code],
                "{code} in {currency}"
            );
        }
        assert_eq!(doc["valuation"]["total"], want["total"], "{currency}");
        // Amounts as the API sent them, digit for digit.
        let balance = |code: &str| {
            let assets = doc["assets"].as_array().expect("assets");
            assets
                .iter()
                .find(|a| a["asset"] == code)
                .map(|a| a["balance"].clone())
        };
        assert_eq!(
            balance("LONG"),
            Some(json!("0.1234567890123456789012345678"))
        );
        assert_eq!(
            balance("HUGE"),
            Some(json!("79228162514264337593543950335"))
        );

        let csv = run(sandbox.cmd(&api).args(args).args(["csv", "--no-header"]));
        csv.succeeds();
        for line in csv.stdout.lines() {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(json!(fields[9..11]), want[fields[1]], "{line}");
        }

        let prom = run(sandbox.cmd(&api).args(args).arg("prometheus"));
        prom.succeeds();
        let total = format!(
            "btcturk_portfolio_value{{currency=\"{currency}\"}} {}\n",
            want["total"].as_str().expect("total")
        );
        assert!(prom.stdout.contains(&total), "{total}\n{}", prom.stdout);

        // A person is shown the total rounded half to even to 2 places.
        let table = run(sandbox.cmd(&api).args(args).arg("table"));
        table.succeeds();
        let total = format!(
            "Total: {} {currency}",
            want["total_2"].as_str().expect("total")
        );
        assert!(table.stdout.contains(&total), "{total}\n{}", table.stdout);

        // History reads back every figure the tool writes, and sums the
        // values as written to the same total.
        let file = sandbox.home.path().join(format!("long-{currency}.csv"));
        run(sandbox
            .cmd(&api)
            .args(args)
            .arg("csv")
            .arg("--append")
            .arg(&file))
        .succeeds();
        let history = run(sandbox.bare().args(["history", "-o", "json"]).arg(&file));
        history.succeeds();
        let totals: Value = serde_json::from_str(&history.stdout).expect("JSON");
        assert_eq!(totals["snapshots"][0]["total"], want["total"], "{currency}");
        let long = run(sandbox
            .bare()
            .args(["history", "-o", "csv", "-a", "LONG"])
            .arg(&file));
        long.succeeds();
        let fields: Vec<&str> = long
            .stdout
            .lines()
            .nth(1)
            .expect("a row")
            .split(',')
            .collect();
        assert_eq!(fields[1], "0.1234567890123456789012345678");
        assert_eq!(json!(fields[2..4]), want["LONG"]);
    }
}

#[test]
fn a_value_past_what_a_figure_holds_is_named() {
    let api = FakeApi::start(|req: &Request| match req.path.as_str() {
        TICKER => Reply::json(
            200,
            r#"{"data":[{"numeratorSymbol":"HUGE","denominatorSymbol":"TRY","last":2}]}"#,
        ),
        _ => standard(
            req,
            r#"{"data":[{"asset":"HUGE","balance":"79228162514264337593543950335","free":"0","locked":"0"}]}"#,
        ),
    });
    let sandbox = Sandbox::new();
    run(sandbox.cmd(&api).args(["--value-in", "TRY"])).fails(
        76,
        &["the value of HUGE in TRY is past what a .NET decimal holds (at most 28 decimal places, within ±79,228,162,514,264,337,593,543,950,335)"],
    );
    // Without valuing, the same balance is shown as sent.
    let plain = run(sandbox.cmd(&api).args(["-o", "csv", "--no-header"]));
    plain.succeeds();
    assert!(
        plain
            .stdout
            .contains(",HUGE,,79228162514264337593543950335,0,0,"),
        "{}",
        plain.stdout
    );
}

#[test]
fn a_min_value_with_a_thousands_separator_is_a_usage_error() {
    let api = api();
    let sandbox = Sandbox::new();
    // A thousand in English and in Turkish notation, or one: never guessed.
    for amount in ["1,000", "1.000"] {
        let refused = run(sandbox
            .cmd(&api)
            .args(["--value-in", "TRY", "--min-value", amount]));
        assert_eq!(refused.code, 2, "{}", refused.stderr);
        assert!(
            refused.stderr.contains(
                "is ambiguous: 1000 with a thousands separator, or 1.000 as a decimal; write 1000 or 1.0000"
            ),
            "{}",
            refused.stderr
        );
    }
    assert!(api.requests().is_empty());
    let comma =
        run(sandbox
            .cmd(&api)
            .args(["-o", "csv", "--value-in", "TRY", "--min-value", "1000,6"]));
    comma.succeeds();
    assert!(
        comma.stdout.contains(",BTC,") && !comma.stdout.contains(",TRY,"),
        "{}",
        comma.stdout
    );
}

/// The valued table of `api`'s account on a terminal `columns` wide
/// (`stty cols`; 0 is a terminal that reports no size), with `env`.
fn valued_on_terminal(api: &FakeApi, columns: u16, env: &[(&str, &str)]) -> String {
    let sandbox = Sandbox::new();
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let out = sandbox
        .with_keys(sandbox.clean("script"), api)
        .env("TERM", "xterm")
        .envs(env.iter().copied())
        .args([
            "-qec",
            &format!(
                "stty cols {columns}; {} --value-in TRY -z --color never",
                bin.display()
            ),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .replace("\r\n", "\n")
}

#[test]
fn the_valued_table_fits_the_terminal_and_never_cuts_a_number() {
    let api = api();
    for (columns, fits, left_out) in [
        (120, 120, None),
        (80, 80, Some("Hidden to fit 80 columns: Name")),
        // Narrower, Free and Locked give way and the name comes back,
        // shortened.
        (60, 60, Some("Hidden to fit 60 columns: Free, Locked")),
        // A terminal that reports no size counts as 80 columns.
        (0, 80, Some("Hidden to fit 80 columns: Name")),
    ] {
        let shown = valued_on_terminal(&api, columns, &[]);
        for line in shown.lines() {
            assert!(
                line.chars().count() <= fits,
                "{columns}: a line of {} columns:\n{shown}",
                line.chars().count()
            );
        }
        for number in [
            "1356172.50",
            "1754.63",
            "0.68",
            "2712345",
            "Total: 1359270.81 TRY",
        ] {
            assert!(shown.contains(number), "{columns}: {number} cut:\n{shown}");
        }
        match left_out {
            Some(note) => assert!(
                shown.contains(&format!("{note} (-o csv shows all)\n")),
                "{columns}:\n{shown:?}"
            ),
            None => assert!(
                shown.contains("│ Türk Lirası │") || shown.contains(" Türk Lirası "),
                "{shown}"
            ),
        }
    }
    // COLUMNS is honoured, as ls and shells read it.
    let narrow = valued_on_terminal(&api, 200, &[("COLUMNS", "60")]);
    assert!(narrow.contains("Hidden to fit 60 columns"), "{narrow}");
    assert!(narrow.contains("┆ Türk L… ┆"), "{narrow}");
}

#[test]
fn shown_values_that_do_not_add_up_to_the_shown_total_are_said_to() {
    // Three values of 0.005 TRY: each shown as 0.00 (half to even), the
    // total 0.015 as 0.02.
    let api = FakeApi::start(|req: &Request| match req.path.as_str() {
        TICKER => Reply::json(
            200,
            r#"{"success":true,"data":[
                {"numeratorSymbol":"A","denominatorSymbol":"TRY","last":0.005},
                {"numeratorSymbol":"B","denominatorSymbol":"TRY","last":0.005},
                {"numeratorSymbol":"C","denominatorSymbol":"TRY","last":0.005}]}"#,
        ),
        _ => standard(
            req,
            r#"{"success":true,"data":[
                {"asset":"A","balance":"1","free":"1","locked":"0"},
                {"asset":"B","balance":"1","free":"1","locked":"0"},
                {"asset":"C","balance":"1","free":"1","locked":"0"}]}"#,
        ),
    });
    let sandbox = Sandbox::new();
    let table = run(sandbox.cmd(&api).args(["--value-in", "TRY"]));
    table.succeeds();
    assert!(
        table.stdout.ends_with(
            "Total: 0.02 TRY\nRounded one by one, the values shown add up to 0.00 TRY\n"
        ),
        "{}",
        table.stdout
    );
    // JSON and CSV stay exact.
    let json = run(sandbox.cmd(&api).args(["--value-in", "TRY", "-o", "json"]));
    assert!(
        json.stdout.contains(r#""total": "0.015""#),
        "{}",
        json.stdout
    );
}
