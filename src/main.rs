//! btcturk-bal: show a BtcTurk account's balances as a table, JSON or CSV.

mod api;
mod auth;
mod balance;
mod cli;
mod clock;
mod config;
mod error;
mod render;
mod term;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::config::Settings;
use crate::error::{Error, Result};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            term::error(&err);
            ExitCode::from(err.code())
        }
    }
}

fn run(cli: cli::Cli) -> Result<()> {
    let settings = Settings::resolve(cli)?;
    let all = api::Client::new(&settings.api, settings.log).balances()?;
    let fetched_at = clock::rfc3339_now();

    for code in settings.filter.unknown_assets(&all) {
        settings.log.warn(&format!(
            "the account has no asset {}",
            term::sanitize(code)
        ));
    }
    let shown: Vec<_> = all
        .into_iter()
        .filter(|b| settings.filter.keeps(b))
        .collect();

    let stdout = std::io::stdout();
    let bytes = render::render(
        &render::Report {
            fetched_at: &fetched_at,
            balances: &shown,
        },
        &render::Options {
            format: settings.output,
            header: settings.header,
            terminal: stdout.is_terminal(),
        },
    )?;
    write_out(&mut stdout.lock(), &bytes)
}

/// Writes the rendered output in one go. A reader that went away (`| head`)
/// is not an error: it has all it wanted.
fn write_out(out: &mut impl Write, bytes: &[u8]) -> Result<()> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
        _ => Ok(()),
    }
}
