//! The shell's side: --help, the manual, completion scripts, which flags
//! each subcommand takes, and the exit-code tables.

use crate::support::{Sandbox, run};

trait Shell {
    /// `program` as a user's shell runs it: btcturk-bal on its PATH, for
    /// the completion scripts that ask it for profile names.
    fn shell(&self, program: &str) -> std::process::Command;
}

impl Shell for Sandbox {
    fn shell(&self, program: &str) -> std::process::Command {
        let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
        let dir = bin.parent().expect("the binary's directory").to_owned();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let paths = std::iter::once(dir).chain(std::env::split_paths(&path));
        let mut cmd = self.clean(program);
        cmd.env("PATH", std::env::join_paths(paths).expect("PATH"));
        cmd
    }
}

const PROFILES: &str = "api_key = \"k\"\n[profiles.work]\napi_key = \"w\"\n[profiles.wallet]\n";

#[test]
fn completions_and_man_page() {
    let sandbox = Sandbox::new();
    let expect = [
        ("bash", "complete -F _btcturk_bal_with_profiles"),
        ("zsh", "#compdef btcturk-bal"),
        ("fish", "complete -c btcturk-bal"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[btcturk-bal]"),
    ];
    for (shell, marker) in expect {
        let out = run(sandbox.bare().args(["completions", shell]));
        out.succeeds();
        assert!(
            out.stdout.contains(marker),
            "{shell}: {}",
            &out.stdout[..200.min(out.stdout.len())]
        );
        assert!(
            out.stdout.contains("value-in"),
            "{shell} completes the flags"
        );
    }
    let man = run(sandbox.bare().arg("man"));
    man.succeeds();
    assert!(
        man.stdout.contains(".TH btcturk-bal 1") && man.stdout.contains("\\-\\-non\\-zero"),
        "{}",
        man.stdout
    );
}

#[test]
fn the_manual_documents_the_tool_not_just_the_flags() {
    let sandbox = Sandbox::new();
    let man = run(sandbox.bare().arg("man"));
    man.succeeds();
    for section in [
        "COMMANDS",
        "CONFIGURATION",
        "PROFILES",
        "ENVIRONMENT",
        "FORMATS",
        "MONITORING",
        "VALUATION",
        "HISTORY",
        "EXIT STATUS",
        "EXAMPLES",
    ] {
        assert!(
            man.stdout.contains(&format!(".SH \"{section}\""))
                || man.stdout.contains(&format!(".SH {section}\n")),
            "no {section} section"
        );
    }
    // The README's sections, its subsections with them.
    assert!(
        man.stdout
            .contains(".SS \"Files for cron and spreadsheets\"")
    );
    // One section per name: clap's option headings and the tool's own.
    let mut titles: Vec<&str> = man
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .collect();
    let count = titles.len();
    titles.sort_unstable();
    titles.dedup();
    assert_eq!(titles.len(), count, "a section name twice: {titles:?}");
    for topic in [
        "api_secret_command",
        "price_try",
        "BTCTURK_PROFILE",
        "chmod 600",
        "doctor",
    ] {
        assert!(man.stdout.contains(topic), "{topic} is not documented");
    }
    // No pages that do not exist, no stray heading, no hyphenated words.
    assert!(
        !man.stdout.contains("btcturk\\-bal\\-config(1)"),
        "{}",
        man.stdout
    );
    assert!(!man.stdout.contains(".SH EXTRA"), "{}", man.stdout);
    assert!(man.stdout.contains("\n.nh\n"), "hyphenation is on");
}

/// What bash offers after `words` (the last one being completed), with
/// the script `completions bash` prints loaded.
fn bash_complete(sandbox: &Sandbox, words: &[&str]) -> String {
    let script = run(sandbox.bare().args(["completions", "bash"]))
        .stdout
        .clone();
    let path = sandbox.home.path().join("completion.bash");
    std::fs::write(&path, script).expect("script");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; f=$(complete -p btcturk-bal | sed -E 's/.*-F ([^ ]+).*/\\1/'); $f btcturk-bal '{}' '{}'; echo \"${{COMPREPLY[*]}}\"",
        path.display(),
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = sandbox
        .shell("bash")
        .args(["-c", &program])
        .current_dir(sandbox.home.path())
        .output()
        .expect("bash");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn bash_completes_flags_values_and_subcommands() {
    let sandbox = Sandbox::new();
    assert_eq!(
        bash_complete(&sandbox, &["btcturk-bal", "--value-"]),
        "--value-in"
    );
    assert_eq!(
        bash_complete(&sandbox, &["btcturk-bal", "--value-in", ""]),
        "TRY USDT"
    );
    let config = bash_complete(&sandbox, &["btcturk-bal", "config", ""]);
    for word in ["init", "path", "show"] {
        assert!(
            config.split(' ').any(|w| w == word),
            "{word} not in {config:?}"
        );
    }
    assert!(bash_complete(&sandbox, &["btcturk-bal", "config", "init", "--f"]).contains("--force"));
}

#[test]
fn help_ends_with_examples() {
    let sandbox = Sandbox::new();
    let help = run(sandbox.bare().arg("--help"));
    help.succeeds();
    let tail: Vec<_> = help.stdout.lines().rev().take(8).collect();
    assert!(tail.iter().any(|l| l.contains("| jq")), "{}", help.stdout);
    assert!(
        tail.iter().any(|l| l.starts_with("  0\t*\t*\t*\t*\t")),
        "{}",
        help.stdout
    );
}

/// What fish offers for `line`, with the script `completions fish` prints
/// loaded; `None` where fish is not installed.
fn fish_complete(sandbox: &Sandbox, line: &str) -> Option<Vec<String>> {
    let script = run(sandbox.bare().args(["completions", "fish"]));
    script.succeeds();
    let file = sandbox.home.path().join("btcturk-bal.fish");
    std::fs::write(&file, &script.stdout).expect("script");
    let out = sandbox
        .shell("fish")
        .args([
            "--no-config",
            "-c",
            &format!("source {}; complete -C '{line}'", file.display()),
        ])
        .current_dir(sandbox.home.path())
        .output()
        .ok()?;
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    Some(
        text.lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
            .collect(),
    )
}

#[test]
fn fish_completes_each_option_s_values_not_file_names() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.home.path().join("a-file"), "").expect("a file to not offer");
    let cases: [(&str, &[&str]); 5] = [
        (
            "btcturk-bal -o ",
            &["csv", "json", "jsonl", "prometheus", "table"],
        ),
        ("btcturk-bal --value-in ", &["TRY", "USDT"]),
        ("btcturk-bal --color ", &["always", "auto", "never"]),
        ("btcturk-bal --sort ", &["asset", "balance", "value"]),
        (
            "btcturk-bal completions ",
            &["bash", "elvish", "fish", "powershell", "zsh"],
        ),
    ];
    for (line, expected) in cases {
        let Some(offered) = fish_complete(&sandbox, line) else {
            crate::support::skipping("fish is not installed: the fish completion test not run");
            return;
        };
        assert_eq!(offered, expected, "{line}");
    }
}

