//! Faults of the network and the server: retries, rate limits, clock skew,
//! malformed answers. Each asserts the exit code, the message and that
//! stdout stays empty.

use std::time::Duration;

use crate::ACCOUNT;
use crate::support::{
    BALANCES, FakeApi, Reply, SERVER_TIME, Sandbox, Setup, WRONG_SECRET, run, standard,
};

const ONE_ASSET: &str = r#"{"success":true,"code":0,"message":null,"data":[
    {"asset":"BTC","assetname":"Bitcoin","balance":"1.5","free":"1.5","locked":"0","precision":8}]}"#;

/// A server that answers the balances path with `script(hit)` for the
/// first hits and like the real API after.
fn scripted(script: impl Fn(usize) -> Option<Reply> + Send + Sync + 'static) -> FakeApi {
    FakeApi::start(move |req| match req.path.as_str() {
        BALANCES => script(req.hit).unwrap_or_else(|| standard(req, ONE_ASSET)),
        _ => standard(req, ONE_ASSET),
    })
}

const RATE_LIMITED: &str = r#"{"message":"TOO_MANY_REQUESTS","success":false,"code":429,"details":"Quota exceeded. Maximum allowed: 120 per 1m.","limit":"120","period":"1m","policy":"ip"}"#;

#[test]
fn rate_limit_then_server_error_then_success() {
    let api = scripted(|hit| match hit {
        0 => Some(Reply::json(429, RATE_LIMITED).with_header("Retry-After", "1")),
        1 => Some(Reply::status(503)),
        _ => None,
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["-o", "csv", "--no-header"]));
    run.succeeds();
    assert!(run.stdout.contains(",BTC,Bitcoin,1.5,"), "{}", run.stdout);
    assert!(
        run.stderr.contains("rate limited (Quota exceeded. Maximum allowed: 120 per 1m.); retrying in 1.0 s (attempt 2 of 3)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the API answered 503 Service Unavailable (no details given); retrying in"),
        "{}",
        run.stderr
    );
    // Every attempt freshly stamped and signed: the server accepted the
    // last, and no two carried the same stamp.
    let stamps: Vec<_> = api
        .requests()
        .iter()
        .filter(|r| r.path == BALANCES)
        .map(|r| r.header("x-stamp").expect("stamp").to_owned())
        .collect();
    assert_eq!(stamps.len(), 3);
    assert!(stamps[0] < stamps[1] && stamps[1] < stamps[2], "{stamps:?}");
}

#[test]
fn retry_after_beyond_max_wait_stops_at_once() {
    let api = scripted(|_| Some(Reply::json(429, RATE_LIMITED).with_header("Retry-After", "49")));
    let sandbox = Sandbox::new();
    let run = run(&mut sandbox.cmd(&api));
    run.fails(
        75,
        &[
            "rate limited",
            "Quota exceeded. Maximum allowed: 120 per 1m.",
        ],
    );
    assert!(
        run.hint().starts_with("try again after 20"),
        "{}",
        run.stderr
    );
    assert!(run.hint().ends_with("(49 s from now)"), "{}", run.stderr);
    assert_eq!(api.hits(BALANCES), 1);
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    // RFC 9110 allows a date, which proxies and CDNs may send: 49 s ahead.
    let api = scripted(|_| {
        let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(49);
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&at)
            .expect("printable");
        Some(Reply::json(429, RATE_LIMITED).with_header("Retry-After", &date))
    });
    let sandbox = Sandbox::new();
    let run = run(&mut sandbox.cmd(&api));
    run.fails(75, &["rate limited"]);
    assert!(
        run.hint().starts_with("try again after 20"),
        "{}",
        run.stderr
    );
    assert!(run.hint().ends_with(" s from now)"), "{}", run.stderr);
    assert_eq!(
        api.hits(BALANCES),
        1,
        "a wait beyond --max-wait stops at once"
    );
}

