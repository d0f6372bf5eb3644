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
mod envelope;
mod error;
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

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::report::Sort;
use crate::term::{Log, TermEnv};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.show.sort == Sort::Value && cli.show.value_in.is_none() {
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--sort value needs --value-in CUR",
            )
            .exit();
    }
    let term = TermEnv::from_env();
    let g = &cli.global;
    let log = Log::new(g.verbose, g.quiet, g.color, &term);
    let result = match &cli.command {
        Some(Command::Completions { shell }) => commands::completions(*shell),
        Some(Command::Man) => commands::man(),
        Some(Command::Config(command)) => commands::config(command, g, log),
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
