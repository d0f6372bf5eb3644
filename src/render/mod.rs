//! Rows to bytes: each format writes the report to a buffered writer that
//! `output` provides (stdout, `--out`'s temporary file, or `--append`'s
//! buffer).

mod csv;
mod json;
mod table;

use std::io::{self, Write};

use crate::cli::Format;
use crate::report::Report;

/// How much the renderers gather before writing: as much as the output
/// buffer holds (`output::BUFFER`), so that a chunk passes through it
/// without being copied again.
const CHUNK: usize = 64 * 1024;

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

/// Writes the report in the chosen format. Only the writer can fail.
pub fn render(report: &Report, options: &Options, out: &mut dyn Write) -> io::Result<()> {
    match options.format {
        Format::Table => table::render(report, options, out),
        Format::Json => json::render(report, out),
        Format::Csv => csv::render(report, options.header, options.csv, out),
    }
}
