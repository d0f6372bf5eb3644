//! btcturk-bal: show a BtcTurk account's balances as a table, JSON or CSV.

mod api;
mod auth;
mod balance;
mod cli;
mod clock;
mod commands;
mod config;
mod error;
mod output;
mod render;
mod report;
mod run;
mod term;
mod valuation;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, Sort};
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
    let log = Log::new(&cli.global, &term);
    let result = match &cli.command {
        Some(Command::Completions { shell }) => commands::completions(*shell),
        Some(Command::Man) => commands::man(),
        Some(Command::Config(command)) => commands::config(command, &cli.global, log),
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
