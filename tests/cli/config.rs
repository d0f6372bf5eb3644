//! Keys and settings from the environment and the config file, and the
//! configuration errors (exit 78).

use crate::ACCOUNT;
use crate::support::{BALANCES, FakeApi, KEY, SECRET, Sandbox, run, set_mode};

fn config_text(api: &FakeApi, secret: &str) -> String {
    format!(
        "# test account\napi_key = \"{KEY}\"\napi_secret = \"{secret}\"\nbase_url = \"{}\"\ntimeout_secs = 5\n",
        api.url()
    )
}

#[test]
fn keys_from_the_default_config_file() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    sandbox.write_config(&sandbox.default_config(), &config_text(&api, SECRET));
    let run = run(sandbox
        .bare()
        .args(["-o", "csv", "-a", "BTC", "--no-header"]));
    run.succeeds();
    assert!(
        run.stdout.contains(",BTC,Bitcoin,9.7502186644553258,"),
        "{}",
        run.stdout
    );
    assert_eq!(api.hits(BALANCES), 1);
}

#[test]
fn config_flag_and_env_name_the_file() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.home.path().join("elsewhere.toml"),
        &config_text(&api, SECRET),
    );
    run(sandbox.bare().arg("--config").arg(&path)).succeeds();
    run(sandbox.bare().env("BTCTURK_BAL_CONFIG", &path)).succeeds();
    assert_eq!(api.hits(BALANCES), 2);
}

#[test]
fn environment_overrides_the_file_key_by_key() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    // The file's secret is wrong; the environment's right one must win.
    sandbox.write_config(
        &sandbox.default_config(),
        &config_text(&api, "d3Jvbmcgc2VjcmV0IGZvciB0aGUgdGVzdHM="),
    );
    run(sandbox.bare().env("BTCTURK_API_SECRET", SECRET)).succeeds();
    // And the file's wrong secret alone is refused by the server.
    run(&mut sandbox.bare()).fails(77, &["authentication rejected"]);
}

#[test]
fn base_url_flag_beats_env_beats_file() {
    let good = FakeApi::serving(ACCOUNT);
    let other = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    sandbox.write_config(&sandbox.default_config(), &config_text(&other, SECRET));
    run(sandbox.bare().env("BTCTURK_BASE_URL", good.url())).succeeds();
    run(sandbox
        .bare()
        .env("BTCTURK_BASE_URL", other.url())
        .args(["--base-url", &good.url()]))
    .succeeds();
    assert_eq!((good.hits(BALANCES), other.hits(BALANCES)), (2, 0));
}

#[test]
fn missing_named_config_file_is_an_error() {
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", KEY)
        .env("BTCTURK_API_SECRET", SECRET)
        .args(["--config", "/nonexistent/btcturk.toml"]));
    run.fails(
        78,
        &["config file /nonexistent/btcturk.toml (named by flag --config) does not exist"],
    );
    assert_eq!(
        run.hint(),
        "fix the path, or write a template there: btcturk-bal config init --config /nonexistent/btcturk.toml"
    );
    let from_env = crate::support::run(
        sandbox
            .bare()
            .env("BTCTURK_API_KEY", KEY)
            .env("BTCTURK_API_SECRET", SECRET)
            .env("BTCTURK_BAL_CONFIG", "/nonexistent/b.toml"),
    );
    from_env.fails(
        78,
        &["config file /nonexistent/b.toml (named by env BTCTURK_BAL_CONFIG) does not exist"],
    );
}

#[test]
fn a_key_set_twice_is_named_with_both_lines() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.default_config(),
        "api_key = \"s3cr3t-one\"\n\n[profiles.w]\napi_key = \"a\"\napi_key = \"s3cr3t-two\"\n",
    );
    let out = run(&mut sandbox.bare());
    out.fails(
        78,
        &[&format!(
            "invalid config file {}: `api_key` is set twice, on lines 4 and 5",
            path.display()
        )],
    );
    assert!(!out.stderr.contains("s3cr3t"), "{}", out.stderr);
}

#[test]
fn config_show_lists_history_file_with_where_it_came_from() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.default_config(),
        "api_key = \"k\"\nhistory_file = \"~/all.csv\"\n[profiles.w]\nhistory_file = \"/srv/w.csv\"\n[profiles.x]\n",
    );
    let show = |profile: &str| {
        let out = run(sandbox.bare().args(["-p", profile, "config", "show"]));
        out.succeeds();
        out.stdout
            .lines()
            .find(|l| l.starts_with("history_file"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let file = path.display();
    assert_eq!(
        show("default"),
        format!("history_file ~/all.csv (history_file on line 2 of {file})")
    );
    assert_eq!(
        show("w"),
        format!("history_file /srv/w.csv (profiles.w.history_file on line 4 of {file})")
    );
    // A profile without one has the top level's.
    assert_eq!(
        show("x"),
        format!("history_file ~/all.csv (history_file on line 2 of {file})")
    );
}

#[test]
fn missing_keys_say_where_to_put_them() {
    let sandbox = Sandbox::new();
    let no_key = run(&mut sandbox.bare());
    no_key.fails(78, &["no API key configured"]);
    assert!(
        no_key.hint().contains("BTCTURK_API_KEY"),
        "{}",
        no_key.stderr
    );
    assert!(
        no_key.hint().contains("config/btcturk-bal/config.toml"),
        "{}",
        no_key.stderr
    );
    let no_secret = run(sandbox.bare().env("BTCTURK_API_KEY", KEY));
    no_secret.fails(78, &["no API secret configured"]);
    assert!(
        no_secret.hint().contains("BTCTURK_API_SECRET"),
        "{}",
        no_secret.stderr
    );
}

#[test]
fn secret_that_is_not_base64_is_a_config_error() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .cmd(&api)
        .env("BTCTURK_API_SECRET", "not*base64*at*all"));
    run.fails(78, &["BTCTURK_API_SECRET", "not valid base64"]);
    assert!(!run.stderr.contains("not*base64"), "{}", run.stderr);
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn invalid_config_file_names_file_and_line_but_not_the_secret() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.default_config(),
        "api_key = \"k\"\napi_secret = c2VjcmV0LXZhbHVl\n",
    );
    let run = run(&mut sandbox.bare());
    run.fails(
        78,
        &["invalid config file", &path.display().to_string(), "line 2"],
    );
    assert!(!run.stderr.contains("c2VjcmV0LXZhbHVl"), "{}", run.stderr);
}

