//! Input from the user, a file or the server that once crashed the tool
//! or leaked what it should not: each is an exit code and words now, never
//! a panic (exit 134, a core file) and never a secret on the screen.

use crate::support::{
    BALANCES, FakeApi, Reply, SERVER_TIME, Sandbox, Setup, TICKER, run, standard,
};

/// A dump of one run, as `-o csv --value-in TRY` writes it.
const DUMP: &str = "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,price_try,value_try\n\
2026-11-24T03:00:00Z,TRY,Türk Lirası,10,10,0,0,0,2,1,10\n";

fn dump(sandbox: &Sandbox, text: &str) -> String {
    let file = sandbox.home.path().join("dump.csv");
    std::fs::write(&file, text).expect("write dump");
    file.display().to_string()
}

/// A usage error: exit 2, clap's `error:` line holding `words`, nothing
/// on stdout, and no panic's words.
fn usage_error(run: &crate::support::Run, words: &str) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains(words),
        "{words:?} not in {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn times_and_spans_beyond_reach_are_usage_errors() {
    let sandbox = Sandbox::new();
    let file = dump(&sandbox, DUMP);
    let history = |flag: &str, value: &str| {
        run(sandbox
            .bare()
            .args(["history", &file])
            .arg(format!("{flag}={value}")))
    };
    usage_error(&history("--since", "é"), "\"é\" is not a time");
    usage_error(
        &history("--since", "3é"),
        "a span is a number and m, h, d or w",
    );
    for span in ["5000000d", "9223372036854775807m"] {
        usage_error(
            &history("--since", span),
            "a span reaches back at most 36525d",
        );
    }
    usage_error(&history("--until", "-5000000d"), "cannot be negative");
    usage_error(
        &history("--until", "9999-12-30"),
        "\"9999-12-30\" is beyond the times btcturk-bal can handle",
    );
    // The longest span there is still reads every snapshot.
    let all = history("--since", "36525d");
    all.succeeds();
    assert!(
        all.stdout.contains("2026-11-24T03:00:00Z"),
        "{}",
        all.stdout
    );
}

