//! `-o table`: for reading. Amounts at the asset's display precision,
//! truncated toward zero so the table never shows more than the user has.

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, Width, presets};

use super::Report;
use crate::balance::{Amount, Balance};

pub fn render(report: &Report, terminal: bool) -> Vec<u8> {
    let mut table = Table::new();
    table.load_style(if terminal {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::ASCII_FULL_CONDENSED
    });
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["Asset", "Name", "Total", "Free", "Locked"]);
    for b in report.balances {
        table.add_row([
            crate::term::sanitize(&b.asset),
            crate::term::sanitize(b.name.as_deref().unwrap_or("")),
            shown(&b.balance, b),
            shown(&b.free, b),
            shown(&b.locked, b),
        ]);
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
    let mut out = table.to_string().into_bytes();
    out.push(b'\n');
    out
}

/// At the asset's precision when the API gives one, else exactly as sent.
fn shown(amount: &Amount, b: &Balance) -> String {
    match b.precision {
        // More than 30 places is not a display precision but bad data.
        Some(places) => amount.truncated(places.min(30)),
        None => amount.to_string(),
    }
}