#[test]
fn server_errors_exhaust_the_retries() {
    let api = scripted(|_| {
        Some(Reply::Respond {
            status: 502,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: b"<html><body>Bad gateway</body></html>".to_vec(),
        })
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .args(["--retries", "1", "--max-wait", "0"]));
    run.fails(
        75,
        &["the API answered 502 Bad Gateway (an HTML page of 37 bytes)"],
    );
    assert!(!run.stderr.contains("<html>"), "{}", run.stderr);
    assert_eq!(api.hits(BALANCES), 2);
}

#[test]
fn older_rate_limit_shape_without_retry_after() {
    let api = scripted(|_| {
        Some(Reply::json(
            429,
            r#"{"success":false,"message":"Too many requests","code":429}"#,
        ))
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["--retries", "0"]));
    run.fails(75, &["rate limited", "Too many requests"]);
}

#[test]
fn dropped_connection_is_retried() {
    let api = scripted(|hit| (hit == 0).then_some(Reply::Hangup));
    let sandbox = Sandbox::new();
    let run = run(&mut sandbox.cmd(&api));
    run.succeeds();
    assert!(run.stderr.contains("retrying in"), "{}", run.stderr);
    assert_eq!(api.hits(BALANCES), 2);
}

#[test]
fn refused_connection_is_exit_69() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", "k")
        .env("BTCTURK_API_SECRET", "c2VjcmV0")
        .env("BTCTURK_BASE_URL", format!("http://127.0.0.1:{port}"))
        .args(["--retries", "1", "--max-wait", "0"]));
    run.fails(69, &["cannot reach", &format!("127.0.0.1:{port}")]);
    assert!(run.stderr.contains("attempt 2 of 2"), "{}", run.stderr);
}

#[test]
fn slow_server_times_out_with_exit_69() {
    let api = scripted(|_| {
        Some(Reply::Slow(
            Duration::from_secs(4),
            Box::new(Reply::status(200)),
        ))
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .args(["--timeout", "1", "--retries", "1", "--max-wait", "0"]));
    run.fails(69, &["no answer within 1 s"]);
    assert_eq!(api.hits(BALANCES), 2);
}

#[test]
fn unauthorized_gives_exit_77_and_a_checklist() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).env("BTCTURK_API_SECRET", WRONG_SECRET));
    run.fails(77, &["authentication rejected by the API (401)"]);
    let hint = run.hint();
    for item in ["key and secret", "read funds", "IP restriction", "clock"] {
        assert!(hint.contains(item), "{item:?} not in {hint:?}");
    }
    // The clock was checked and is fine, so no second signed request.
    assert_eq!((api.hits(BALANCES), api.hits(SERVER_TIME)), (1, 1));
}

#[test]
fn legacy_unauthorized_json_is_shown() {
    let api = scripted(|_| {
        Some(Reply::json(
            401,
            r#"{"success":true,"message":"Unauthorized - Invalid Nonce","code":1037}"#,
        ))
    });
    let sandbox = Sandbox::new();
    run(&mut sandbox.cmd(&api)).fails(77, &["(401: Unauthorized - Invalid Nonce)"]);
}

#[test]
fn unauthorized_dressed_as_success_is_exit_77() {
    // Status 200, `success: true` and no data, as the API's issue tracker
    // quotes it.
    let api = scripted(|_| {
        Some(Reply::json(
            200,
            r#"{"success":true,"message":"Unauthorized - Invalid Nonce","code":1037}"#,
        ))
    });
    let sandbox = Sandbox::new();
    let run = run(&mut sandbox.cmd(&api));
    run.fails(
        77,
        &["authentication rejected", "Unauthorized - Invalid Nonce"],
    );
    assert!(
        run.hint().starts_with("check: the key and secret"),
        "{}",
        run.stderr
    );
}

