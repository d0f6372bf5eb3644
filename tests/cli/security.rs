//! Secrets stay secret; output is all or nothing.

use std::io::Read;
use std::process::Stdio;

use crate::ACCOUNT;
use crate::support::{
    BALANCES, FakeApi, KEY, Reply, SECRET, Sandbox, Setup, WRONG_SECRET, run, standard,
};

#[test]
fn verbose_logs_requests_with_the_signature_redacted() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).args(["-v", "-o", "json"]));
    run.succeeds();
    let expected_get = format!(
        "btcturk-bal: > GET {}{BALANCES} (attempt 1 of 3)",
        api.url()
    );
    assert!(run.stderr.contains(&expected_get), "{}", run.stderr);
    assert!(run.stderr.contains("  X-PCK: 5f8c…\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains("  X-Signature: [redacted]\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("btcturk-bal: < 200 OK application/json, "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(KEY), "the full key is shortened");
    let signature = api.requests()[0]
        .header("x-signature")
        .expect("signed")
        .to_owned();
    assert!(!run.stderr.contains(&signature), "{}", run.stderr);
}

/// Every output of failing and verbose runs, searched for the secret in
/// every form it takes: as configured and decoded.
#[test]
fn the_secret_never_appears_in_any_output() {
    let decoded = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, SECRET).expect("base64"),
    )
    .expect("text");
    let api = FakeApi::start(|req| match req.hit {
        0 => Reply::status(500),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let path = sandbox.default_config();
    sandbox.write_config(
        &path,
        &format!("api_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\n"),
    );
    let runs = [
        run(sandbox.cmd(&api).args(["-v", "-o", "json"])),
        run(sandbox
            .cmd(&api)
            .args(["-v", "--base-url", "http://10.1.1.1"])),
        run(sandbox.bare().args(["-v", "--base-url", &api.url()])),
        run(sandbox
            .cmd(&api)
            .args(["-v"])
            .env("BTCTURK_API_SECRET", WRONG_SECRET)),
        run(sandbox
            .cmd(&api)
            .env("BTCTURK_API_SECRET", format!("{SECRET}!"))),
        run(sandbox
            .bare()
            .args(["-v", "--base-url", "http://127.0.0.1:1"])),
    ];
    assert_eq!(
        runs.iter().map(|r| r.code).collect::<Vec<_>>(),
        [0, 78, 0, 77, 78, 69]
    );
    for run in &runs {
        for secret in [SECRET, decoded.as_str()] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{run:?}"
            );
        }
    }
}

/// Runs `-o FORMAT` with a reader that takes `read` bytes and goes away:
/// the exit code and stderr.
fn reader_leaves_after(
    api: &FakeApi,
    sandbox: &Sandbox,
    format: &str,
    read: usize,
) -> (Option<i32>, String) {
    let mut child = sandbox
        .cmd(api)
        .args(["-o", format])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    stdout
        .read_exact(&mut vec![0; read])
        .expect("the output starts");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    (child.wait().expect("wait").code(), stderr)
}

#[test]
fn closed_pipe_ends_quietly() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    // The reader goes away before any output.
    assert_eq!(
        reader_leaves_after(&api, &sandbox, "csv", 0),
        (Some(0), String::new())
    );
}

/// Output larger than the write buffer goes out as it is made; a reader
/// that leaves after the first bytes still ends the run quietly, in every
/// format.
#[test]
fn closed_pipe_mid_output_ends_quietly() {
    let api = FakeApi::serving(&crate::support::large_account(20_000));
    let sandbox = Sandbox::new();
    for format in ["csv", "json", "table"] {
        assert_eq!(
            (format, reader_leaves_after(&api, &sandbox, format, 16)),
            (format, (Some(0), String::new()))
        );
    }
}

#[test]
fn failed_write_mid_output_is_exit_74() {
    let t = Setup::serving(&crate::support::large_account(20_000));
    for format in ["csv", "json", "table"] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let out = t
            .cmd()
            .args(["-o", format])
            .stdout(full)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(74), "{format}: {stderr}");
        assert!(
            stderr.starts_with("btcturk-bal: error: cannot write output: No space left on device"),
            "{format}: {stderr}"
        );
    }
}

#[test]
fn failed_write_is_exit_74() {
    let t = Setup::serving(ACCOUNT);
    let full = std::fs::File::create("/dev/full").expect("/dev/full");
    let out = t.cmd().stdout(full).output().expect("run");
    assert_eq!(out.status.code(), Some(74));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("btcturk-bal: error: cannot write output: "),
        "{stderr}"
    );
}

#[test]
fn untrusted_certificate_is_exit_69_before_any_request() {
    let server = crate::support::TlsServer::start();
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", KEY)
        .env("BTCTURK_API_SECRET", SECRET)
        .env("BTCTURK_BASE_URL", &server.url));
    run.fails(69, &["TLS certificate", "not accepted", "self-signed"]);
    assert_eq!(
        server.requests(),
        0,
        "a request crossed an untrusted connection"
    );
}

#[test]
fn a_loopback_request_never_goes_through_a_proxy() {
    // Anything sent here would be a signed request leaving for a proxy.
    let proxy = FakeApi::start(|_| Reply::status(502));
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    for var in [
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "https_proxy",
        "http_proxy",
    ] {
        let run = run(sandbox.cmd(&api).env(var, proxy.url()).args(["-o", "json"]));
        run.succeeds();
    }
    assert_eq!(proxy.requests().len(), 0, "a request went to the proxy");
    assert_eq!(api.hits(BALANCES), 5);
}

#[test]
fn the_system_trust_store_is_used_and_ssl_cert_file_names_another() {
    // A server whose certificate a test authority issued: as behind a
    // company's TLS-inspecting proxy, trusted once that authority is.
    let server = crate::support::TlsServer::with_cert("test-ca-signed", Some(ACCOUNT));
    let sandbox = Sandbox::new();
    let tool = || {
        let mut cmd = sandbox.bare();
        cmd.env("BTCTURK_API_KEY", KEY)
            .env("BTCTURK_API_SECRET", SECRET)
            .env("BTCTURK_BASE_URL", &server.url)
            .args(["-o", "csv", "-a", "btc", "--no-header"]);
        cmd
    };
    let trusted = run(tool().env("SSL_CERT_FILE", crate::support::fixture("test-ca.crt")));
    trusted.succeeds();
    assert!(
        trusted.stdout.contains(",BTC,Bitcoin,"),
        "{}",
        trusted.stdout
    );
    let dir = tempfile::tempdir().expect("dir");
    std::fs::copy(
        crate::support::fixture("test-ca.crt"),
        dir.path().join("test-ca.pem"),
    )
    .expect("copy");
    let by_dir = run(tool().env("SSL_CERT_DIR", dir.path()));
    by_dir.succeeds();
    // Without it, the authority is unknown: certificates are always checked.
    run(&mut tool()).fails(69, &["TLS certificate", "not accepted", "self-signed?"]);
}

#[test]
fn a_rejected_certificate_is_named_in_words() {
    // The authority's own certificate served as the server's.
    let server = crate::support::TlsServer::with_cert("test-ca", Some(ACCOUNT));
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", KEY)
        .env("BTCTURK_API_SECRET", SECRET)
        .env("BTCTURK_BASE_URL", &server.url)
        .env("SSL_CERT_FILE", crate::support::fixture("test-ca.crt")));
    run.fails(
        69,
        &["the server presents a certificate authority's own certificate as its certificate"],
    );
    assert!(!run.stderr.contains("Other"), "{}", run.stderr);
    assert_eq!(server.requests(), 0);
}
