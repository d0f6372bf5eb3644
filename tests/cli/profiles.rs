//! Profiles, the secret command, and the config subcommands.

use serde_json::Value;

use crate::ACCOUNT;
use crate::support::{
    BALANCES, FakeApi, KEY, KEY2, Pty, SECRET, SECRET2, Sandbox, TICKER, run, set_mode, standard,
};

/// A file with the default profile on top and two more accounts: `work`,
/// its key and secret command its own (the URL and timeout inherited), and
/// `broken`, whose secret command fails.
fn profiles_config(api: &FakeApi) -> String {
    format!(
        r#"api_key = "{KEY}"
api_secret = "{SECRET}"
base_url = "{url}"
timeout_secs = 5

[profiles.work]
api_key = "{KEY2}"
api_secret_command = "printf '%s\\n' {SECRET2}"

[profiles.broken]
api_key = "broken-key"
api_secret_command = "echo private-output-of-the-command; exit 3"
"#,
        url = api.url()
    )
}

fn sandbox_with_profiles(api: &FakeApi) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_config(&sandbox.default_config(), &profiles_config(api));
    sandbox
}

#[test]
fn profile_inherits_url_and_timeout_and_takes_secret_from_command() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = sandbox_with_profiles(&api);
    let by_flag = run(sandbox
        .bare()
        .args(["-p", "work", "-o", "csv", "-a", "btc", "--no-header"]));
    by_flag.succeeds();
    assert!(
        by_flag.stdout.contains(",BTC,Bitcoin,"),
        "{}",
        by_flag.stdout
    );
    run(sandbox.bare().env("BTCTURK_PROFILE", "work")).succeeds();
    assert_eq!(api.hits(BALANCES), 2);
    let keys: Vec<_> = api
        .requests()
        .iter()
        .filter_map(|r| r.header("x-pck").map(str::to_owned))
        .collect();
    assert_eq!(keys, [KEY2, KEY2], "the work account's own key");
}

#[test]
fn a_profile_never_takes_the_top_level_keys() {
    // `lazy` sets only a timeout: it names no account, and must not
    // borrow the default one's (--all-profiles would count it twice).
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let config = format!("{}\n[profiles.lazy]\ntimeout_secs = 3\n", profiles_config(&api))
        .replace("[profiles.broken]\napi_key = \"broken-key\"\napi_secret_command = \"echo private-output-of-the-command; exit 3\"\n", "");
    sandbox.write_config(&sandbox.default_config(), &config);
    let lazy = run(sandbox.bare().args(["-p", "lazy"]));
    lazy.fails(78, &["no API key configured"]);
    assert!(
        lazy.hint().contains("add profiles.lazy.api_key to ")
            && lazy
                .hint()
                .contains("a profile does not take the top-level keys"),
        "{}",
        lazy.stderr
    );
    assert_eq!(api.hits(BALANCES), 0);
    let all = run(sandbox
        .bare()
        .args(["--all-profiles", "-o", "csv", "-a", "btc", "--no-header"]));
    all.succeeds();
    let profiles: Vec<_> = all
        .stdout
        .lines()
        .map(|l| l.rsplit(',').next().unwrap_or_default())
        .collect();
    assert_eq!(profiles, ["default", "work"], "{}", all.stdout);
}

