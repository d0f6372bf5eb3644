//! Messages in plain words: each names the thing and the fix, with no
//! parser or library jargon.

use crate::ACCOUNT;
use crate::support::{
    BALANCES, FakeApi, KEY, Reply, SECRET, Sandbox, Setup, TICKER, run, standard,
};

/// A server answering the balances path with `reply`, the rest as usual.
fn answering(reply: impl Fn() -> Reply + Send + Sync + 'static) -> FakeApi {
    FakeApi::start(move |req| match req.path.as_str() {
        BALANCES => reply(),
        _ => standard(req, ACCOUNT),
    })
}

#[test]
fn a_maintenance_page_is_called_an_html_page() {
    let api = answering(|| Reply::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body>Down for maintenance</body></html>".to_vec(),
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["--retries", "0"]));
    run.fails(
        76,
        &["the API answered with an HTML page (status 200 OK, text/html), not JSON"],
    );
    assert!(!run.stderr.contains("line 1 column"), "{}", run.stderr);
}

#[test]
fn an_error_body_is_described_in_words() {
    let api = answering(|| Reply::json(500, "oops"));
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["--retries", "0"]));
    run.fails(
        75,
        &["500 Internal Server Error (an application/json body of 4 bytes)"],
    );
    let api = answering(|| Reply::status(429));
    let run = crate::support::run(sandbox.cmd(&api).args(["--retries", "0"]));
    run.fails(75, &["rate limited (no details given)"]);
}

#[test]
fn a_timeout_in_fractions_asks_for_whole_seconds() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.bare().args(["--timeout", "0.5"]));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("give whole seconds, 1 to 3600"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("invalid digit"), "{}", run.stderr);
}

#[test]
fn a_host_that_does_not_resolve_is_named() {
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", KEY)
        .env("BTCTURK_API_SECRET", SECRET)
        .args([
            "--base-url",
            "https://no-such-host.invalid",
            "--timeout",
            "5",
        ]));
    run.fails(69, &["cannot resolve no-such-host.invalid"]);
    assert!(!run.stderr.contains("io:"), "{}", run.stderr);
}

#[test]
fn an_unwritable_out_names_the_file_not_a_temporary_one() {
    let t = Setup::serving(ACCOUNT);
    let run = run(t.cmd().args(["--out", "/nonexistent-dir/balances.csv"]));
    run.fails(
        74,
        &["cannot write /nonexistent-dir/balances.csv: the directory /nonexistent-dir does not exist"],
    );
    assert!(!run.stderr.contains(".btcturk-bal-"), "{}", run.stderr);
}

#[test]
fn a_base_url_with_a_path_is_told_to_be_the_host_only() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let base = format!("{}/api/v1", api.url());
    let run = run(sandbox.cmd(&api).env("BTCTURK_BASE_URL", &base));
    run.fails(
        78,
        &["env BTCTURK_BASE_URL is not usable: it has a path after the host"],
    );
    assert!(
        run.hint().starts_with("give the scheme and host only"),
        "{}",
        run.stderr
    );
    assert!(api.requests().is_empty(), "refused before any request");
}

#[test]
fn an_empty_asset_code_is_a_usage_error() {
    let sandbox = Sandbox::new();
    for args in [&["-a", ""][..], &["-a", "btc,"]] {
        let run = run(sandbox.bare().args(args));
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("an asset code cannot be empty"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn missing_keys_point_to_config_init_and_name_an_empty_variable() {
    let sandbox = Sandbox::new();
    let none = run(&mut sandbox.bare());
    none.fails(78, &["no API key configured"]);
    assert!(
        none.hint().contains("btcturk-bal config init"),
        "{}",
        none.stderr
    );
    let empty = run(sandbox.bare().env("BTCTURK_API_KEY", ""));
    empty.fails(
        78,
        &["no API key configured (BTCTURK_API_KEY is set but empty)"],
    );
}

#[test]
fn an_unknown_profile_from_the_environment_names_the_variable() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.bare().env("BTCTURK_PROFILE", "wrok"));
    run.fails(
        78,
        &["no profile \"wrok\" in the config file (from BTCTURK_PROFILE)"],
    );
}

#[test]
fn keys_on_the_command_line_point_to_the_environment() {
    let sandbox = Sandbox::new();
    for args in [&["--api-key", "pub-1234"][..], &["--api-secret=hunter2"]] {
        let run = run(sandbox.bare().args(args));
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("set BTCTURK_API_KEY and BTCTURK_API_SECRET"),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("hunter2") && !run.stderr.contains("pub-1234"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn csv_only_flags_without_csv_are_usage_errors() {
    let sandbox = Sandbox::new();
    for (flag, args) in [
        ("--no-header", &["--no-header"][..]),
        ("--delimiter", &["--delimiter", ";"]),
        ("--csv-locale", &["--csv-locale", "tr"]),
    ] {
        for output in ["table", "json"] {
            let run = run(sandbox.bare().args(["-o", output]).args(args));
            assert_eq!(run.code, 2, "{flag} -o {output}: {}", run.stderr);
            assert!(
                run.stderr
                    .contains(&format!("{flag} applies only to CSV output (-o csv)")),
                "{}",
                run.stderr
            );
        }
    }
}

#[test]
fn verbose_response_lines_name_their_request() {
    let api = FakeApi::start(|req| match req.path.as_str() {
        TICKER => Reply::json(200, r#"{"success":true,"data":[]}"#),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .args(["-v", "--value-in", "TRY", "-o", "json"]));
    run.succeeds();
    for path in [BALANCES, TICKER] {
        let answered = run.stderr.lines().any(|l| {
            l.starts_with("btcturk-bal: < 200 OK")
                && l.ends_with(&format!("for GET {}{path}", api.url()))
        });
        assert!(answered, "no response line for {path}:\n{}", run.stderr);
    }
}

#[test]
fn hints_work_the_first_time() {
    use crate::support::{FakeApi, KEY, SECRET, set_mode};
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    // A config file that exists: add the key to it, not `config init`.
    let path = sandbox.write_config(&sandbox.default_config(), "timeout_secs = 5\n");
    let missing = run(&mut sandbox.bare());
    missing.fails(78, &["no API key configured"]);
    assert_eq!(
        missing.hint(),
        format!("set BTCTURK_API_KEY, or add api_key to {}", path.display())
    );
    // Group-writable and holding the secret: the one chmod that fixes both.
    sandbox.write_config(
        &path,
        &format!(
            "api_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\nbase_url = \"{}\"\n",
            api.url()
        ),
    );
    set_mode(&path, 0o664);
    let loose = run(&mut sandbox.bare());
    loose.fails(78, &["writable by group or others"]);
    assert!(
        loose
            .hint()
            .starts_with(&format!("run: chmod 600 {}", path.display()))
    );
    set_mode(&path, 0o600);
    run(&mut sandbox.bare()).succeeds();
    // A missing directory for --append or --out is named, with mkdir -p.
    let dir = sandbox.home.path().join("no/such");
    for flag in ["--append", "--out"] {
        let out = run(sandbox
            .bare()
            .args(["-o", "csv", flag])
            .arg(dir.join("b.csv")));
        out.fails(
            74,
            &[&format!("the directory {} does not exist", dir.display())],
        );
        assert_eq!(out.hint(), format!("create it: mkdir -p {}", dir.display()));
    }
}
