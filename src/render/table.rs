//! `-o table`: for reading. Amounts at the asset's display precision,
//! truncated toward zero so the table never shows more than the user has.

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, Width, presets};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::balance::{Amount, Balance};
use crate::report::Report;
use crate::term::sanitize;

/// Most decimals shown for prices (truncated, trailing zeros dropped), and
/// the decimals of values (truncated, padded).
const PRICE_PLACES: u32 = 8;
const VALUE_PLACES: u32 = 2;

pub fn render(report: &Report, terminal: bool) -> Vec<u8> {
    let mut table = Table::new();
    table.load_style(if terminal {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::ASCII_FULL_CONDENSED
    });
    table.set_content_arrangement(ContentArrangement::Dynamic);
    let mut header = vec![
        "Asset".to_owned(),
        "Name".into(),
        "Total".into(),
        "Free".into(),
        "Locked".into(),
    ];
    if let Some(v) = &report.valuation {
        let code = v.currency.code();
        header.extend([format!("Price ({code})"), format!("Value ({code})")]);
    }
    table.set_header(header);
    for row in &report.rows {
        let b = &row.balance;
        let mut cells = vec![
            sanitize(&b.asset),
            sanitize(b.name.as_deref().unwrap_or("")),
            shown(&b.balance, b),
            shown(&b.free, b),
            shown(&b.locked, b),
        ];
        if report.valuation.is_some() {
            cells.push(
                row.price
                    .map(|p| {
                        p.round_dp_with_strategy(PRICE_PLACES, RoundingStrategy::ToZero)
                            .normalize()
                            .to_string()
                    })
                    .unwrap_or_else(|| "-".into()),
            );
            cells.push(
                row.value
                    .map(|v| truncate(v, VALUE_PLACES))
                    .unwrap_or_else(|| "-".into()),
            );
        }
        table.add_row(cells);
    }
    // On a narrow terminal only the name wraps, and not below ten
    // characters: a number split over two lines reads as two numbers.
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_constraint(if index == 1 {
            ColumnConstraint::LowerBoundary(Width::Fixed(10))
        } else {
            ColumnConstraint::ContentWidth
        });
        if index >= 2 {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    if let Some(v) = &report.valuation {
        let total = v
            .total
            .map(|t| truncate(t, VALUE_PLACES))
            .unwrap_or_else(|| "too large to add up".into());
        out += &format!("Total: {total} {}\n", v.currency.code());
        if !v.unpriced.is_empty() {
            let names: Vec<_> = v.unpriced.iter().map(|a| sanitize(a)).collect();
            out += &format!("Not priced, left out of the total: {}\n", names.join(", "));
        }
    }
    out.into_bytes()
}

/// At the asset's precision when the API gives one, else exactly as sent.
fn shown(amount: &Amount, b: &Balance) -> String {
    match b.precision {
        // More than 30 places is not a display precision but bad data.
        Some(places) => amount.truncated(places.min(30)),
        None => amount.to_string(),
    }
}

/// Truncated toward zero to `places`, then padded to them.
fn truncate(d: Decimal, places: u32) -> String {
    let mut t = d.round_dp_with_strategy(places, RoundingStrategy::ToZero);
    t.rescale(places);
    if t.is_zero() {
        t.set_sign_positive(true);
    }
    t.to_string()
}