#[test]
fn two_profiles_with_one_key_are_refused() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let config = profiles_config(&api).replace(
        &format!("api_key = \"{KEY2}\""),
        &format!("api_key = \"{KEY}\""),
    );
    sandbox.write_config(&sandbox.default_config(), &config);
    run(sandbox.bare().arg("--all-profiles"))
        .fails(78, &["profiles default and work have the same api_key"]);
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn all_profiles_names_the_profile_of_a_failing_secret_command() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = sandbox_with_profiles(&api);
    let path = sandbox.default_config().display().to_string();
    run(sandbox.bare().arg("--all-profiles")).fails(
        78,
        &[&format!(
            "profile broken: profiles.broken.api_secret_command on line 12 of {path} failed: exit status 3"
        )],
    );
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn unknown_profile_lists_the_known_ones() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = sandbox_with_profiles(&api);
    let run = run(sandbox.bare().args(["--profile", "wrok"]));
    run.fails(78, &["no profile \"wrok\""]);
    assert!(
        run.hint().contains("default, broken, work"),
        "{}",
        run.stderr
    );
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn failing_secret_command_is_named_but_its_output_is_not_shown() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = sandbox_with_profiles(&api);
    let run = run(sandbox.bare().args(["-p", "broken"]));
    let path = sandbox.default_config().display().to_string();
    run.fails(
        78,
        &[&format!(
            "profiles.broken.api_secret_command on line 12 of {path} failed: exit status 3"
        )],
    );
    // Neither what it printed nor its own text (a secret pasted under
    // that key would be both run and shown).
    assert!(!run.stderr.contains("private-output"), "{}", run.stderr);
    assert!(!run.stderr.contains("echo"), "{}", run.stderr);
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn all_profiles_label_rows_and_total_each() {
    let api = FakeApi::start(|req| match req.path.as_str() {
        TICKER => crate::support::Reply::json(
            200,
            r#"{"success":true,"data":[{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":100},
                {"numeratorSymbol":"USDT","denominatorSymbol":"TRY","last":30}]}"#,
        ),
        _ => standard(req, ACCOUNT),
    });
    let sandbox = Sandbox::new();
    let mut config = profiles_config(&api);
    config = config.replace(
        "[profiles.broken]\napi_key = \"broken-key\"\napi_secret_command = \"echo private-output-of-the-command; exit 3\"\n",
        "",
    );
    sandbox.write_config(&sandbox.default_config(), &config);

    let json = run(sandbox.bare().args([
        "--all-profiles",
        "-o",
        "json",
        "-a",
        "btc",
        "--value-in",
        "TRY",
    ]));
    json.succeeds();
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    let rows: Vec<_> = doc["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .map(|a| {
            (
                a["profile"].as_str().expect("profile"),
                a["value"].as_str().expect("value"),
            )
        })
        .collect();
    // 9.7502186644553258 BTC × 100 TRY in each profile.
    assert_eq!(
        rows,
        [
            ("default", "975.02186644553258"),
            ("work", "975.02186644553258")
        ]
    );
    assert_eq!(doc["valuation"]["total"], "1950.04373289106516");
    assert_eq!(
        doc["valuation"]["profiles"],
        serde_json::json!([{"profile": "default", "total": "975.02186644553258"},
                           {"profile": "work", "total": "975.02186644553258"}])
    );
    assert_eq!((api.hits(BALANCES), api.hits(TICKER)), (2, 1));

    let csv = run(sandbox
        .bare()
        .args(["--all-profiles", "-o", "csv", "-a", "try"]));
    csv.succeeds();
    let lines: Vec<_> = csv.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,profile"
    );
    assert!(
        lines[1].ends_with(",0,2,default") && lines[2].ends_with(",0,2,work"),
        "{}",
        csv.stdout
    );
}

#[test]
fn all_profiles_fail_together_naming_the_profile() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let config = profiles_config(&api).replace(
        "api_secret_command = \"echo private-output-of-the-command; exit 3\"",
        "api_secret = \"d3Jvbmcgc2VjcmV0IGZvciB0aGUgdGVzdHM=\"",
    );
    sandbox.write_config(&sandbox.default_config(), &config);
    run(sandbox.bare().arg("--all-profiles"))
        .fails(77, &["profile broken: authentication rejected"]);
}

