//! `-o table`: for reading. Amounts at the asset's display precision,
//! truncated toward zero so the table never shows more than the user has.
//!
//! On a terminal comfy-table lays the table out, wrapping the Name column
//! to fit the width. Anywhere else (a pipe, a file) there is no width to
//! fit, and the same table is written here directly, row by row: comfy-table
//! builds and measures every cell as an object first, which for a
//! 50,000-asset account took most of the run. The tests hold both to the
//! same output.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use comfy_table::{
    Attribute, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width, presets,
};
use rust_decimal::{Decimal, RoundingStrategy};
use unicode_width::UnicodeWidthStr;

use super::{Options, PARALLEL_ROWS, in_blocks};
use crate::balance::{Amount, Balance, Plain, push_truncated, repeat};
use crate::report::{Report, Row};
use crate::term::{paint, printable_ascii, sanitize, sanitized};

/// Most decimals shown for prices (truncated, trailing zeros dropped), and
/// the decimals of values (truncated, padded).
const PRICE_PLACES: u32 = 8;
const VALUE_PLACES: u32 = 2;

/// The narrowest the Name column gets, padding included: on a narrow
/// terminal only the name wraps, and not below this.
const NAME_MIN_WIDTH: usize = 10;

pub fn render(report: &Report, options: &Options, sink: &mut dyn Write) -> io::Result<()> {
    if options.boxes {
        sink.write_all(comfy(report, options).as_bytes())?;
    } else {
        plain(report, options.color, sink)?;
    }
    sink.write_all(totals(report, options.color).as_bytes())
}

fn header(report: &Report) -> Vec<String> {
    let mut header: Vec<String> = Vec::new();
    if report.by_profile {
        header.push("Profile".into());
    }
    header.extend(["Asset", "Name", "Total", "Free", "Locked"].map(String::from));
    if let Some(v) = &report.valuation {
        let code = v.currency.code();
        header.extend([format!("Price ({code})"), format!("Value ({code})")]);
    }
    header
}

/// The column of names; the columns after it (amounts) are right-aligned.
fn name_column(report: &Report) -> usize {
    usize::from(report.by_profile) + 1
}

/// A cell's content: text, or an amount shown at a precision, which is
/// measured and written without first being made into a string.
enum Text<'t> {
    Str(Cow<'t, str>),
    /// Text from the API, shown sanitized (see `term::sanitized`).
    Api(&'t str),
    Amount(&'t Amount<'t>, Option<u32>),
}

impl Text<'_> {
    /// Columns it takes on a terminal.
    fn width(&self) -> usize {
        match self {
            Text::Str(s) => width(s),
            Text::Api(s) if printable_ascii(s) => s.len(),
            Text::Api(s) => width(&sanitized(s)),
            Text::Amount(a, Some(places)) => a.truncated_len(*places),
            Text::Amount(a, None) => a.as_str().len(),
        }
    }

    /// Writes the text; the columns it takes, as `width` gives them.
    fn push_to(&self, out: &mut String) -> usize {
        let start = out.len();
        match self {
            Text::Str(s) => {
                out.push_str(s);
                return width(s);
            }
            Text::Api(s) if printable_ascii(s) => out.push_str(s),
            Text::Api(s) => {
                let shown = sanitized(s);
                out.push_str(&shown);
                return width(&shown);
            }
            Text::Amount(a, Some(places)) => a.truncated_into(*places, out),
            Text::Amount(a, None) => out.push_str(a.as_str()),
        }
        // The rest is ASCII: a column a byte.
        out.len() - start
    }
}

/// Calls `cell` with each of the row's cells, in order; `b` is the row's
/// balance.
fn cells<'t>(
    report: &Report,
    row: &'t Row<'_>,
    b: &'t Balance<'_>,
    mut cell: impl FnMut(Text<'t>),
) {
    profile_cell(report, row, &mut cell);
    cell(Text::Api(&b.asset));
    cell(Text::Api(b.name.as_deref().unwrap_or("")));
    let places = b.precision.map(|p| p.min(MAX_PLACES));
    for amount in [&b.balance, &b.free, &b.locked] {
        cell(Text::Amount(amount, places));
    }
    value_cells(report, row, cell);
}

