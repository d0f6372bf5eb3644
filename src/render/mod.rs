//! Rows to bytes: each format writes the report to a buffered writer that
//! `output` provides (stdout, `--out`'s temporary file, or `--append`'s
//! buffer).

mod csv;
mod json;
mod table;

use std::io::{self, Write};

use crate::cli::Format;
use crate::report::Report;

/// From this many rows a format is rendered on two threads.
const PARALLEL_ROWS: usize = 8192;

/// Rows to a block: enough that handing blocks between threads costs
/// little, few enough that the buffers stay small and in cache.
const BLOCK_ROWS: usize = 512;

/// A buffer a block of rows is rendered into.
trait Buffer: Default + Send {
    fn clear(&mut self);
    fn bytes(&self) -> &[u8];
}

impl Buffer for Vec<u8> {
    fn clear(&mut self) {
        Vec::clear(self);
    }

    fn bytes(&self) -> &[u8] {
        self
    }
}

impl Buffer for String {
    fn clear(&mut self) {
        String::clear(self);
    }

    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Writes `count` rows to `out` in order, as `block` renders them a block
/// (a range of rows) at a time. With many rows, every other block is
/// rendered on a second thread while this one renders and writes its own:
/// twice the speed, with no more memory than a few blocks' buffers.
fn in_blocks<B: Buffer>(
    count: usize,
    block: impl Fn(std::ops::Range<usize>, &mut B) + Sync,
    out: &mut dyn Write,
) -> io::Result<()> {
    let blocks = count.div_ceil(BLOCK_ROWS);
    let rows = |b: usize| b * BLOCK_ROWS..((b + 1) * BLOCK_ROWS).min(count);
    let mut own = B::default();
    if count < PARALLEL_ROWS {
        for b in 0..blocks {
            own.clear();
            block(rows(b), &mut own);
            out.write_all(own.bytes())?;
        }
        return Ok(());
    }
    let block = &block;
    std::thread::scope(|scope| {
        // Rendered odd blocks come one way, their buffers go back the other.
        let (rendered, arriving) = std::sync::mpsc::sync_channel::<B>(2);
        let (spent, reused) = std::sync::mpsc::channel::<B>();
        scope.spawn(move || {
            for b in (1..blocks).step_by(2) {
                let mut buf = reused.try_recv().unwrap_or_default();
                buf.clear();
                block(rows(b), &mut buf);
                if rendered.send(buf).is_err() {
                    // The writing stopped (it failed).
                    return;
                }
            }
        });
        for b in 0..blocks {
            if b % 2 == 0 {
                own.clear();
                block(rows(b), &mut own);
                out.write_all(own.bytes())?;
            } else {
                // A closed channel means the other thread panicked; the
                // scope passes the panic on.
                let buf = arriving
                    .recv()
                    .map_err(|_| io::Error::other("a rendering thread failed"))?;
                out.write_all(buf.bytes())?;
                let _ = spent.send(buf);
            }
        }
        Ok(())
    })
}

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

/// Asset codes for a report rendered in blocks on two threads, in order:
/// past `PARALLEL_ROWS`, and a last block that is not full.
#[cfg(test)]
fn codes_in_blocks() -> Vec<String> {
    (0..PARALLEL_ROWS + 700)
        .map(|i| format!("A{i:05}"))
        .collect()
}