#[test]
fn a_huge_retry_after_gives_up_in_words() {
    for wait in ["18446744073709551615", "99999999999999999999999999"] {
        let api = FakeApi::start(move |req| match req.path.as_str() {
            BALANCES => Reply::json(429, r#"{"message":"TOO_MANY_REQUESTS","success":false}"#)
                .with_header("Retry-After", wait),
            _ => standard(req, "{}"),
        });
        let sandbox = Sandbox::new();
        let run = run(&mut sandbox.cmd(&api));
        run.fails(75, &["rate limited"]);
        assert_eq!(
            run.hint(),
            "the API asks for a pause of 18446744073709551615 s, past any date; try again later"
        );
        assert_eq!(
            api.hits(BALANCES),
            1,
            "no retry for a wait beyond --max-wait"
        );
    }
}

#[test]
fn a_server_time_that_is_no_time_is_a_malformed_answer_not_a_correction() {
    for time in ["-9223372036854775808", "-1", "253402300800000", "\"soon\""] {
        let api = FakeApi::start(move |req| match req.path.as_str() {
            BALANCES => Reply::unauthorized(),
            SERVER_TIME => Reply::json(200, format!(r#"{{"serverTime":{time}}}"#)),
            _ => Reply::status(404),
        });
        let sandbox = Sandbox::new();
        let run = run(&mut sandbox.cmd(&api));
        // Malformed, naming the refusal it was asked after.
        run.fails(
            76,
            &[
                "the server time answer's serverTime",
                "is not a time in milliseconds since 1970",
                "(asked after the API refused the key: 401)",
            ],
        );
        assert_eq!(api.hits(BALANCES), 1, "no request signed with that time");
        // doctor says the same, without a parser's words.
        let doctor = crate::support::run(sandbox.cmd(&api).arg("doctor"));
        assert_eq!(doctor.code, 76, "{}", doctor.stdout);
        assert!(
            doctor
                .stdout
                .contains("FAILED   network: unexpected response from the API: the server time answer's serverTime"),
            "{}",
            doctor.stdout
        );
    }
}

#[test]
fn doctor_names_an_html_server_time_page_in_words() {
    let api = FakeApi::start(|req| match req.path.as_str() {
        SERVER_TIME => Reply::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: b"<html><body>Maintenance</body></html>".to_vec(),
        },
        _ => standard(req, crate::ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let doctor = run(sandbox.cmd(&api).arg("doctor"));
    assert_eq!(doctor.code, 76, "{}", doctor.stdout);
    assert!(
        doctor.stdout.contains(
            "the server time is not {\"serverTime\": ms}: the API answered an HTML page of 37 bytes"
        ),
        "{}",
        doctor.stdout
    );
    assert!(
        !doctor.stdout.contains("line 1 column"),
        "{}",
        doctor.stdout
    );
}

/// An account answer whose one asset has `balance` as given.
fn balance_of(balance: &str) -> String {
    format!(
        r#"{{"success":true,"data":[{{"asset":"BTC","balance":{balance},"free":"1","locked":"0"}}]}}"#
    )
}

#[test]
fn an_amount_no_net_decimal_holds_is_exit_76_and_an_odd_price_prices_nothing() {
    for balance in [
        r#""1e-9223372036854775808""#,
        "0E-9223372036854775808",
        r#""0,00000000000000000000000000001""#,
        "79228162514264337593543950336",
    ] {
        let api = FakeApi::serving(&balance_of(balance));
        let sandbox = Sandbox::new();
        run(&mut sandbox.cmd(&api)).fails(
            76,
            &["asset BTC has a `balance` that is past what a .NET decimal holds (at most 28 decimal places, within ±79,228,162,514,264,337,593,543,950,335)"],
        );
    }
    // A price of a million digits: that pair prices nothing, the run goes on.
    let million = format!("1{}", "0".repeat(1_000_000));
    let ticker = format!(
        r#"{{"data":[{{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":{million}}},{{"numeratorSymbol":"ETH","denominatorSymbol":"TRY","last":2}}]}}"#
    );
    let api = FakeApi::start(move |req| match req.path.as_str() {
        TICKER => Reply::json(200, ticker.clone()),
        _ => standard(
            req,
            r#"{"success":true,"data":[{"asset":"BTC","balance":"1","free":"1","locked":"0"},{"asset":"ETH","balance":"1.5","free":"1.5","locked":"0"}]}"#,
        ),
    });
    let sandbox = Sandbox::new();
    let out = run(sandbox
        .cmd(&api)
        .args(["--value-in", "TRY", "-o", "csv", "-v"]));
    out.succeeds();
    assert!(
        out.stdout.contains(",BTC,,1,1,0,,,,,\n") || out.stdout.contains(",BTC,,1,1,0,,,,,"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(",ETH,,1.5,1.5,0,,,,2,3"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(
            "ticker pair BTC/TRY has a `last` price past what a .NET decimal holds: it prices nothing"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn only_objects_are_assets_or_ticker_records() {
    let api = FakeApi::serving(r#"{"success":true,"data":[["BTC","Bitcoin","1.5","1.5","0"]]}"#);
    let sandbox = Sandbox::new();
    run(&mut sandbox.cmd(&api)).fails(
        76,
        &["`data` is not a list of assets: item 1 is a JSON array"],
    );
    let api = FakeApi::start(|req| match req.path.as_str() {
        TICKER => Reply::json(200, r#"{"data":[["ZZZ","TRY",null,5]]}"#),
        _ => standard(req, &balance_of("\"1\"")),
    });
    run(sandbox.cmd(&api).args(["--value-in", "TRY"])).fails(
        76,
        &["ticker `data` is not a list of pairs: item 1 is a JSON array"],
    );
}

#[test]
fn a_body_with_invalid_utf8_anywhere_is_not_json() {
    let body = |rest: &[u8]| [br#"{"x":""#.as_slice(), b"\xff", br#"","#, rest].concat();
    for (rest, _) in [
        (
            &br#""data":[{"asset":"BTC","balance":"1","free":"1","locked":"0"}]}"#[..],
            "data",
        ),
        (
            &br#""success":true,"message":"Unauthorized - Invalid Nonce","code":1037}"#[..],
            "refusal",
        ),
    ] {
        let body = body(rest);
        let api = FakeApi::start(move |req| match req.path.as_str() {
            BALANCES => Reply::Respond {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.clone(),
            },
            _ => standard(req, "{}"),
        });
        let sandbox = Sandbox::new();
        run(&mut sandbox.cmd(&api)).fails(76, &["not JSON", "it is not UTF-8 text"]);
    }
}

#[test]
fn precision_as_an_escaped_string_is_read_unescaped() {
    let t = Setup::serving(
        r#"{"success":true,"data":[{"asset":"BTC","balance":"1.123456789","free":"1","locked":"0","precision":"\u0034"}]}"#,
    );
    let run = t.run(&["-o", "table"]);
    run.succeeds();
    assert!(run.stdout.contains("1.1235 "), "{}", run.stdout);
}

#[test]
fn a_panic_is_one_line_and_exit_70() {
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_BAL_TEST_PANIC", "1")
        .arg("--version"));
    assert_eq!(run.code, 70, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with("btcturk-bal: error: internal error at src/main.rs:")
            && lines[0].ends_with("this is a bug in btcturk-bal, not a fault of your setup"),
        "{}",
        run.stderr
    );
    assert!(
        lines[1].starts_with("btcturk-bal: hint: please report it"),
        "{}",
        run.stderr
    );
    // The panic's message and backtrace only when asked for.
    assert!(!run.stderr.contains("asked for"), "{}", run.stderr);
    let verbose = crate::support::run(
        sandbox
            .bare()
            .env("BTCTURK_BAL_TEST_PANIC", "1")
            .env("RUST_BACKTRACE", "1")
            .arg("--version"),
    );
    assert_eq!(verbose.code, 70);
    assert!(
        verbose.stderr.contains("a panic the tests asked for"),
        "{}",
        verbose.stderr
    );
    assert!(
        verbose.stderr.contains("stack backtrace"),
        "{}",
        verbose.stderr
    );
}

/// `run`, `doctor` and `config show` with the config file `text`: what
/// each printed, stdout and stderr together, and the exit codes.
fn every_view_of(sandbox: &Sandbox, text: &str) -> (String, Vec<i32>) {
    let path = sandbox.default_config();
    sandbox.write_config(&path, text);
    let mut seen = String::new();
    let mut codes = Vec::new();
    for args in [&[][..], &["doctor"], &["config", "show"]] {
        let run = run(sandbox.bare().args(args));
        seen += &run.stdout;
        seen += &run.stderr;
        codes.push(run.code);
    }
    (seen, codes)
}

#[test]
fn a_base_url_that_is_not_one_is_described_not_echoed() {
    let sandbox = Sandbox::new();
    let (seen, codes) = every_view_of(
        &sandbox,
        &format!(
            "api_key = \"{}\"\napi_secret = \"{}\"\nbase_url = \"sk_live_pasted_secret_0123\"\n",
            crate::support::KEY,
            crate::support::SECRET
        ),
    );
    assert_eq!(codes, [78, 78, 0], "{seen}");
    let path = sandbox.default_config().display().to_string();
    assert!(
        seen.contains(&format!(
            "the base URL from base_url on line 3 of {path} is not usable: it has no scheme (it begins \"sk_l…\")"
        )),
        "{seen}"
    );
    assert!(
        seen.contains("base_url      \"sk_l…\" (not usable: it has no scheme)"),
        "{seen}"
    );
    assert!(!seen.contains("pasted_secret"), "{seen}");
}

#[test]
fn a_base_url_with_user_info_is_refused_without_its_password() {
    let api = FakeApi::serving(crate::ACCOUNT);
    let sandbox = Sandbox::new();
    let url = api.url().replace("http://", "http://me:hunter2pass@");
    let (seen, codes) = every_view_of(
        &sandbox,
        &format!(
            "api_key = \"{}\"\napi_secret = \"{}\"\nbase_url = \"{url}\"\n",
            crate::support::KEY,
            crate::support::SECRET
        ),
    );
    assert_eq!(codes, [78, 78, 0], "{seen}");
    assert!(
        seen.contains("it has user info (a name or password before @)"),
        "{seen}"
    );
    assert!(
        seen.contains("take NAME:PASSWORD@ out of the base URL"),
        "{seen}"
    );
    assert!(
        !seen.contains("loopback"),
        "the hint is about user info: {seen}"
    );
    assert!(!seen.contains("hunter2pass"), "{seen}");
    assert!(api.requests().is_empty());
}

#[test]
fn a_base_url_with_a_query_or_fragment_is_refused_before_any_request() {
    let api = FakeApi::serving(crate::ACCOUNT);
    let sandbox = Sandbox::new();
    for (tail, part) in [
        ("/?x=1", "it has a query (?...)"),
        ("#top", "it has a fragment (#...)"),
        ("/api/v1/", "it has a path after the host"),
    ] {
        let url = format!("{}{tail}", api.url());
        run(sandbox.cmd(&api).env("BTCTURK_BASE_URL", url)).fails(78, &[part]);
    }
    assert!(api.requests().is_empty());
}

#[test]
fn a_blank_key_or_secret_is_refused_before_any_request() {
    let api = FakeApi::serving(crate::ACCOUNT);
    let sandbox = Sandbox::new();
    run(sandbox.cmd(&api).env("BTCTURK_API_KEY", " \t")).fails(
        78,
        &["no API key configured (BTCTURK_API_KEY is set but empty)"],
    );
    run(sandbox.cmd(&api).env("BTCTURK_API_SECRET", "  ")).fails(
        78,
        &["no API secret configured (BTCTURK_API_SECRET is set but empty)"],
    );
    assert!(api.requests().is_empty());
}

#[test]
fn config_init_takes_a_relative_path() {
    let sandbox = Sandbox::new();
    let home = sandbox.home.path();
    run(sandbox
        .bare()
        .current_dir(home)
        .args(["--config", "rel.toml", "config", "init"]))
    .succeeds();
    assert!(home.join("rel.toml").is_file());
    run(sandbox
        .bare()
        .current_dir(home)
        .env("BTCTURK_BAL_CONFIG", "dir/c.toml")
        .args(["config", "init"]))
    .succeeds();
    assert!(home.join("dir/c.toml").is_file());
}

#[test]
fn profile_names_from_the_file_reach_the_terminal_escaped() {
    let api = FakeApi::serving(crate::ACCOUNT);
    let sandbox = Sandbox::new();
    sandbox.write_config(
        &sandbox.default_config(),
        "[profiles.\"ev\\u001b]52;c;aGk=\\u0007il\"]\napi_key = \"k\"\n",
    );
    let shown = crate::support::on_terminal(&sandbox, &api, "-p nope; echo exit=$?", &[]);
    assert!(shown.contains("exit=78"), "{shown:?}");
    assert!(
        shown.contains("known profiles: default, ev\\u{1b}]52;c;aGk=\\u{7}il"),
        "{shown:?}"
    );
    // No sequence of the name's own: only the error's colours are raw.
    assert!(
        !shown.contains("\u{1b}]") && !shown.contains('\u{7}'),
        "{shown:?}"
    );
}

#[test]
fn https_to_a_plain_http_server_says_so_in_words() {
    use std::io::{Read, Write};
    // A plain http server answers a TLS handshake as a bad request, as
    // nginx does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("https://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.read(&mut [0; 4096]);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let api = FakeApi::serving(crate::ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).env("BTCTURK_BASE_URL", &url));
    run.fails(
        69,
        &[&format!(
            "{url}/api/v1/users/balances did not answer with TLS"
        )],
    );
    assert!(
        run.hint().contains("the base URL may want http://"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("InvalidContentType"), "{}", run.stderr);
}

#[test]
fn a_dump_that_is_not_utf8_is_bad_data_on_the_right_line() {
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("dump.csv");
    let row = "2026-11-24T03:00:00Z,TRY,T\u{fc}rk Liras\u{131},10,10,0,0,0,2,1,10\n";
    let header = DUMP.lines().next().expect("header");
    for (text, line) in [
        (
            [b"fetched_at,as\xffset\n".as_slice(), row.as_bytes()].concat(),
            1,
        ),
        (
            [
                header.as_bytes(),
                b"\n",
                row.as_bytes(),
                b"2026-11-24T04:00:00Z,TRY,T\xfcrk,1,1,0,0,0,2,1,1\n",
            ]
            .concat(),
            3,
        ),
    ] {
        std::fs::write(&file, text).expect("write");
        let run = run(sandbox.bare().arg("history").arg(&file));
        run.fails(
            65,
            &[&format!(
                "{}, line {line}: it is not UTF-8 text, as every dump btcturk-bal writes is",
                file.display()
            )],
        );
        assert!(!run.stderr.contains("record"), "{}", run.stderr);
    }
}

#[test]
fn a_precision_beyond_28_places_is_a_malformed_answer_and_a_bad_dump_line() {
    for precision in ["29", "70000", "4294967295"] {
        let api = FakeApi::serving(&format!(
            r#"{{"success":true,"data":[{{"asset":"BTC","balance":"1","free":"1","locked":"0","precision":{precision}}}]}}"#
        ));
        let sandbox = Sandbox::new();
        run(&mut sandbox.cmd(&api)).fails(
            76,
            &[&format!(
                "asset BTC has a `precision` that is not a whole number from 0 to 28: {precision}"
            )],
        );
        // A dump holding one (written by hand, or by an earlier version):
        // bad data on its line, in every view, never a chart or table
        // drawn to that many places.
        let file = dump(
            &sandbox,
            &DUMP.replace(",0,0,0,2,1,10\n", &format!(",0,0,0,{precision},1,10\n")),
        );
        for view in [&[][..], &["-a", "TRY"], &["--changes"], &["--at", "0d"]] {
            run(sandbox.bare().arg("history").args(view).arg(&file)).fails(
                65,
                &[&format!(
                    "line 2: precision \"{precision}\" is not a whole number from 0 to 28"
                )],
            );
        }
    }
}

#[test]
fn an_asset_listed_twice_is_a_malformed_answer() {
    for second in ["BTC", "btc"] {
        let api = FakeApi::serving(&format!(
            r#"{{"success":true,"data":[{{"asset":"BTC","balance":"1","free":"1","locked":"0"}},{{"asset":"{second}","balance":"2","free":"2","locked":"0"}}]}}"#
        ));
        let sandbox = Sandbox::new();
        for format in ["table", "csv", "prometheus"] {
            run(sandbox.cmd(&api).args(["-o", format])).fails(
                76,
                &[&format!(
                    "asset {second} is listed twice: as #1 (BTC) and #2"
                )],
            );
        }
    }
}

#[test]
fn an_api_key_longer_than_any_is_refused_before_any_request() {
    let t = Setup::serving(crate::ACCOUNT);
    let long = "k".repeat(100_000);
    run(t.cmd().env("BTCTURK_API_KEY", &long)).fails(
        78,
        &["the API key from env BTCTURK_API_KEY is longer than any API key (BtcTurk's are 36 characters)"],
    );
    assert!(t.api.requests().is_empty());
}