#[test]
fn a_subcommand_s_help_lists_only_the_flags_that_apply() {
    let sandbox = Sandbox::new();
    let help = |args: &[&str]| {
        let run = run(sandbox.bare().args(args).arg("--help"));
        run.succeeds();
        run.stdout
    };
    let completions = help(&["completions"]);
    for flag in [
        "--config",
        "--profile",
        "--base-url",
        "--timeout",
        "--retries",
        "--verbose",
    ] {
        assert!(
            !completions.contains(flag),
            "completions --help lists {flag}"
        );
    }
    let path = help(&["config", "path"]);
    assert!(path.contains("--config"), "{path}");
    for flag in [
        "--profile",
        "--base-url",
        "--timeout",
        "--retries",
        "--max-wait",
    ] {
        assert!(!path.contains(flag), "config path --help lists {flag}");
    }
    let show = help(&["config", "show"]);
    assert!(
        show.contains("--profile") && show.contains("--timeout"),
        "{show}"
    );
    assert!(!show.contains("--retries"), "{show}");
    let history = help(&["history"]);
    assert!(
        history.contains("--profile") && history.contains("--since"),
        "{history}"
    );
    // --config: history_file comes from the config file.
    assert!(history.contains("--config"), "{history}");
    for flag in ["--base-url", "--timeout", "--retries", "--verbose"] {
        assert!(!history.contains(flag), "history --help lists {flag}");
    }
    let doctor = help(&["doctor"]);
    assert!(
        doctor.contains("--base-url") && doctor.contains("--retries"),
        "{doctor}"
    );
}

