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
mod envelope;
mod error;
mod history;
mod manual;
mod output;
mod render;
mod report;
mod run;
mod secret;
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
        Some(Command::History(args)) => commands::history(args, g, &term),
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
