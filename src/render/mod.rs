//! Rows to bytes: each format renders the whole report into a buffer, which
//! is then written in one go (stdout, `--out` or `--append`).

mod csv;
mod json;
mod table;

use crate::cli::Format;
use crate::error::{Error, Result};
use crate::report::Report;

#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// The CSV header line.
    pub header: bool,
    pub csv: CsvStyle,
    /// Box drawing and fitting the terminal's width.
    pub boxes: bool,
    pub color: bool,
}

/// How CSV looks: RFC 4180 by default, or a spreadsheet locale's dialect.
#[derive(Debug, Clone, Copy)]
pub struct CsvStyle {
    pub delimiter: u8,
    /// Decimal comma in amounts, prices and values.
    pub decimal_comma: bool,
    /// A UTF-8 byte order mark before the first line (only where the file
    /// starts).
    pub bom: bool,
}

impl Default for CsvStyle {
    fn default() -> Self {
        CsvStyle {
            delimiter: b',',
            decimal_comma: false,
            bom: false,
        }
    }
}

pub fn render(report: &Report, options: &Options) -> Result<Vec<u8>> {
    match options.format {
        Format::Table => Ok(table::render(report, options)),
        Format::Json => json::render(report).map_err(|e| Error::Output(e.into())),
        Format::Csv => csv::render(report, options.header, options.csv)
            .map_err(|e| Error::Output(std::io::Error::other(e))),
    }
}
