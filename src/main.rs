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
mod lock;
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
mod zone;

use std::process::ExitCode;

use crate::term::Terminal;

fn main() -> ExitCode {
    signals::install();
    report_panics_as_bugs();
    let cli = cli::parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit());
    let common = &cli.common;
    let terminal = Terminal::detect();
    let log = terminal.log(common.verbose, common.quiet, common.color);
    match config::task(&cli, common, &terminal, log).and_then(|task| commands::run(task, log)) {
        Ok(code) => ExitCode::from(code),
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
