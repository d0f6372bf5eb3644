//! `-o table`: for reading. Amounts at the asset's display precision,
//! truncated toward zero so the table never shows more than the user has;
//! text from the server escaped. Laid out by comfy-table: box drawing on a
//! terminal, with the Name column wrapped to fit its width; plain ASCII
//! anywhere else.

use std::borrow::Cow;

use comfy_table::{
    Attribute, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width, presets,
};

use super::Style;
use crate::figure::Figure;
use crate::report::{Report, Row};
use crate::text::{paint, sanitize, sanitized};

/// Most decimals shown for prices (truncated, trailing zeros dropped), and
/// the decimals of values (truncated, padded).
const PRICE_PLACES: u32 = 8;
const VALUE_PLACES: u32 = 2;

/// More decimals than this is not a display precision but bad data.
const MAX_PLACES: u32 = 30;

/// The narrowest the Name column gets, padding included: on a narrow
/// terminal only the name wraps, and not below this.
const NAME_MIN_WIDTH: u16 = 10;

/// An empty table in the style: box drawing (fitted to the terminal) or
/// plain ASCII, the header bold when colouring.
pub fn styled(header: Vec<String>, style: Style) -> Table {
    let mut table = Table::new();
    if style.boxes {
        table.load_style(presets::UTF8_FULL_CONDENSED);
    } else {
        table.load_style(presets::ASCII_FULL_CONDENSED);
        table.force_no_tty();
    }
    if style.color {
        table.enforce_styling();
    }
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(header.into_iter().map(|h| {
        let cell = Cell::new(h);
        if style.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    table
}

pub fn render(report: &Report, style: Style) -> String {
    let mut table = styled(header(report), style);
    for row in &report.rows {
        table.add_row(cells(report, row));
    }
    // The columns after the name hold numbers: right-aligned.
    let name_column = usize::from(report.by_profile) + 1;
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_constraint(if index == name_column {
            ColumnConstraint::LowerBoundary(Width::Fixed(NAME_MIN_WIDTH))
        } else {
            ColumnConstraint::ContentWidth
        });
        if index > name_column {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    out + &totals(report, style.color)
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

fn cells<'a>(report: &Report, row: &Row<'a>) -> Vec<Cow<'a, str>> {
    let b = row.balance;
    let mut cells = Vec::with_capacity(8);
    if report.by_profile {
        cells.push(sanitized(row.profile.unwrap_or("")));
    }
    cells.push(sanitized(&b.asset));
    cells.push(sanitized(b.name.as_deref().unwrap_or("")));
    let places = b.precision.map(|p| p.min(MAX_PLACES));
    for amount in [&b.balance, &b.free, &b.locked] {
        cells.push(match places {
            Some(places) => Cow::Owned(amount.truncated(places)),
            None => Cow::Borrowed(amount.as_str()),
        });
    }
    if report.valuation.is_some() {
        cells.push(
            row.price
                .as_ref()
                .map_or(Cow::Borrowed("-"), |p| Cow::Owned(p.trimmed(PRICE_PLACES))),
        );
        cells.push(row.value.as_ref().map_or(Cow::Borrowed("-"), |v| {
            Cow::Owned(v.truncated(VALUE_PLACES))
        }));
    }
    cells
}

/// The lines under the table when valuing: each profile's total, the total,
/// and the assets left out of it.
fn totals(report: &Report, color: bool) -> String {
    let mut out = String::new();
    if let Some(v) = &report.valuation {
        let code = v.currency.code();
        let total = |t: &Figure| t.truncated(VALUE_PLACES);
        for (profile, sum) in &v.profiles {
            out += &format!("Total ({}): {} {code}\n", sanitize(profile), total(sum));
        }
        let line = format!("Total: {} {code}", total(&v.total));
        out += &paint(&line, "1", color);
        out.push('\n');
        if !v.unpriced.is_empty() {
            let names: Vec<_> = v.unpriced.iter().map(|a| sanitize(a)).collect();
            out += &format!("Not priced, left out of the total: {}\n", names.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Summary;
    use crate::report::testing::balance;
    use crate::valuation::Currency;

    #[test]
    fn plain_ascii_off_a_terminal_with_totals() {
        let mut btc = balance("BTC", Some("Bitcoin"), "0.123456789");
        btc.precision = Some(4);
        let mut odd = balance("X\u{1b}", None, "-0.001");
        odd.precision = Some(2);
        let row = |balance, price: Option<i64>| Row {
            profile: None,
            balance,
            price: price.and_then(|p| Figure::exact(&p.to_string())),
            value: price.and_then(|p| {
                Figure::exact(&format!("{}.{:04}", p * 12345 / 10000, p * 12345 % 10000))
            }),
        };
        let report = Report {
            fetched_at: "t".into(),
            rows: vec![row(&btc, Some(3)), row(&odd, None)],
            valuation: Some(Summary {
                currency: Currency::Try,
                total: Figure::exact("3.7035").expect("figure"),
                unpriced: vec!["X\u{1b}".into()],
                profiles: Vec::new(),
            }),
            by_profile: false,
            profiles: Vec::new(),
        };
        let style = Style {
            color: false,
            boxes: false,
        };
        assert_eq!(
            render(&report, style),
            "\
+---------+----------+--------+--------+--------+-------------+-------------+
| Asset   | Name     |  Total |   Free | Locked | Price (TRY) | Value (TRY) |
+===========================================================================+
| BTC     | Bitcoin  | 0.1234 | 0.1234 | 0.0000 |           3 |        3.70 |
| X\\u{1b} |          |   0.00 |   0.00 |   0.00 |           - |           - |
+---------+----------+--------+--------+--------+-------------+-------------+
Total: 3.70 TRY
Not priced, left out of the total: X\\u{1b}
"
        );
    }
}