#[test]
fn the_cron_line_in_help_never_wraps() {
    let sandbox = Sandbox::new();
    for columns in ["40", "100", "300"] {
        let help = run(sandbox.bare().env("COLUMNS", columns).arg("--help"));
        help.succeeds();
        let line = help
            .stdout
            .lines()
            .find(|l| l.contains("/usr/bin/flock"))
            .unwrap_or_else(|| panic!("no cron line in {}", help.stdout));
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            words.join(" "),
            "0 * * * * /usr/bin/flock -n /tmp/btcturk-bal.lock /home/you/.cargo/bin/btcturk-bal -o csv -z --append /home/you/balances.csv",
            "{columns}: {line:?}"
        );
    }
}

#[test]
fn config_profiles_lists_the_names_and_a_near_miss_gets_did_you_mean() {
    let sandbox = Sandbox::new();
    let listed = run(sandbox.bare().args(["config", "profiles"]));
    listed.succeeds();
    assert_eq!(
        listed.stdout, "default\n",
        "no config file: the default profile"
    );
    sandbox.write_config(&sandbox.default_config(), PROFILES);
    let listed = run(sandbox.bare().args(["config", "profiles"]));
    assert_eq!(listed.stdout, "default\nwallet\nwork\n");
    let typo = run(sandbox
        .bare()
        .args(["-p", "wrok"])
        .env("BTCTURK_BASE_URL", "http://127.0.0.1:9"));
    typo.fails(78, &["no profile \"wrok\""]);
    assert!(
        typo.hint().starts_with("did you mean \"work\"?"),
        "{}",
        typo.stderr
    );
    let far = run(sandbox.bare().args(["-p", "personal"]));
    far.fails(78, &["no profile \"personal\""]);
    assert!(!far.hint().contains("did you mean"), "{}", far.stderr);
}

#[test]
fn profile_names_complete_in_bash_fish_and_zsh() {
    let sandbox = Sandbox::new();
    sandbox.write_config(&sandbox.default_config(), PROFILES);
    for words in [
        &["btcturk-bal", "-p", "w"][..],
        &["btcturk-bal", "--profile", "w"],
        &["btcturk-bal", "doctor", "-p", "w"],
        &["btcturk-bal", "history", "-p", "w"],
    ] {
        assert_eq!(bash_complete(&sandbox, words), "wallet work", "{words:?}");
    }
    match fish_complete(&sandbox, "btcturk-bal -p ") {
        Some(offered) => assert_eq!(offered, ["default", "wallet", "work"]),
        None => crate::support::skipping("fish is not installed: its profile completion not tried"),
    }
    if let Some(offered) = fish_complete(&sandbox, "btcturk-bal history --profile wa") {
        assert_eq!(offered, ["wallet"]);
    }
    match zsh_profiles(&sandbox, &["btcturk-bal", "-p", ""]) {
        Some(offered) => assert_eq!(offered, "default\nwallet\nwork\n"),
        None => crate::support::skipping("zsh is not installed: its profile completion not tried"),
    }
}

/// What zsh's completion offers for `-p` on the line `words`: the script
/// sourced, its profile function run with `words` as zsh sets them, and
/// compadd's candidates printed instead of offered. `None` without zsh.
fn zsh_profiles(sandbox: &Sandbox, words: &[&str]) -> Option<String> {
    let script = run(sandbox.bare().args(["completions", "zsh"]));
    let file = sandbox.home.path().join("_btcturk-bal");
    std::fs::write(&file, &script.stdout).expect("script");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "compdef() {{ :; }}; source '{}'; compadd() {{ [[ $1 == -a ]] && print -rl -- \"${{(@P)2}}\"; }}; words=({}); _btcturk_bal_profiles",
        file.display(),
        quoted.join(" ")
    );
    let out = sandbox
        .shell("zsh")
        .args(["-f", "-c", &program])
        .current_dir(sandbox.home.path())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Profile names that a shell would expand or run if it took them as
/// code, and one it would split in two.
const HOSTILE_PROFILES: &str = r#"api_key = "k"
[profiles."$(touch owned-1)"]
[profiles."`touch owned-2`"]
[profiles."${HOME}"]
[profiles."$((2*3))"]
[profiles."*"]
[profiles."{a,b}"]
[profiles."~root"]
[profiles."my account"]
[profiles."x;y"]
"#;