/// More decimals than this is not a display precision but bad data.
const MAX_PLACES: u32 = 30;

/// The Profile cell, first, with `--all-profiles`.
fn profile_cell<'t>(report: &Report, row: &'t Row<'_>, mut cell: impl FnMut(Text<'t>)) {
    if report.by_profile {
        cell(Text::Api(row.profile.unwrap_or("")));
    }
}

/// The Price and Value cells, last, when valuing.
fn value_cells<'t>(report: &Report, row: &Row<'_>, mut cell: impl FnMut(Text<'t>)) {
    if report.valuation.is_some() {
        cell(Text::Str(
            row.price
                .map_or(Cow::Borrowed("-"), |p| Cow::Owned(price(p))),
        ));
        cell(Text::Str(
            row.value
                .map_or(Cow::Borrowed("-"), |v| Cow::Owned(value(v))),
        ));
    }
}

/// The table by comfy-table: on a terminal with box drawing, and the Name
/// column wrapped when the table is wider than the terminal. (Its ASCII
/// style, without a terminal, is what `plain` is tested against.)
fn comfy(report: &Report, options: &Options) -> String {
    let mut table = Table::new();
    if options.boxes {
        table.load_style(presets::UTF8_FULL_CONDENSED);
    } else {
        table.load_style(presets::ASCII_FULL_CONDENSED);
        table.force_no_tty();
    }
    if options.color {
        table.enforce_styling();
    }
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(header(report).into_iter().map(|h| {
        let cell = Cell::new(h);
        if options.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for row in report.rows() {
        let mut texts = Vec::with_capacity(8);
        cells(report, &row, &row.balance(), |text| {
            let mut shown = String::new();
            text.push_to(&mut shown);
            texts.push(shown);
        });
        table.add_row(texts);
    }
    let name_column = name_column(report);
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_constraint(if index == name_column {
            ColumnConstraint::LowerBoundary(Width::Fixed(NAME_MIN_WIDTH as u16))
        } else {
            ColumnConstraint::ContentWidth
        });
        if index > name_column {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    out
}

/// The same table as comfy-table's ASCII style lays it out without a width
/// to fit: each column as wide as its widest cell, the header in bold when
/// colouring.
fn plain(report: &Report, color: bool, sink: &mut dyn Write) -> io::Result<()> {
    let header = header(report);
    let name_column = name_column(report);
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    widths[name_column] = widths[name_column].max(NAME_MIN_WIDTH - 2);
    // A large table is measured and written in two halves on two threads;
    // the second half's lines wait in memory for the first's.
    let rows = report.len();
    let places = report.places();
    let parallel = rows >= PARALLEL_ROWS;
    let split = if parallel { places / 2 } else { places };
    let measured = both(
        parallel,
        || measure(report, 0..split),
        || measure(report, split..places),
    );
    for half in [&measured.0, &measured.1] {
        for (w, m) in widths.iter_mut().zip(half) {
            *w = (*w).max(*m);
        }
    }

    let mut line = String::new();
    let border = |line: &mut String, fill: char, joint: char| {
        line.push('+');
        for (i, w) in widths.iter().enumerate() {
            if i > 0 {
                line.push(joint);
            }
            line.extend(std::iter::repeat_n(fill, w + 2));
        }
        line.push_str("+\n");
    };
    border(&mut line, '-', '+');
    line.push('|');
    for (i, h) in header.iter().enumerate() {
        if color {
            line.push_str("\x1b[1m");
        }
        pad(&mut line, &Text::Str(h.into()), widths[i], i > name_column);
        if color {
            line.push_str("\x1b[0m");
        }
        line.push('|');
    }
    line.push('\n');
    border(&mut line, '=', '=');
    sink.write_all(line.as_bytes())?;

    in_blocks(
        rows,
        |rows: Range<usize>, lines: &mut String| write_lines(report, rows, &widths, lines),
        sink,
    )?;
    line.clear();
    border(&mut line, '-', '+');
    sink.write_all(line.as_bytes())
}

/// Runs `a` here and `b` beside it on a second thread if `parallel`, else
/// one after the other; a panic in `b` goes on here.
fn both<A, B: Send>(parallel: bool, a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let b = scope.spawn(b);
        let a = a();
        let b = b
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

/// The widest cell of each column among the rows shown of the balances
/// at `places` (see `Report::rows_by_place`). Where a row's record knows
/// its balance's widths (the usual case), its texts are not read.
fn measure(report: &Report, places: Range<usize>) -> Vec<usize> {
    let mut widths = Vec::new();
    for row in report.rows_by_place(places) {
        let mut column = 0;
        let mut note = |width: usize| {
            if column == widths.len() {
                widths.push(0);
            }
            widths[column] = widths[column].max(width);
            column += 1;
        };
        match row.plain_widths(MAX_PLACES) {
            Some(widths) => {
                profile_cell(report, &row, |text| note(text.width()));
                widths.into_iter().for_each(&mut note);
                value_cells(report, &row, |text| note(text.width()));
            }
            None => cells(report, &row, &row.balance(), |text| note(text.width())),
        }
    }
    widths
}

/// The lines of the rows at `places`, appended to `lines`. A row whose
/// record knows its balance's widths (the usual case) has those cells
/// written straight from its texts.
fn write_lines(report: &Report, places: Range<usize>, widths: &[usize], lines: &mut String) {
    let name_column = name_column(report);
    for row in report.rows_in(places) {
        lines.push('|');
        let mut column = 0;
        let cell = |lines: &mut String, column: &mut usize, text: Text| {
            pad(lines, &text, widths[*column], *column > name_column);
            lines.push('|');
            *column += 1;
        };
        match row.plain(MAX_PLACES) {
            Some(plain) => {
                profile_cell(report, &row, |text| cell(lines, &mut column, text));
                plain_cells(lines, &plain, &widths[column..column + 5]);
                column += 5;
                value_cells(report, &row, |text| cell(lines, &mut column, text));
            }
            None => cells(report, &row, &row.balance(), |text| {
                cell(lines, &mut column, text)
            }),
        }
        lines.push('\n');
    }
}

/// The code, name, total, free and locked cells of a row whose record
/// knows their widths, in columns of `widths`.
fn plain_cells(lines: &mut String, plain: &Plain, widths: &[usize]) {
    let shown = plain.widths();
    for (i, text) in plain.texts.into_iter().enumerate() {
        lines.push(' ');
        lines.push_str(text);
        spaces(lines, widths[i].saturating_sub(shown[i]));
        lines.push_str(" |");
    }
    for (i, (text, int)) in plain.amounts.into_iter().enumerate() {
        lines.push(' ');
        spaces(lines, widths[2 + i].saturating_sub(shown[2 + i]));
        match plain.places {
            None => lines.push_str(text),
            Some(places) => {
                let frac = text.get(int + 1..).unwrap_or("");
                push_truncated(text.get(..int).unwrap_or(text), frac, places, lines);
            }
        }
        lines.push_str(" |");
    }
}

/// A cell: one space of padding each side, the text aligned in `width`.
/// Left-aligned, the text is measured as it is written.
fn pad(line: &mut String, text: &Text, width: usize, right: bool) {
    line.push(' ');
    if right {
        spaces(line, width.saturating_sub(text.width()));
        text.push_to(line);
    } else {
        let fill = width.saturating_sub(text.push_to(line));
        spaces(line, fill);
    }
    line.push(' ');
}

/// `n` spaces.
fn spaces(line: &mut String, n: usize) {
    repeat(line, "                                ", n);
}

/// Columns a text takes on a terminal, as comfy-table measures it.
fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.width()
    }
}

/// The lines under the table when valuing: each profile's total, the total,
/// and the assets left out of it.
fn totals(report: &Report, color: bool) -> String {
    let mut out = String::new();
    if let Some(v) = &report.valuation {
        let code = v.currency.code();
        let total = |t: Option<Decimal>| t.map_or_else(|| "too large to add up".into(), value);
        for (profile, sum) in &v.profiles {
            out += &format!("Total ({}): {} {code}\n", sanitize(profile), total(*sum));
        }
        let line = format!("Total: {} {code}", total(v.total));
        out += &paint(&line, "1", color);
        out.push('\n');
        if !v.unpriced.is_empty() {
            let names: Vec<_> = v.unpriced.iter().map(|a| sanitize(a)).collect();
            out += &format!("Not priced, left out of the total: {}\n", names.join(", "));
        }
    }
    out
}

/// A price to at most 8 decimals, truncated, trailing zeros dropped.
fn price(p: Decimal) -> String {
    p.round_dp_with_strategy(PRICE_PLACES, RoundingStrategy::ToZero)
        .normalize()
        .to_string()
}

/// A value to exactly 2 decimals, truncated toward zero.
fn value(d: Decimal) -> String {
    let mut t = d.round_dp_with_strategy(VALUE_PLACES, RoundingStrategy::ToZero);
    t.rescale(VALUE_PLACES);
    if t.is_zero() {
        t.set_sign_positive(true);
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::balance::Balance;
    use crate::cli::{Currency, Format};
    use crate::render::CsvStyle;
    use crate::report::Summary;
    use crate::report::testing;

    fn both(report: &Report, color: bool) -> (String, String) {
        let options = Options {
            format: Format::Table,
            header: true,
            csv: CsvStyle::default(),
            boxes: false,
            color,
        };
        let mut plain_out = Vec::new();
        plain(report, color, &mut plain_out).expect("a Vec takes it all");
        let plain_out = String::from_utf8(plain_out).expect("UTF-8");
        (plain_out, comfy(report, &options))
    }

    fn report(
        rows: Vec<(Option<&str>, Balance<'_>, Option<i64>)>,
        valuing: bool,
        by_profile: bool,
    ) -> Report<'static> {
        let valuation = valuing.then(|| Summary {
            currency: Currency::Usdt,
            total: None,
            unpriced: Vec::new(),
            profiles: Vec::new(),
        });
        let mut report = testing::report(rows, valuation);
        report.by_profile = by_profile;
        report
    }

    #[test]
    fn an_empty_table_matches_comfy_table() {
        for (valuing, by_profile, color) in [(false, false, false), (true, true, true)] {
            let (plain, comfy) = both(&report(Vec::new(), valuing, by_profile), color);
            assert_eq!(plain, comfy);
        }
    }

    #[test]
    fn a_table_laid_out_on_two_threads_matches_comfy_table() {
        // The widest name in the second half, the widest amount in the
        // first: each half's widths reach the whole table.
        let count = PARALLEL_ROWS + 1;
        let names: Vec<String> = (0..count).map(|i| format!("Asset {i}")).collect();
        let rows: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let amount = if i == 7 { "123456789.5" } else { "1.5" };
                let name = if i == count - 2 {
                    "A much longer name than the rest"
                } else {
                    name
                };
                (
                    None,
                    testing::balance("X", Some(name), amount),
                    Some(i as i64),
                )
            })
            .collect();
        for valuing in [false, true] {
            let (plain, comfy) = both(&report(rows.clone(), valuing, false), false);
            assert_eq!(plain, comfy);
        }
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[A-Za-z0-9 ]{0,14}",
            Just("Türk Lirası".to_owned()),
            Just("比特币".to_owned()),
            Just("🚀 Moon".to_owned()),
            Just("e\u{301}".to_owned()),
            Just("bad\u{1b}[2J\u{9b}".to_owned()),
            Just("© ½".to_owned()),
        ]
    }

    proptest! {
        #[test]
        fn plain_matches_comfy_table_without_a_terminal(
            rows in prop::collection::vec(
                (text(), text(), prop::option::of(text()),
                 "-?[0-9]{1,6}(\\.[0-9]{1,12})?", prop::option::of(-5i64..10_000_000),
                 prop::option::of(0u32..40)),
                0..8),
            valuing in any::<bool>(),
            by_profile in any::<bool>(),
            color in any::<bool>(),
        ) {
            let rows = rows
                .iter()
                .map(|(profile, code, name, amount, value, precision)| {
                    let mut balance = testing::balance(code, name.as_deref(), amount);
                    balance.precision = *precision;
                    (by_profile.then_some(profile.as_str()), balance, *value)
                })
                .collect();
            let (plain, comfy) = both(&report(rows, valuing, by_profile), color);
            prop_assert_eq!(plain, comfy);
        }
    }
}