#[test]
fn config_init_writes_a_private_template_once() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    let path = sandbox.default_config();
    let first = run(sandbox.bare().args(["config", "init"]));
    first.succeeds();
    assert_eq!(first.stdout, "");
    assert!(
        first.stderr.contains(&path.display().to_string()),
        "{}",
        first.stderr
    );
    let mode = std::fs::metadata(&path)
        .expect("written")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains("api_key = \"\"") && text.contains("[profiles.work]"),
        "{text}"
    );

    std::fs::write(&path, "# mine\n").expect("edit");
    run(sandbox.bare().args(["config", "init"])).fails(78, &["already exists"]);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "# mine\n");
    run(sandbox.bare().args(["config", "init", "--force"])).succeeds();
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .contains("api_secret")
    );

    // The template alone is not a working config: it says what is missing.
    run(&mut sandbox.bare()).fails(78, &["no API key configured"]);
}

#[test]
fn config_path_is_the_one_in_use() {
    let sandbox = Sandbox::new();
    let default = run(sandbox.bare().args(["config", "path"]));
    default.succeeds();
    assert_eq!(
        default.stdout,
        format!("{}\n", sandbox.default_config().display())
    );
    let named = run(sandbox
        .bare()
        .args(["config", "path", "--config", "/etc/btcturk.toml"]));
    assert_eq!(named.stdout, "/etc/btcturk.toml\n");
    let env = run(sandbox
        .bare()
        .args(["config", "path"])
        .env("BTCTURK_BAL_CONFIG", "/srv/b.toml"));
    assert_eq!(env.stdout, "/srv/b.toml\n");
}

#[test]
fn config_show_names_each_source_and_redacts_the_secret() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = sandbox_with_profiles(&api);
    let path = sandbox.default_config().display().to_string();
    let run = run(sandbox
        .bare()
        .args(["config", "show", "-p", "work", "--timeout", "7"])
        .env("BTCTURK_API_KEY", "envkey-1234"));
    run.succeeds();
    let line = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {}", run.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("profile "), "profile work (flag --profile)");
    assert_eq!(line("api_key"), "api_key envk… (env BTCTURK_API_KEY)");
    assert_eq!(
        line("api_secret"),
        format!("api_secret from a command (profiles.work.api_secret_command on line 8 of {path})")
    );
    assert!(!run.stdout.contains("printf"), "{}", run.stdout);
    assert_eq!(
        line("base_url"),
        format!("base_url {} (base_url on line 3 of {path})", api.url())
    );
    assert_eq!(line("timeout_secs"), "timeout_secs 7 (flag --timeout)");
    assert_eq!(line("profiles"), "profiles default, broken, work");

    let top = crate::support::run(sandbox.bare().args(["config", "show"]));
    assert!(
        top.stdout.contains("[redacted]") && !top.stdout.contains(SECRET),
        "{}",
        top.stdout
    );
}

#[test]
fn secret_in_any_profile_requires_a_private_file() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    let path = sandbox.write_config(
        &sandbox.default_config(),
        &format!(
            "base_url = \"{}\"\n[profiles.x]\napi_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\n",
            api.url()
        ),
    );
    set_mode(&path, 0o640);
    run(sandbox.bare().args(["-p", "x"]))
        .fails(78, &["holds api_secret but is readable by group or others"]);
}

#[test]
fn all_profiles_without_any_key_is_a_config_error() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = Sandbox::new();
    sandbox.write_config(
        &sandbox.default_config(),
        &format!(
            "base_url = \"{}\"\n[profiles.empty]\ntimeout_secs = 5\n",
            api.url()
        ),
    );
    let run = run(sandbox.bare().arg("--all-profiles"));
    run.fails(78, &["--all-profiles found no profile with an api_key"]);
    assert_eq!(api.hits(BALANCES), 0);
}

/// A config whose only key pair takes its secret from `command`.
fn secret_command_config(api: &FakeApi, command: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        &sandbox.default_config(),
        &format!(
            "api_key = \"{KEY}\"\napi_secret_command = \"{command}\"\nbase_url = \"{}\"\n",
            api.url()
        ),
    );
    sandbox
}