#[test]
fn profile_names_reach_each_shell_as_data_never_as_code() {
    let sandbox = Sandbox::new();
    sandbox.write_config(&sandbox.default_config(), HOSTILE_PROFILES);
    // A file for `*` to match, were it expanded.
    std::fs::write(sandbox.home.path().join("a-file"), "").expect("a file");
    // As `config profiles` lists them: the top-level keys first.
    let names = [
        "default",
        "$((2*3))",
        "$(touch owned-1)",
        "${HOME}",
        "*",
        "`touch owned-2`",
        "my account",
        "x;y",
        "{a,b}",
        "~root",
    ];
    // bash inserts what it is offered: each name quoted as it must be
    // typed. (Run in the sandbox's home, where `touch` would leave files.)
    let bash = bash_complete(&sandbox, &["btcturk-bal", "-p", ""]);
    assert_eq!(
        bash,
        r"default \$\(\(2\*3\)\) \$\(touch\ owned-1\) \$\{HOME\} \* \`touch\ owned-2\` my\ account x\;y \{a\,b\} \~root"
    );
    assert_eq!(
        bash_complete(&sandbox, &["btcturk-bal", "-p", "my"]),
        r"my\ account"
    );
    // zsh and fish are offered the names themselves, and quote them as
    // they insert them.
    match zsh_profiles(&sandbox, &["btcturk-bal", "-p", ""]) {
        Some(offered) => assert_eq!(offered, format!("{}\n", names.join("\n"))),
        None => crate::support::skipping("zsh is not installed: its profile completion not tried"),
    }
    match fish_complete(&sandbox, "btcturk-bal -p ") {
        Some(mut offered) => {
            offered.sort();
            let mut expected = names.map(str::to_owned).to_vec();
            expected.sort();
            assert_eq!(offered, expected);
        }
        None => crate::support::skipping("fish is not installed: its profile completion not tried"),
    }
    let left: Vec<String> = crate::support::entries(sandbox.home.path())
        .into_iter()
        .filter(|n| n.starts_with("owned"))
        .collect();
    assert!(left.is_empty(), "a profile name was run: {left:?}");
}

#[test]
fn a_config_file_earlier_on_the_line_is_the_one_whose_profiles_complete() {
    let sandbox = Sandbox::new();
    sandbox.write_config(&sandbox.default_config(), PROFILES);
    let other = sandbox.home.path().join("other.toml");
    sandbox.write_config(&other, "api_key = \"k\"\n[profiles.elsewhere]\n");
    let path = other.to_str().expect("UTF-8 path");
    for words in [
        &["btcturk-bal", "--config", path, "-p", ""][..],
        &["btcturk-bal", "doctor", "--config", path, "--profile", ""],
        &[
            "btcturk-bal",
            "--config",
            "~/other.toml",
            "history",
            "-p",
            "",
        ],
    ] {
        assert_eq!(
            bash_complete(&sandbox, words),
            "default elsewhere",
            "{words:?}"
        );
    }
    if let Some(offered) = zsh_profiles(
        &sandbox,
        &["btcturk-bal", &format!("--config={path}"), "-p", ""],
    ) {
        assert_eq!(offered, "default\nelsewhere\n");
    }
    if let Some(offered) = fish_complete(
        &sandbox,
        &format!("btcturk-bal --config {path} history -p "),
    ) {
        assert_eq!(offered, ["default", "elsewhere"]);
    }
}

