//! btcturk-bal: show a BtcTurk account's balances as a table, JSON or CSV.

mod api;
mod auth;
mod balance;
mod cli;
mod clock;
mod config;
mod error;
mod render;
mod report;
mod term;
mod valuation;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::balance::Balance;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::valuation::Prices;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if cli.sort == cli::Sort::Value && cli.value_in.is_none() {
        cli::Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--sort value needs --value-in CUR",
            )
            .exit();
    }
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
    let (balances, prices) = fetch(&settings)?;
    let fetched_at = clock::rfc3339_now();

    for code in settings.view.filter.unknown_assets(&balances) {
        settings.log.warn(&format!(
            "the account has no asset {}",
            term::sanitize(code)
        ));
    }
    let report = report::build(balances, prices.as_ref(), &settings.view, fetched_at);

    let stdout = std::io::stdout();
    let bytes = render::render(
        &report,
        &render::Options {
            format: settings.output,
            header: settings.header,
            terminal: stdout.is_terminal(),
        },
    )?;
    write_out(&mut stdout.lock(), &bytes)
}

/// The balances, and with `--value-in` the prices, fetched side by side so
/// that valuing adds no round trip. Either failing fails the run.
fn fetch(settings: &Settings) -> Result<(Vec<Balance>, Option<Prices>)> {
    let balances = || api::Client::new(&settings.api, settings.log).balances();
    if settings.view.value_in.is_none() {
        return Ok((balances()?, None));
    }
    std::thread::scope(|scope| {
        let prices = scope.spawn(|| api::Client::new(&settings.api, settings.log).prices());
        let balances = balances();
        let prices = prices
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((balances?, Some(prices?)))
    })
}

/// Writes the rendered output in one go. A reader that went away (`| head`)
/// is not an error: it has all it wanted.
fn write_out(out: &mut impl Write, bytes: &[u8]) -> Result<()> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
        _ => Ok(()),
    }
}
