//! `-o table`: for reading. Amounts at the asset's display precision,
//! truncated toward zero so the table never shows more than the user has.

use std::io::{self, Write};

use comfy_table::{
    Attribute, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width, presets,
};
use rust_decimal::{Decimal, RoundingStrategy};

use super::Options;
use crate::balance::{Amount, Balance};
use crate::report::Report;
use crate::term::{paint, sanitize};

/// Most decimals shown for prices (truncated, trailing zeros dropped), and
/// the decimals of values (truncated, padded).
const PRICE_PLACES: u32 = 8;
const VALUE_PLACES: u32 = 2;

pub fn render(report: &Report, options: &Options, sink: &mut dyn Write) -> io::Result<()> {
    let mut table = Table::new();
    if options.boxes {
        table.load_style(presets::UTF8_FULL_CONDENSED);
    } else {
        // Not a terminal (a pipe, a file): ASCII, and no guessing at a width.
        table.load_style(presets::ASCII_FULL_CONDENSED);
        table.force_no_tty();
    }
    if options.color {
        table.enforce_styling();
    }
    table.set_content_arrangement(ContentArrangement::Dynamic);

    let mut header: Vec<String> = Vec::new();
    if report.by_profile {
        header.push("Profile".into());
    }
    header.extend(["Asset", "Name", "Total", "Free", "Locked"].map(String::from));
    if let Some(v) = &report.valuation {
        let code = v.currency.code();
        header.extend([format!("Price ({code})"), format!("Value ({code})")]);
    }
    table.set_header(header.into_iter().map(|h| {
        let cell = Cell::new(h);
        if options.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));

    for row in &report.rows {
        let b = &row.balance;
        let mut cells = Vec::with_capacity(8);
        if report.by_profile {
            cells.push(sanitize(row.profile.as_deref().unwrap_or("")));
        }
        cells.extend([
            sanitize(&b.asset),
            sanitize(b.name.as_deref().unwrap_or("")),
            shown(&b.balance, b),
            shown(&b.free, b),
            shown(&b.locked, b),
        ]);
        if report.valuation.is_some() {
            cells.push(row.price.map_or_else(|| "-".into(), price));
            cells.push(row.value.map_or_else(|| "-".into(), value));
        }
        table.add_row(cells);
    }

    // On a narrow terminal only the name wraps, and not below ten
    // characters: a number split over two lines reads as two numbers.
    let name_column = usize::from(report.by_profile) + 1;
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_constraint(if index == name_column {
            ColumnConstraint::LowerBoundary(Width::Fixed(10))
        } else {
            ColumnConstraint::ContentWidth
        });
        if index > name_column {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }

    let mut out = table.to_string();
    out.push('\n');
    if let Some(v) = &report.valuation {
        let code = v.currency.code();
        let total = |t: Option<Decimal>| t.map_or_else(|| "too large to add up".into(), value);
        for (profile, sum) in &v.profiles {
            out += &format!("Total ({}): {} {code}\n", sanitize(profile), total(*sum));
        }
        let line = format!("Total: {} {code}", total(v.total));
        out += &paint(&line, "1", options.color);
        out.push('\n');
        if !v.unpriced.is_empty() {
            let names: Vec<_> = v.unpriced.iter().map(|a| sanitize(a)).collect();
            out += &format!("Not priced, left out of the total: {}\n", names.join(", "));
        }
    }
    sink.write_all(out.as_bytes())
}

/// At the asset's precision when the API gives one, else exactly as sent.
fn shown(amount: &Amount<'_>, b: &Balance<'_>) -> String {
    match b.precision {
        // More than 30 places is not a display precision but bad data.
        Some(places) => amount.truncated(places.min(30)),
        None => amount.to_string(),
    }
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