#[test]
fn a_secret_command_that_leaves_a_process_behind_does_not_hold_the_run() {
    // The background sleep keeps the command's stdout open for 30 s.
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = secret_command_config(
        &api,
        &format!("(sleep 30 2>/dev/null &); printf '%s' {SECRET}"),
    );
    let started = std::time::Instant::now();
    run(sandbox.bare().args(["-o", "csv"])).succeeds();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "waited {:?} for the background process",
        started.elapsed()
    );
}

#[test]
fn a_secret_command_that_prints_too_much_is_refused() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = secret_command_config(&api, "head -c 70000 /dev/zero | tr '\\\\0' a");
    run(&mut sandbox.bare()).fails(78, &["api_secret_command", "printed more than 64 KiB"]);
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn config_init_makes_private_directories_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    run(sandbox
        .clean("sh")
        .args(["-c", "umask 000; exec \"$0\" config init"])
        .arg(assert_cmd::cargo::cargo_bin!("btcturk-bal")))
    .succeeds();
    let config = sandbox.default_config();
    for dir in [
        config.parent().expect("dir"),
        &sandbox.home.path().join("config"),
    ] {
        let mode = std::fs::metadata(dir).expect("dir").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", dir.display());
    }
    let mode = std::fs::metadata(&config)
        .expect("file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

/// A config whose secret command is `command`, as a TOML literal string
/// (quotes of both kinds kept as written).
fn prompting_config(api: &FakeApi, command: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        &sandbox.default_config(),
        &format!(
            "api_key = \"{KEY}\"\napi_secret_command = '''{command}'''\nbase_url = \"{}\"\n",
            api.url()
        ),
    );
    sandbox
}

/// btcturk-bal with `args` on a pseudo-terminal, its secret command's
/// prompt waited for.
fn at_its_prompt(sandbox: &Sandbox, args: &str) -> Pty {
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let pty = Pty::start(
        sandbox.clean("script"),
        &format!("exec {} {args}", bin.display()),
    );
    pty.wait_for("passphrase: ");
    pty
}

/// A command that asks for a passphrase on the terminal and prints the
/// secret when it is "open".
fn asking() -> String {
    format!(
        "printf 'passphrase: ' >&2; read -r s </dev/tty; [ \"$s\" = open ] && printf '%s' {SECRET}"
    )
}

#[test]
fn a_secret_command_can_prompt_on_the_terminal() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = prompting_config(&api, &asking());
    let mut pty = at_its_prompt(&sandbox, "-o csv -a BTC");
    pty.type_keys("open\r");
    let (code, shown) = pty.finish();
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("passphrase: open"), "{shown}");
    assert!(
        shown.contains(",BTC,Bitcoin,9.7502186644553258,"),
        "{shown}"
    );
}

#[test]
fn ctrl_c_at_a_secret_command_s_prompt_ends_the_run() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = prompting_config(&api, &asking());
    let mut pty = at_its_prompt(&sandbox, "-o csv");
    pty.type_keys("\x03");
    let (code, shown) = pty.finish();
    assert_eq!(code, Some(130), "{shown}");
    assert!(!shown.contains("error"), "{shown}");
    assert_eq!(api.hits(BALANCES), 0);
}

#[test]
fn ctrl_z_at_a_secret_command_s_prompt_suspends_the_whole_job() {
    // An interactive shell with job control, as a person has: Ctrl-Z at
    // the prompt gives the shell its prompt back at once; `fg` brings the
    // prompt back, and the passphrase typed then reaches the command, not
    // the shell.
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = prompting_config(&api, &asking());
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let mut shell = sandbox.clean("script");
    shell.env("PS1", "shell$ ");
    let mut pty = Pty::start(shell, "bash --norc --noprofile -i");
    pty.wait_for("shell$ ");
    pty.type_keys(&format!("{} -o csv -a BTC\r", bin.display()));
    pty.wait_for("passphrase: ");
    pty.type_keys("\x1a");
    pty.wait_for("Stopped");
    pty.wait_for_nth("shell$ ", 2);
    pty.type_keys("fg\r");
    // bash names the job as it hands it the terminal.
    pty.wait_for_nth(&format!("{} -o csv -a BTC", bin.display()), 3);
    pty.type_keys("open\r");
    pty.wait_for(",BTC,Bitcoin,9.7502186644553258,");
    pty.wait_for_nth("shell$ ", 3);
    pty.type_keys("echo rc=$?; exit\r");
    let (code, shown) = pty.finish();
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("rc=0"), "{shown}");
    assert!(!shown.contains("command not found"), "{shown}");
    assert_eq!(api.hits(BALANCES), 1);
}

