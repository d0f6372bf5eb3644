//! btcturk-bal: show a BtcTurk account's balances as a table, JSON or CSV.
//!
//! The crate is a command-line tool. The library target exists so that the
//! in-process benchmarks (`benches/`) can reach the parser and renderers;
//! it is not a stable API.

mod api;
mod auth;
pub mod balance;
pub mod cli;
mod clock;
mod commands;
mod config;
mod error;
mod huge;
mod output;
pub mod render;
pub mod report;
mod run;
mod term;
pub mod valuation;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

pub use crate::error::{Error, Result};

use crate::cli::{Cli, Command, Sort};
use crate::term::{Log, TermEnv};

/// The whole program: parse the command line, do what it asks, report any
/// error on stderr, and give the exit code.
pub fn main() -> ExitCode {
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
