//! Carries out each command once its settings are resolved (`config::task`):
//! the listing, doctor and history by their modules; shell completions,
//! the man page and the config file's init, path, show and profiles here.

use std::io::Write;

use clap::CommandFactory;

use crate::cli;
use crate::config::{Inputs, SecretSetting, Task};
use crate::error::{Error, Result};
use crate::output;
use crate::term::Log;
use crate::text::sanitize;

/// The commented template `config init` writes.
const TEMPLATE: &str = include_str!("../config.example.toml");

fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut cli::Cli::command(), "btcturk-bal", &mut buffer);
    if shell == clap_complete::Shell::Bash {
        // clap_complete spells the case labels of a hyphenated binary's
        // subcommands differently from the state its loop builds
        // (`btcturk__subcmd__bal__subcmd__config` against
        // `btcturk__bal__subcmd__config`), so nothing after a subcommand
        // completed (clap-rs/clap#6421). Spell them as the loop does.
        let script =
            String::from_utf8_lossy(&buffer).replace("btcturk__subcmd__bal", "btcturk__bal");
        buffer = script.into_bytes();
    }
    if shell == clap_complete::Shell::Fish {
        buffer = fish_values(&String::from_utf8_lossy(&buffer)).into_bytes();
    }
    let script = profile_names(shell, &String::from_utf8_lossy(&buffer));
    output::print(script.as_bytes()).map(drop)
}

/// Makes `-p <TAB>` complete the config file's profile names, asked of the
/// binary when completing (as kubectl and gh completions do), instead of
/// file names; a `--config FILE` earlier on the line is the file asked.
/// The names are data: offered as they must be typed (quoted where
/// needed), never expanded or run. clap_complete's static scripts have no
/// value source for this (its dynamic completion inserts values unquoted),
/// so a function is added to each script: bash wraps clap's completion
/// function; zsh's and fish's `-p` lines are pointed at it. The unit tests
/// pin each line changed, so a clap_complete release that writes them
/// otherwise fails the build's tests rather than users' Tab.
fn profile_names(shell: clap_complete::Shell, script: &str) -> String {
    use clap_complete::Shell;
    match shell {
        Shell::Bash => {
            let registered = script.replace(
                "complete -F _btcturk__bal ",
                "complete -F _btcturk_bal_with_profiles ",
            );
            format!("{BASH_PROFILES}\n{registered}")
        }
        Shell::Zsh => {
            let (first, rest) = script.split_once('\n').unwrap_or((script, ""));
            let pointed: String = rest
                .lines()
                .map(|line| {
                    let t = line.trim_start();
                    if t.starts_with("'-p+[") || t.starts_with("'--profile=[") {
                        line.replace(":NAME:_default'", ":NAME:_btcturk_bal_profiles'")
                    } else {
                        line.to_owned()
                    }
                })
                .map(|line| line + "\n")
                .collect();
            // The function first: the script's last lines may call for
            // completion at once.
            format!("{first}\n{ZSH_PROFILES}\n{pointed}")
        }
        Shell::Fish => {
            let pointed: String = script
                .lines()
                .map(|line| {
                    if line.contains(" -s p -l profile ") {
                        format!("{line} -f -a \"(__btcturk_bal_profiles)\"\n")
                    } else {
                        format!("{line}\n")
                    }
                })
                .collect();
            format!("{FISH_PROFILES}\n{pointed}")
        }
        _ => script.to_owned(),
    }
}

/// bash: `-p`/`--profile` (also as `--profile=`) completes profile names,
/// each quoted with `printf %q`; anything else goes to clap's function.
const BASH_PROFILES: &str = include_str!("completions/profiles.bash");

/// zsh: the names for compadd, which quotes them as it inserts them.
const ZSH_PROFILES: &str = include_str!("completions/profiles.zsh");

/// fish: the names as candidates, which fish escapes as it inserts them.
const FISH_PROFILES: &str = include_str!("completions/profiles.fish");

/// Repairs clap_complete's fish script so that option and argument values
/// complete (`-o <TAB>`: table, json, csv) rather than file names:
/// - its guard for "no subcommand yet" fails while an option still waits
///   for its value (argparse refuses the incomplete line), which hid every
///   top-level candidate; an unparsable line now counts as top level;
/// - it offers no values for positional arguments (`completions <TAB>`);
///   those come from the same clap definition.
fn fish_values(script: &str) -> String {
    let guard =
        "argparse -s (__fish_btcturk_bal_global_optspecs) -- $cmd 2>/dev/null\n    or return\n";
    let mut out = script.replacen(
        guard,
        "argparse -s (__fish_btcturk_bal_global_optspecs) -- $cmd 2>/dev/null\n    or return 0\n",
        1,
    );
    for sub in cli::Cli::command().get_subcommands() {
        for arg in sub.get_positionals() {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_owned())
                .collect();
            if !values.is_empty() {
                out.push_str(&format!(
                    "complete -c btcturk-bal -n \"__fish_btcturk_bal_using_subcommand {}\" -f -a \"{}\"\n",
                    sub.get_name(),
                    values.join(" ")
                ));
            }
        }
    }
    out
}

