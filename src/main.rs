//! btcturk-bal: show a BtcTurk account's balances as a table, JSON or CSV.
//!
//! The data flows one way: settings (`cli`, `config`) → signed request
//! (`auth`, `api`) → the answer's envelope and balances (`envelope`,
//! `balance`, `valuation`) → filtered, valued, sorted rows (`report`) →
//! bytes (`render`) → stdout or a file (`output`).

mod api;
mod auth;
mod balance;
mod cli;
mod clock;
mod commands;
mod config;
mod doctor;
mod dump;
mod envelope;
mod error;
mod figure;
mod history;
mod manual;
mod output;
mod render;
mod report;
mod run;
mod secret;
mod signals;
mod term;
mod text;
mod tls;
mod valuation;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::render::Format;
use crate::report::Sort;
use crate::term::{Log, TermEnv};

fn main() -> ExitCode {
    report_panics_as_bugs();
    refuse_keys_on_the_command_line();
    let cli = cli::parse();
    check_usage(&cli);
    let term = TermEnv::from_env();
    let g = &cli.global;
    let log = Log::new(g.verbose, g.quiet, g.color, &term);
    let result = match &cli.command {
        Some(Command::Completions { shell }) => commands::completions(*shell),
        Some(Command::Man) => commands::man(),
        Some(Command::Config(command)) => commands::config(command, g, log),
        Some(Command::History(args)) => commands::history(args, g, &term, log),
        Some(Command::Doctor) => match doctor::run(g, log) {
            Ok(code) => return ExitCode::from(code),
            Err(e) => Err(e),
        },
        None => config::Settings::resolve(&cli, &term).and_then(|s| run::run(&s, log)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            log.error(&err);
            ExitCode::from(err.code())
        }
    }
}

/// A panic is a bug in btcturk-bal: the user sees one line saying so and
/// how to report it, and the run ends with exit 70 (EX_SOFTWARE), not an
/// abort with its core file. The panic's own message may quote what the
/// tool was handling (a secret, say), so it and the backtrace are shown
/// only when RUST_BACKTRACE asks for them.
fn report_panics_as_bugs() {
    let details = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if details {
            default(info);
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        term::bug(&format!(
            "internal error{at}: this is a bug in btcturk-bal, not a fault of your setup"
        ));
        std::process::exit(i32::from(error::exit::SOFTWARE));
    }));
    // A way for the tests to see the above at work; not in release builds.
    #[cfg(debug_assertions)]
    if std::env::var_os("BTCTURK_BAL_TEST_PANIC").is_some() {
        panic!("a panic the tests asked for");
    }
}

/// Keys are never taken from the command line, where shell history and
/// `ps` show them: `--api-key` and `--api-secret` are usage errors that
/// point to the environment, without echoing what followed them.
fn refuse_keys_on_the_command_line() {
    let keyed = std::env::args_os().skip(1).find_map(|arg| {
        let arg = arg.to_string_lossy();
        ["--api-key", "--api-secret"]
            .into_iter()
            .find(|flag| arg == *flag || arg.starts_with(&format!("{flag}=")))
    });
    if let Some(flag) = keyed {
        cli::command()
            .error(
                clap::error::ErrorKind::UnknownArgument,
                format!(
                    "{flag} is not taken: keys on the command line end up in shell history and ps; \
                     set BTCTURK_API_KEY and BTCTURK_API_SECRET, or put them in the config file \
                     (btcturk-bal config init)"
                ),
            )
            .exit();
    }
}

/// Usage rules clap's derive cannot say; broken ones exit 2 in clap's
/// format.
fn check_usage(cli: &Cli) {
    let show = &cli.show;
    let fail = |message: String| -> ! {
        cli::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit()
    };
    if show.sort == Sort::Value && show.value_in.is_none() {
        cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--sort value needs --value-in CUR",
            )
            .exit();
    }
    if show.output == Format::Json && show.append.is_some() {
        fail(
            "--append with -o json would put documents back to back, which no JSON reader takes; \
             use -o jsonl (one compact object a line, JSON Lines)"
                .into(),
        );
    }
    if show.output != Format::Csv {
        let csv_only = [
            ("--no-header", show.no_header),
            ("--delimiter", show.delimiter.is_some()),
            ("--csv-locale", show.csv_locale.is_some()),
        ];
        if let Some((flag, _)) = csv_only.into_iter().find(|(_, given)| *given) {
            fail(format!("{flag} applies only to CSV output (-o csv)"));
        }
    }
}
