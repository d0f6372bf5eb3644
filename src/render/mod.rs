//! Rows to bytes: the report in the chosen format, whole, for `output` to
//! write in one go.

pub mod csv;
mod json;
mod prometheus;
pub mod table;

use std::io;

use clap::ValueEnum;

use crate::output::{Document, Kind};
use crate::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for reading: figures rounded half to even (balances at each
    /// asset's display precision), fitted to the terminal.
    Table,
    /// One JSON object with every amount exactly as the API sent it.
    Json,
    /// The same object compact, on one line: JSON Lines, for --append and
    /// --watch (a file of runs that `jq -c` and any JSON Lines reader take).
    Jsonl,
    /// RFC 4180 CSV with every amount exactly as the API sent it.
    Csv,
    /// Prometheus text format, for node_exporter's textfile collector
    /// (with --out, which replaces the file atomically).
    Prometheus,
}

impl Format {
    /// Why runs in this format cannot be appended one after another.
    pub fn append_refusal(self) -> Option<&'static str> {
        match self {
            Format::Table => Some(
                "--append with a table would log pictures of tables, which nothing reads back; \
                 use -o csv or -o jsonl",
            ),
            Format::Json => Some(
                "--append with -o json would put documents back to back, which no JSON reader takes; \
                 use -o jsonl (one compact object a line, JSON Lines)",
            ),
            Format::Prometheus => Some(
                "--append with -o prometheus would repeat every series, which Prometheus refuses; \
                 use --out FILE, which replaces the file whole each run",
            ),
            Format::Jsonl | Format::Csv => None,
        }
    }

    /// Why `--watch` rounds in this format cannot follow one another on
    /// stdout.
    pub fn watch_refusal(self) -> Option<&'static str> {
        match self {
            Format::Prometheus => Some(
                "--watch with -o prometheus on stdout would repeat every series each round, which no Prometheus reader accepts; \
                 use --out FILE, which replaces the file whole each round",
            ),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// The CSV header line.
    pub header: bool,
    pub csv: CsvStyle,
    pub style: Style,
    /// The output goes to a terminal: text from the server is escaped in
    /// JSON and CSV too (tables always escape it). To a file or a pipe
    /// they carry it exactly as received.
    pub escape: bool,
}

/// How a table looks, decided once from the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Bold headers and totals.
    pub color: bool,
    /// Box drawing; plain ASCII otherwise.
    pub boxes: bool,
    /// The terminal's width, which a table fits; `None` off a terminal,
    /// where a table is whole.
    pub width: Option<usize>,
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

/// The report in the chosen format. (Rendering into memory cannot fail in
/// practice; an error here would be a bug in a serializer.)
pub fn render(report: &Report, options: &Options) -> io::Result<Document> {
    let body = |body| Document {
        head: Vec::new(),
        body,
        kind: Kind::Other,
    };
    match options.format {
        Format::Table => Ok(body(table::render(report, options.style).into_bytes())),
        Format::Json => json::render(report, options.escape, false).map(body),
        Format::Jsonl => json::render(report, options.escape, true).map(|lines| Document {
            kind: Kind::JsonLines,
            ..body(lines)
        }),
        Format::Csv => csv::render(report, options.header, options.csv, options.escape),
        Format::Prometheus => Ok(Document {
            kind: Kind::Metrics,
            ..body(prometheus::render(report, options.escape))
        }),
    }
}