#[test]
fn a_flag_that_does_not_apply_is_exit_2_naming_it_and_the_subcommand() {
    let sandbox = Sandbox::new();
    for (args, message) in [
        (
            &["completions", "bash", "--timeout", "5"][..],
            "--timeout does not apply to btcturk-bal completions",
        ),
        (
            &["history", "--base-url", "http://127.0.0.1:9"],
            "--base-url does not apply to btcturk-bal history",
        ),
        (
            &["history", "-v"],
            "-v does not apply to btcturk-bal history",
        ),
        (
            &["--retries", "3", "history"],
            "--retries does not apply to btcturk-bal history",
        ),
        (
            &["config", "path", "--ip-version", "4"],
            "--ip-version does not apply to btcturk-bal config path",
        ),
    ] {
        let out = run(sandbox.bare().args(args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
        assert!(
            out.stderr.starts_with(&format!("error: {message}\n")),
            "{}",
            out.stderr
        );
    }
    // Before the subcommand, a flag it takes still counts.
    let path = run(sandbox
        .bare()
        .args(["--config", "/tmp/elsewhere.toml", "config", "path"]));
    assert_eq!(path.stdout, "/tmp/elsewhere.toml\n", "{}", path.stderr);
}

/// The exit-code rows of the README's table: code, meaning and what to do,
/// without the markdown.
fn readme_exit_codes() -> Vec<(String, String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table = readme
        .split("## Exit codes")
        .nth(1)
        .expect("an Exit codes section");
    table
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", code, meaning, fix, ""] if code.parse::<u8>().is_ok() => Some((
                    code.to_string(),
                    meaning.replace('`', ""),
                    fix.replace('`', ""),
                )),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn the_exit_code_tables_of_help_the_manual_and_the_readme_agree() {
    let sandbox = Sandbox::new();
    let help = run(sandbox.bare().arg("--help"));
    let from_help: Vec<(String, String)> = help
        .stdout
        .split("Exit codes:\n")
        .nth(1)
        .expect("an Exit codes section in --help")
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let (code, meaning) = l.trim().split_once(' ').expect("code and meaning");
            (code.to_owned(), meaning.trim().to_owned())
        })
        .collect();
    let codes: Vec<&str> = from_help.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "0", "2", "65", "66", "69", "70", "74", "75", "76", "77", "78", "130"
        ]
    );
    let readme = readme_exit_codes();
    let readme_meanings: Vec<(String, String)> = readme
        .iter()
        .map(|(c, m, _)| (c.clone(), m.clone()))
        .collect();
    assert_eq!(
        readme_meanings, from_help,
        "README.md's table differs from the code's"
    );
    // The manual: each code's entry, its meaning and what to do, as roff.
    let man = run(sandbox.bare().arg("man")).stdout;
    let section = man
        .split(".SH \"EXIT STATUS\"")
        .nth(1)
        .expect("EXIT STATUS");
    let section = section
        .split(".SH")
        .next()
        .unwrap_or_default()
        .replace("\\-", "-")
        .replace("\\*(Aq", "'")
        .to_lowercase();
    // The words without their bold (the README's `code`).
    let words = section.replace("\\fb", "").replace("\\fr", "");
    for (code, meaning, fix) in &readme {
        let entry = format!(".tp\n\\fb{code}\\fr\n");
        assert!(section.contains(&entry), "man: no {code}");
        for text in [meaning, fix] {
            assert!(
                words.contains(&text.to_lowercase()),
                "man: {code}: no {text:?}"
            );
        }
    }
}

#[test]
fn every_environment_variable_in_help_is_in_the_readme_and_the_manual() {
    let sandbox = Sandbox::new();
    let help = run(sandbox.bare().arg("--help")).stdout;
    let section = help
        .split("Environment:\n")
        .nth(1)
        .expect("an Environment section in --help");
    let names: Vec<&str> = section
        .lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| !l.starts_with("   "))
        .flat_map(|l| l.trim().split("  ").next().unwrap_or_default().split(", "))
        .map(|name| name.split('=').next().unwrap_or(name))
        .collect();
    assert!(
        names.contains(&"BTCTURK_IP_VERSION") && names.contains(&"NO_COLOR"),
        "{names:?}"
    );
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let man = run(sandbox.bare().arg("man")).stdout.replace("\\-", "-");
    let man = man.split(".SH ENVIRONMENT").nth(1).expect("ENVIRONMENT");
    for name in names {
        assert!(readme.contains(name), "README.md does not mention {name}");
        assert!(man.contains(name), "the manual's ENVIRONMENT lacks {name}");
    }
}

#[test]
fn times_complete_no_file_names() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.home.path().join("a-file"), "").expect("a file to not offer");
    for flag in ["--at", "--since", "--until"] {
        let offered = bash_complete(&sandbox, &["btcturk-bal", "history", flag, "a"]);
        assert!(!offered.contains("a-file"), "{flag}: {offered}");
        if let Some(offered) = fish_complete(&sandbox, &format!("btcturk-bal history {flag} a")) {
            assert!(
                !offered.iter().any(|o| o == "a-file"),
                "{flag}: {offered:?}"
            );
        }
    }
}