#[test]
fn success_without_data_shows_the_message() {
    malformed(
        || Reply::json(200, r#"{"success":true,"message":"Try later","code":7}"#),
        &["the API answered without a `data` list: Try later"],
    );
}

#[test]
fn answer_without_the_envelope_says_so() {
    // Assets without their envelope: the second would have been read as
    // `success` ("invalid type: map, expected a boolean").
    malformed(
        || {
            Reply::json(
                200,
                r#"[{"asset":"BTC","balance":"1","free":"1","locked":"0"},{"asset":"ETH"}]"#,
            )
        },
        &["expected the API's envelope with a `data` list, got a JSON array"],
    );
    malformed(
        || Reply::json(200, r#"{"assets":[]}"#),
        &["expected the API's envelope with a `data` list"],
    );
}

#[test]
fn forbidden_is_exit_77() {
    let api = scripted(|_| Some(Reply::status(403)));
    let sandbox = Sandbox::new();
    run(&mut sandbox.cmd(&api)).fails(77, &["authentication rejected by the API (403)"]);
}

fn skewed(offset_ms: i64) -> FakeApi {
    FakeApi::with_clock_offset(offset_ms, |req| standard(req, ONE_ASSET))
}

#[test]
fn clock_behind_is_corrected_with_a_warning() {
    let api = skewed(20_000);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["-o", "csv"]));
    run.succeeds();
    assert!(run.stdout.contains(",BTC,"), "{}", run.stdout);
    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("btcturk-bal: warning: your clock is "))
        .unwrap_or_else(|| panic!("no warning: {}", run.stderr));
    assert!(
        warning
            .ends_with("; this run corrected for it, but sync the clock (for example enable NTP)"),
        "{warning}"
    );
    crate::support::names_skew_near(warning, 20_000);
    assert_eq!((api.hits(BALANCES), api.hits(SERVER_TIME)), (2, 1));
}

#[test]
fn clock_ahead_is_corrected_too() {
    let api = skewed(-30_000);
    let sandbox = Sandbox::new();
    let run = run(&mut sandbox.cmd(&api));
    run.succeeds();
    assert!(
        run.stderr.contains("s ahead of the API's"),
        "{}",
        run.stderr
    );
}

#[test]
fn skewed_clock_and_wrong_key_name_the_skew_after_two_tries() {
    let api = skewed(20_000);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).env("BTCTURK_API_SECRET", WRONG_SECRET));
    run.fails(77, &["authentication rejected"]);
    assert!(run.hint().contains("s behind the API's"), "{}", run.stderr);
    // Never more than two unauthorized requests in one run.
    assert_eq!(api.hits(BALANCES), 2);
}

fn malformed(reply: impl Fn() -> Reply + Send + Sync + 'static, words: &[&str]) {
    let api = scripted(move |_| Some(reply()));
    let sandbox = Sandbox::new();
    run(&mut sandbox.cmd(&api)).fails(76, words);
    assert_eq!(api.hits(BALANCES), 1, "malformed answers are not retried");
}

#[test]
fn html_page_with_200_is_exit_76() {
    malformed(
        || Reply::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: b"<!DOCTYPE html><html><title>Maintenance</title></html>".to_vec(),
        },
        &["200 OK", "not JSON", "text/html; charset=utf-8"],
    );
}

#[test]
fn success_false_is_exit_76_with_the_message() {
    malformed(
        || {
            Reply::json(
                200,
                r#"{"success":false,"message":"Something broke","code":1,"data":null}"#,
            )
        },
        &["reported failure: Something broke", "[code 1]"],
    );
}

#[test]
fn other_error_shape_shows_code_and_message() {
    malformed(
        || {
            Reply::json(
                400,
                r#"{"error":{"code":"ApiVersionUnspecified","message":"An API version is required, but was not specified.","innerError":null}}"#,
            )
        },
        &["ApiVersionUnspecified: An API version is required, but was not specified."],
    );
}

#[test]
fn missing_field_names_asset_and_field() {
    malformed(
        || {
            Reply::json(
                200,
                r#"{"success":true,"data":[{"asset":"BTC","balance":"1","locked":"0"}]}"#,
            )
        },
        &["asset BTC has no `free`"],
    );
}

#[test]
fn bad_amount_names_asset_field_and_value() {
    malformed(
        || {
            Reply::json(
                200,
                r#"{"success":true,"data":[{"asset":"ETH","balance":"1.2.3","free":"1","locked":"0"}]}"#,
            )
        },
        &["asset ETH", "`balance`", "\"1.2.3\""],
    );
}