/// Carries out a task; the exit code of a run that did not fail (doctor's
/// first failing check).
pub fn run(task: Task, log: Log) -> Result<u8> {
    let print = |bytes: &[u8]| output::print(bytes).map(|_| 0);
    match task {
        Task::Listing(settings) => crate::run::run(&settings, log).map(|()| 0),
        Task::Doctor(inputs) => crate::doctor::run(inputs, log),
        Task::History(query) => {
            let outcome = crate::history::run(&query)?;
            for note in &outcome.notes {
                log.warn(note);
            }
            print(&outcome.bytes)
        }
        Task::ConfigInit { path, force } => {
            output::create_private(&path, TEMPLATE.as_bytes(), force)?;
            // A message, not data: stdout stays empty, as after `git init`.
            log.note(&format!(
                "wrote {} (mode 600); put your API key and secret in it",
                path.display()
            ));
            Ok(0)
        }
        Task::ConfigPath(path) => print(format!("{}\n", path.display()).as_bytes()),
        Task::ConfigShow(inputs) => print(&show(&inputs)?),
        Task::ConfigProfiles(names) => {
            let names: String = names.iter().map(|n| format!("{}\n", sanitize(n))).collect();
            print(names.as_bytes())
        }
        Task::Completions(shell) => completions(shell).map(|()| 0),
        Task::Man => print(&crate::manual::render().map_err(Error::Output)?),
    }
}

/// The settings in effect, one per line: name, value, source.
fn show(inputs: &Inputs) -> Result<Vec<u8>> {
    let profile = inputs.selected_profile();
    let d = inputs.describe(&profile.value, true)?;
    let mut rows: Vec<(&str, String, String)> = Vec::new();
    let file = match (&inputs.config.path, inputs.file_found) {
        (Some(p), true) => p.display().to_string(),
        (Some(p), false) => format!("{} (not found)", p.display()),
        (None, _) => "(no config directory)".into(),
    };
    rows.push(("config file", file, inputs.config.source.to_string()));
    rows.push((
        "profile",
        sanitize(&profile.value),
        profile.source.to_string(),
    ));
    let not_set = || ("(not set)".to_owned(), String::new());
    let (key, key_source) = d.api_key.map_or_else(not_set, |k| {
        (crate::text::preview(&k.value), k.source.to_string())
    });
    rows.push(("api_key", key, key_source));
    let (secret, secret_source) = d.api_secret.map_or_else(not_set, |s| match s.value {
        SecretSetting::Value(_) => ("[redacted]".to_owned(), s.source.to_string()),
        // The command's text is not shown: a secret pasted there would be.
        SecretSetting::Command(_) => ("from a command".to_owned(), s.source.to_string()),
    });
    rows.push(("api_secret", secret, secret_source));
    let base_url = match crate::config::check_base_url(&d.base_url) {
        Ok(url) => url,
        Err(e) => match &e {
            Error::BaseUrl {
                preview, problem, ..
            } => format!("{preview} (not usable: {problem})"),
            _ => e.to_string(),
        },
    };
    rows.push(("base_url", base_url, d.base_url.source.to_string()));
    rows.push((
        "timeout_secs",
        d.timeout_secs.value.to_string(),
        d.timeout_secs.source.to_string(),
    ));
    rows.push((
        "ip_version",
        d.ip_version.value.name().to_owned(),
        d.ip_version.source.to_string(),
    ));
    let (history, history_source) = d.history_file.map_or_else(not_set, |h| {
        (
            sanitize(&crate::text::clip(&h.value, 60)),
            h.source.to_string(),
        )
    });
    rows.push(("history_file", history, history_source));
    rows.push((
        "profiles",
        sanitize(&inputs.profile_names().join(", ")),
        String::new(),
    ));

    let width = rows
        .iter()
        .map(|(_, v, _)| v.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for (name, value, source) in rows {
        let pad = width - value.chars().count();
        let source = if source.is_empty() {
            String::new()
        } else {
            format!("  ({source})")
        };
        let line = format!("{name:<13} {value}{}{source}", " ".repeat(pad));
        let _ = writeln!(out, "{}", line.trim_end());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use clap_complete::Shell;

    fn script(shell: Shell) -> String {
        let mut buffer = Vec::new();
        clap_complete::generate(shell, &mut cli::Cli::command(), "btcturk-bal", &mut buffer);
        profile_names(shell, &String::from_utf8_lossy(&buffer))
    }

    /// The commands that take -p/--profile, from clap's own tree.
    fn taking_profile() -> usize {
        fn count(cmd: &clap::Command) -> usize {
            let own = cmd.get_arguments().any(|a| a.get_long() == Some("profile"));
            usize::from(own) + cmd.get_subcommands().map(count).sum::<usize>()
        }
        count(&cli::Cli::command())
    }

    #[test]
    fn each_profile_line_of_clap_s_scripts_is_pointed_at_the_names() {
        let n = taking_profile();
        assert!(n >= 3, "{n}");
        // bash: clap's function is wrapped, both registrations changed.
        let bash = script(Shell::Bash);
        assert!(bash.contains("\n_btcturk__bal() {"), "clap's function");
        assert_eq!(
            bash.matches("complete -F _btcturk_bal_with_profiles ")
                .count(),
            2
        );
        assert_eq!(bash.matches("complete -F _btcturk__bal ").count(), 0);
        // zsh: -p and --profile of each command.
        let zsh = script(Shell::Zsh);
        assert!(zsh.starts_with("#compdef btcturk-bal\n# Profile names"));
        assert_eq!(zsh.matches(":NAME:_btcturk_bal_profiles'").count(), 2 * n);
        let unpointed = zsh
            .lines()
            .filter(|l| l.trim_start().starts_with("'-p+[") && l.contains(":_default'"))
            .count();
        assert_eq!(unpointed, 0);
        // fish: one line per command.
        let fish = script(Shell::Fish);
        assert_eq!(
            fish.matches(" -s p -l profile ").count(),
            fish.matches("-f -a \"(__btcturk_bal_profiles)\"").count()
        );
        assert_eq!(fish.matches(" -s p -l profile ").count(), n);
    }
}