#[test]
fn a_value_of_the_wrong_type_names_its_key_and_line_not_the_value() {
    // A secret pasted under the wrong key: toml's own message quotes it.
    let sandbox = Sandbox::new();
    sandbox.write_config(
        &sandbox.default_config(),
        "api_key = \"k\"\n\ntimeout_secs = \"c2VjcmV0LXZhbHVl\"\n",
    );
    let run = run(&mut sandbox.bare());
    run.fails(78, &["`timeout_secs` on line 3", "expected a whole number"]);
    assert!(!run.stderr.contains("c2VjcmV0LXZhbHVl"), "{}", run.stderr);
}

#[test]
fn an_api_key_with_control_characters_is_a_config_error() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let run = run(sandbox.cmd(&api).env("BTCTURK_API_KEY", "5f8c\u{7}1e2a"));
    run.fails(78, &["the API key from env BTCTURK_API_KEY", "control"]);
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn unknown_config_key_is_named() {
    let sandbox = Sandbox::new();
    sandbox.write_config(&sandbox.default_config(), "api_kye = \"k\"\n");
    run(&mut sandbox.bare()).fails(78, &["invalid config file", "api_kye"]);
}

#[test]
fn config_holding_the_secret_must_be_private() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(&sandbox.default_config(), &config_text(&api, SECRET));
    set_mode(&path, 0o644);
    let run = run(&mut sandbox.bare());
    run.fails(
        78,
        &[
            "holds api_secret but is readable by group or others",
            "mode 644",
        ],
    );
    assert_eq!(run.hint(), format!("run: chmod 600 {}", path.display()));
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn config_others_may_write_is_refused_whatever_it_holds() {
    // It could name a command to run, or another base_url for the keys.
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.default_config(),
        &format!("base_url = \"{}\"\n", api.url()),
    );
    set_mode(&path, 0o620);
    let run = run(sandbox.cmd(&api).env_remove("BTCTURK_BASE_URL"));
    run.fails(78, &["is writable by group or others", "mode 620"]);
    assert!(
        run.hint()
            .starts_with(&format!("run: chmod 600 {}", path.display())),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("readable"), "{}", run.stderr);
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn config_in_a_directory_others_may_write_is_refused_unless_sticky() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path().join("shared");
    let path = sandbox.write_config(
        &dir.join("config.toml"),
        &format!("base_url = \"{}\"\n", api.url()),
    );
    set_mode(&dir, 0o777);
    let refused = run(sandbox
        .cmd(&api)
        .env_remove("BTCTURK_BASE_URL")
        .arg("--config")
        .arg(&path));
    refused.fails(78, &["which group or others may write", "no sticky bit"]);
    assert!(
        refused
            .hint()
            .starts_with(&format!("run: chmod go-w {}", dir.display())),
        "{}",
        refused.stderr
    );
    // As /tmp: others may write, but not replace what is not theirs.
    set_mode(&dir, 0o1777);
    run(sandbox
        .cmd(&api)
        .env_remove("BTCTURK_BASE_URL")
        .arg("--config")
        .arg(&path))
    .succeeds();
}

#[test]
fn an_example_file_with_an_empty_secret_may_be_readable() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.default_config(),
        &format!(
            "api_key = \"\"\napi_secret = \"\"\nbase_url = \"{}\"\n",
            api.url()
        ),
    );
    set_mode(&path, 0o644);
    run(sandbox.cmd(&api).env_remove("BTCTURK_BASE_URL")).succeeds();
}

#[test]
fn a_config_path_that_is_not_a_small_regular_file_is_refused_at_once() {
    let sandbox = Sandbox::new();
    // /dev/zero would never end; a FIFO would wait for a writer.
    let fifo = sandbox.home.path().join("fifo");
    crate::support::mkfifo(&fifo);
    for path in [std::path::PathBuf::from("/dev/zero"), fifo] {
        let started = std::time::Instant::now();
        run(sandbox.bare().arg("--config").arg(&path)).fails(78, &["not a regular file"]);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
    let big = sandbox.home.path().join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(2 << 20))).expect("big file");
    set_mode(&big, 0o600);
    run(sandbox.bare().arg("--config").arg(&big)).fails(78, &["larger than 1 MiB"]);
}

#[test]
fn config_without_the_secret_may_be_world_readable() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.default_config(),
        &format!("base_url = \"{}\"\n", api.url()),
    );
    set_mode(&path, 0o644);
    run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", KEY)
        .env("BTCTURK_API_SECRET", SECRET))
    .succeeds();
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_connecting() {
    let sandbox = Sandbox::new();
    let run = run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", KEY)
        .env("BTCTURK_API_SECRET", SECRET)
        .env("BTCTURK_BASE_URL", "http://api.btcturk.example"));
    run.fails(
        78,
        &[
            "the base URL from env BTCTURK_BASE_URL is not usable",
            "plain http",
        ],
    );
}
