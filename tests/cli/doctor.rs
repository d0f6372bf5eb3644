//! `btcturk-bal doctor`: a line per check, the first failure's exit code,
//! never the secret.

use crate::ACCOUNT;
use crate::support::{
    FakeApi, Reply, Request, SECRET, Sandbox, TICKER, WRONG_SECRET, run, standard,
};

fn api_with_clock(offset_ms: i64) -> FakeApi {
    FakeApi::with_clock_offset(offset_ms, |req: &Request| match req.path.as_str() {
        TICKER => Reply::json(
            200,
            r#"{"success":true,"data":[{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":3}]}"#,
        ),
        _ => standard(req, ACCOUNT),
    })
}

/// The line of `check`.
fn line<'a>(stdout: &'a str, check: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| {
            l.split_once(' ')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with(&format!("{check}:")))
        })
        .unwrap_or_else(|| panic!("no {check} line in:\n{stdout}"))
}

#[test]
fn all_well_is_a_line_of_ok_per_check() {
    let api = api_with_clock(0);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).arg("doctor"));
    run.succeeds();
    for check in [
        "config file",
        "key pair",
        "network",
        "clock",
        "signed request",
        "ticker",
    ] {
        let found = run
            .stdout
            .lines()
            .find(|l| l.contains(&format!(" {check}: ")))
            .unwrap_or_else(|| panic!("no {check} in:\n{}", run.stdout));
        assert!(found.starts_with("ok "), "{found}");
    }
    assert!(
        run.stdout
            .contains("api_secret [redacted] from env BTCTURK_API_SECRET")
    );
    assert!(
        line(&run.stdout, "signed request").contains("accepted (4 assets)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
}

#[test]
fn a_wrong_secret_is_exit_77_naming_the_secret() {
    let api = api_with_clock(0);
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .env("BTCTURK_API_SECRET", WRONG_SECRET)
        .arg("doctor"));
    assert_eq!(run.code, 77, "{}\n{}", run.stdout, run.stderr);
    let signed = line(&run.stdout, "signed request");
    assert!(
        signed.starts_with("FAILED") && signed.contains("authentication rejected"),
        "{signed}"
    );
    assert!(
        run.stdout
            .contains("fix: check: the key and secret belong together"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("sent: api_key 5f8c… from env BTCTURK_API_KEY; api_secret [redacted] from env BTCTURK_API_SECRET"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run.stdout, "clock").starts_with("ok"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(WRONG_SECRET) && !run.stderr.contains(WRONG_SECRET));
}

#[test]
fn a_clock_20_s_off_is_named_with_its_offset() {
    let api = api_with_clock(20_000);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).arg("doctor"));
    assert_eq!(run.code, 77, "{}\n{}", run.stdout, run.stderr);
    let clock = line(&run.stdout, "clock");
    assert!(clock.starts_with("PROBLEM"), "{clock}");
    crate::support::names_skew_near(clock, 20_000);
    assert!(
        run.stdout.contains("fix: sync it (timedatectl"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run.stdout, "signed request").contains("accepted with the API's clock"),
        "{}",
        run.stdout
    );
    // Each finding once: no run warning of the skew above the report.
    assert_eq!(run.stderr, "");
}

#[test]
fn no_keys_is_exit_78_and_the_network_is_not_tried() {
    let api = api_with_clock(0);
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_BASE_URL", api.url())
        .arg("doctor"));
    assert_eq!(run.code, 78, "{}", run.stdout);
    assert!(
        line(&run.stdout, "key pair").starts_with("FAILED"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("skipped  network"), "{}", run.stdout);
    assert_eq!(api.requests().len(), 0);
}

#[test]
fn a_ticker_pair_past_the_bound_is_named_and_passes() {
    let api = FakeApi::with_clock_offset(0, |req: &Request| match req.path.as_str() {
        TICKER => Reply::json(
            200,
            r#"{"success":true,"data":[{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":3},{"numeratorSymbol":"USDT","denominatorSymbol":"TRY","last":1e40}]}"#,
        ),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).arg("doctor"));
    run.succeeds();
    assert_eq!(
        line(&run.stdout, "ticker")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        "ok ticker: 1 asset priced (for --value-in); pricing nothing, their last price past what a .NET decimal holds: USDT/TRY"
    );
}