/// Whether process `pid` runs (a zombie left for a reaper does not).
fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(") ")
                .map(|(_, rest)| !rest.starts_with('Z'))
        })
        .unwrap_or(false)
}

#[test]
fn a_signal_to_the_run_ends_its_secret_command_too() {
    use std::os::unix::process::ExitStatusExt;
    let api = FakeApi::serving(ACCOUNT);
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("INT", 2)] {
        let sandbox = Sandbox::new();
        let pidfile = sandbox.home.path().join("pid");
        sandbox.write_config(
            &sandbox.default_config(),
            &format!(
                "api_key = \"{KEY}\"\napi_secret_command = '''sleep 1000 & echo $! > {}; wait'''\nbase_url = \"{}\"\n",
                pidfile.display(),
                api.url()
            ),
        );
        let mut child = sandbox
            .bare()
            .stdin(std::process::Stdio::null())
            .spawn()
            .expect("start");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let pid = loop {
            match std::fs::read_to_string(&pidfile) {
                Ok(pid) if pid.ends_with('\n') => break pid.trim().to_owned(),
                _ if std::time::Instant::now() > deadline => panic!("the command never ran"),
                _ => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        };
        let killed = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = child.wait().expect("wait");
        assert_eq!(status.signal(), Some(number), "{signal}: {status:?}");
        // Ended, if not yet reaped: a killed process takes a moment to go.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while running(&pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(!running(&pid), "{signal}: the command's child lives on");
        assert_eq!(api.hits(BALANCES), 0);
    }
}

#[test]
fn keys_in_the_environment_that_stand_in_for_a_profile_s_own_are_said_once() {
    let api = FakeApi::serving(ACCOUNT);
    let sandbox = sandbox_with_profiles(&api);
    let warning = "btcturk-bal: warning: BTCTURK_API_KEY and BTCTURK_API_SECRET from the environment stand in for profile \"work\"'s own (the environment comes first; unset them to use the profile's)\n";
    // -p and BTCTURK_PROFILE alike: the environment's account is fetched
    // (its key is KEY, the file's work key is KEY2), and said.
    for selected in [&["-p", "work"][..], &[]] {
        let mut cmd = sandbox.cmd(&api);
        cmd.args(selected).args(["-o", "csv", "-a", "btc"]);
        if selected.is_empty() {
            cmd.env("BTCTURK_PROFILE", "work");
        }
        let out = run(&mut cmd);
        out.succeeds();
        assert_eq!(out.stderr, warning);
        let sent = api
            .requests()
            .last()
            .and_then(|r| r.header("x-pck").map(str::to_owned));
        assert_eq!(sent.as_deref(), Some(KEY));
    }
    // Only the key set: said of the key alone.
    let key_only = run(sandbox
        .bare()
        .env("BTCTURK_API_KEY", KEY)
        .args(["-p", "work", "-o", "csv"]));
    assert!(
        key_only
            .stderr
            .starts_with("btcturk-bal: warning: BTCTURK_API_KEY from the environment stands in for profile \"work\"'s own (the environment comes first; unset it to use the profile's)\n"),
        "{}",
        key_only.stderr
    );
    // The default profile, or quiet: nothing said.
    let plain = run(sandbox.cmd(&api).args(["-o", "csv"]));
    plain.succeeds();
    assert_eq!(plain.stderr, "");
    let quiet = run(sandbox.cmd(&api).args(["-q", "-p", "work", "-o", "csv"]));
    assert_eq!(quiet.stderr, "");
}
