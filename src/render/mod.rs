//! Rows to bytes: each format renders the whole report into a buffer, which
//! `main` writes to stdout in one go.

mod csv;
mod json;
mod table;

use crate::cli::Format;
use crate::error::{Error, Result};
use crate::report::Report;

pub struct Options {
    pub format: Format,
    /// CSV header line.
    pub header: bool,
    /// Whether stdout is a terminal: box drawing and width fitting.
    pub terminal: bool,
}

pub fn render(report: &Report, options: &Options) -> Result<Vec<u8>> {
    match options.format {
        Format::Table => Ok(table::render(report, options.terminal)),
        Format::Json => json::render(report).map_err(|e| Error::Output(e.into())),
        Format::Csv => {
            csv::render(report, options.header).map_err(|e| Error::Output(std::io::Error::other(e)))
        }
    }
}