#[test]
fn precision_that_is_not_digits_is_exit_76() {
    for precision in ["\"+8\"", "8.0", "-1", "\"\\u0038x\""] {
        malformed(
            move || {
                Reply::json(
                    200,
                    format!(
                        r#"{{"success":true,"data":[{{"asset":"BTC","balance":"1","free":"1","locked":"0","precision":{precision}}}]}}"#
                    ),
                )
            },
            &["asset BTC", "`precision`", "not a whole number", precision],
        );
    }
}

#[test]
fn truncated_body_is_exit_76() {
    malformed(
        || Reply::Truncated {
            declared: 500,
            body: br#"{"success":true,"data":[{"asset":"BTC","#.to_vec(),
        },
        &["cut off"],
    );
}

#[test]
fn truncated_json_is_exit_76() {
    malformed(
        || Reply::json(200, r#"{"success":true,"data":[{"asset":"BTC","#),
        &["truncated"],
    );
}

#[test]
fn redirect_is_not_followed() {
    let elsewhere = FakeApi::serving(ACCOUNT);
    let location = format!("{}{BALANCES}", elsewhere.url());
    let api = scripted(move |_| Some(Reply::status(302).with_header("Location", &location)));
    let sandbox = Sandbox::new();
    let run = run(&mut sandbox.cmd(&api));
    run.fails(76, &["302", &elsewhere.url(), "redirects are not followed"]);
    assert_eq!(
        elsewhere.requests().len(),
        0,
        "signed headers went to the redirect target"
    );
}

#[test]
fn oversized_body_is_refused() {
    malformed(
        || Reply::Huge {
            status: 200,
            size: 65 * 1024 * 1024,
        },
        &["response too large"],
    );
}

#[test]
fn chunked_answer_reads_as_one_with_a_length() {
    // Servers behind a CDN often send JSON chunked, without a length.
    let chunked = scripted(|_| {
        Some(Reply::Chunked {
            reply: Box::new(Reply::json(200, ACCOUNT)),
            chunk: 7,
        })
    });
    let sized = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let table = |api: &FakeApi| run(&mut sandbox.cmd(api));
    let (chunked, sized) = (table(&chunked), table(&sized));
    chunked.succeeds();
    assert!(chunked.stdout.contains("| BTC "), "{}", chunked.stdout);
    assert_eq!(chunked.stdout, sized.stdout);
}

#[test]
fn oversized_chunked_body_is_refused() {
    malformed(
        || Reply::Chunked {
            reply: Box::new(Reply::Huge {
                status: 200,
                size: 65 * 1024 * 1024,
            }),
            chunk: 1 << 20,
        },
        &["response too large"],
    );
}

#[test]
fn oversized_response_head_is_named() {
    malformed(
        || Reply::json(200, ACCOUNT).with_header("X-Padding", &"a".repeat(70 * 1024)),
        &["response headers too large"],
    );
}

#[test]
fn server_error_with_an_oversized_body_is_still_a_server_error() {
    // Only the start of an error answer is read: its size says nothing
    // about the account.
    for (status, words) in [(503, "503 Service Unavailable"), (429, "rate limited")] {
        let api = scripted(move |_| {
            Some(Reply::Huge {
                status,
                size: 65 * 1024 * 1024,
            })
        });
        let sandbox = Sandbox::new();
        let run = run(sandbox.cmd(&api).args(["--retries", "0"]));
        run.fails(75, &[words]);
    }
}

#[test]
fn fifty_thousand_assets_work() {
    let t = Setup::serving(&crate::support::large_account(50_000));
    let run = run(t
        .cmd()
        .args(["-o", "csv", "--no-header", "--sort", "balance"]));
    run.succeeds();
    let lines: Vec<_> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 50_000);
    assert!(
        lines[0]
            .ends_with(",A49999,Asset 49999,49999.0000000000000001,49999.0000000000000001,0,0,0,8"),
        "{}",
        lines[0]
    );
    assert!(
        lines[49_999].ends_with(",A0,Asset 0,0.0000000000000001,0.0000000000000001,0,0,0,8"),
        "{}",
        lines[49_999]
    );
}
