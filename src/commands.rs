//! The subcommands beside the balance listing: shell completions, the man
//! page, and the config file's init, path and show.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{self, Common, ConfigCommand};
use crate::config::{ConfigPath, Inputs, SecretSetting};
use crate::error::{Error, Result};
use crate::output;
use crate::term::{Log, Terminal};
use crate::text::sanitize;

/// The commented template `config init` writes.
const TEMPLATE: &str = include_str!("../config.example.toml");

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
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

/// What lists the profile names, for a completion script to run.
const PROFILES: &str = "btcturk-bal config profiles 2>/dev/null";

/// Makes `-p <TAB>` complete the config file's profile names, asked of the
/// binary when completing (as kubectl and gh completions do), instead of
/// file names. clap_complete's static scripts have no such value source:
/// the lines it writes for `-p`/`--profile` are rewritten.
fn profile_names(shell: clap_complete::Shell, script: &str) -> String {
    use clap_complete::Shell;
    let mut out = String::with_capacity(script.len());
    let mut after_case_label = false;
    for line in script.lines() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        let rewritten = match shell {
            // The line after a `--profile)` or `-p)` case label.
            Shell::Bash if after_case_label && t == "COMPREPLY=($(compgen -f \"${cur}\"))" => {
                format!("{indent}COMPREPLY=($(compgen -W \"$({PROFILES})\" -- \"${{cur}}\"))")
            }
            Shell::Zsh if t.starts_with("'-p+[") || t.starts_with("'--profile=[") => line.replace(
                ":NAME:_default'",
                &format!(":NAME:{{compadd -- ${{(f)\"$({PROFILES})\"}}}}'"),
            ),
            Shell::Fish if t.contains(" -s p -l profile ") => {
                format!("{line} -f -a \"({PROFILES})\"")
            }
            _ => line.to_owned(),
        };
        after_case_label = shell == Shell::Bash && (t == "--profile)" || t == "-p)");
        out.push_str(&rewritten);
        out.push('\n');
    }
    out
}

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

pub fn history(
    args: &cli::HistoryArgs,
    common: &Common,
    terminal: &Terminal,
    log: Log,
) -> Result<()> {
    let mut files = args.files.clone();
    // On a terminal, stdin is no dump: the config file may name one.
    if files.is_empty() && terminal.stdin {
        let inputs = Inputs::load(common)?;
        let file = inputs.history_file(&inputs.selected_profile().value)?;
        files.push(file.ok_or(Error::HistoryNoInput)?);
    }
    // Only periods need the zone; a TZ that names none is said once.
    let tz = match args.every {
        Some(_) => {
            let (zone, warning) = crate::zone::local();
            if let Some(warning) = warning {
                log.warn(&warning);
            }
            zone
        }
        None => jiff::tz::TimeZone::UTC,
    };
    let query = crate::history::Query {
        files,
        view: match (&args.asset, args.changes, args.at) {
            (Some(code), ..) => crate::history::View::Asset(code.clone()),
            (None, true, _) => crate::history::View::Changes,
            (None, false, Some(at)) => crate::history::View::At(at),
            (None, false, None) => crate::history::View::Snapshots,
        },
        since: args.since,
        until: args.until,
        every: args.every,
        tz,
        profile: common.profile.clone(),
        format: args.output,
        style: terminal.style(common.color, terminal.stdout),
        chart: terminal.stdout && !args.no_chart,
        escape: terminal.stdout,
        width: terminal.width,
        waiting: Box::new(move |line| log.note(line)),
    };
    let outcome = crate::history::run(&query)?;
    for note in &outcome.notes {
        log.warn(note);
    }
    output::print(&outcome.bytes).map(drop)
}

pub fn man() -> Result<()> {
    let page = crate::manual::render().map_err(Error::Output)?;
    output::print(&page).map(drop)
}

pub fn config(command: &ConfigCommand, global: &Common, log: Log) -> Result<()> {
    match command {
        ConfigCommand::Init { force, .. } => {
            let path = ConfigPath::in_use(global).path.ok_or(Error::NoConfigDir)?;
            output::create_private(&path, TEMPLATE.as_bytes(), *force)?;
            // A message, not data: stdout stays empty, as after `git init`.
            log.note(&format!(
                "wrote {} (mode 600); put your API key and secret in it",
                path.display()
            ));
            Ok(())
        }
        ConfigCommand::Path { .. } => {
            let path = ConfigPath::in_use(global).path.ok_or(Error::NoConfigDir)?;
            output::print(format!("{}\n", path.display()).as_bytes()).map(drop)
        }
        ConfigCommand::Show { .. } => {
            let inputs = Inputs::load(global)?;
            output::print(&show(&inputs)?).map(drop)
        }
        ConfigCommand::Profiles { .. } => {
            let inputs = Inputs::load(global)?;
            let names: String = inputs
                .profile_names()
                .iter()
                .map(|name| format!("{}\n", sanitize(name)))
                .collect();
            output::print(names.as_bytes()).map(drop)
        }
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
