//! `-o table`: for reading. Every figure rounded half to even: balances
//! at the asset's display precision, prices to at most 8 places, values
//! and totals to 2; text from the server escaped. On a terminal the table fits its width: a long name is
//! shortened with `…`, and columns give way in a stated order (Name, then
//! Free, then Locked), each said in a line under the table; numbers are
//! never cut. Off a terminal the table is whole. Box drawing on a terminal
//! that can show it, plain ASCII anywhere else.

use std::borrow::Cow;

use comfy_table::{Attribute, Cell, CellAlignment, ContentArrangement, Table, presets};
use unicode_width::UnicodeWidthStr;

use super::Style;
use crate::figure::Figure;
use crate::report::{Report, Row};
use crate::text::{paint, sanitize, sanitized};

/// Most decimals shown for prices (rounded, trailing zeros dropped), and
/// the decimals of values and totals (rounded, padded).
const PRICE_PLACES: u32 = 8;
const VALUE_PLACES: u32 = 2;

/// More decimals than this is not a display precision but bad data.
const MAX_PLACES: u32 = 30;

/// The narrowest a shortened name gets, `…` included; narrower, the Name
/// column gives way.
const NAME_MIN_WIDTH: usize = 6;

/// The columns that give way on a narrow terminal, first to last.
const GIVE_WAY: [&str; 3] = ["Name", "Free", "Locked"];

/// An empty table in the style: box drawing or plain ASCII, the header
/// bold when colouring.
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
    let header = header(report);
    let mut rows: Vec<Vec<Cow<str>>> = report.rows.iter().map(|r| cells(report, r)).collect();
    let layout = style
        .width
        .map(|w| fit(&header, &rows, w))
        .unwrap_or_default();
    if let Some((column, width)) = layout.shortened {
        for row in &mut rows {
            if row[column].width() > width {
                row[column] = Cow::Owned(shortened(&row[column], width));
            }
        }
    }
    let keep = |i: &usize| !layout.hidden.contains(i);
    let mut table = styled(
        header
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(i))
            .map(|(_, h)| h.clone())
            .collect(),
        style,
    );
    // Laid out here, not by comfy-table: a row never wraps.
    table.set_content_arrangement(ContentArrangement::Disabled);
    for row in rows {
        table.add_row(
            row.into_iter()
                .enumerate()
                .filter(|(i, _)| keep(i))
                .map(|(_, cell)| cell),
        );
    }
    // The columns after the name hold numbers: right-aligned.
    let numbers_from = usize::from(report.by_profile) + 2;
    let shown: Vec<usize> = (0..header.len()).filter(|i| keep(i)).collect();
    for (column, index) in table.column_iter_mut().zip(shown) {
        if index >= numbers_from {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    if !layout.hidden.is_empty() {
        let names: Vec<&str> = layout.hidden.iter().map(|&i| header[i].as_str()).collect();
        out += &format!(
            "Hidden to fit {} columns: {} (-o csv shows all)\n",
            style.width.unwrap_or_default(),
            names.join(", ")
        );
    }
    out + &totals(report, style.color)
}

/// How a table fits a terminal: a column shortened to a width, and the
/// columns left out.
#[derive(Default)]
struct Layout {
    shortened: Option<(usize, usize)>,
    hidden: Vec<usize>,
}

/// The layout of `header` and `rows` on a terminal `width` columns wide.
/// A table too wide even without every column that may give way is left
/// so (the terminal wraps it); at 60 columns and more none is.
fn fit(header: &[String], rows: &[Vec<Cow<str>>], width: usize) -> Layout {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].width())
                .chain([header[c].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut layout = Layout::default();
    // A border before each column and after the last, a space each side.
    let used = |layout: &Layout| -> usize {
        1 + widths
            .iter()
            .enumerate()
            .filter(|(i, _)| !layout.hidden.contains(i))
            .map(|(i, w)| match layout.shortened {
                Some((c, narrower)) if c == i => narrower + 3,
                _ => w + 3,
            })
            .sum::<usize>()
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    for name in GIVE_WAY {
        let over = used(&layout).saturating_sub(width);
        if over == 0 {
            break;
        }
        if let Some(c) = column(name) {
            match name {
                "Name" if widths[c].saturating_sub(over) >= NAME_MIN_WIDTH => {
                    layout.shortened = Some((c, widths[c] - over));
                }
                _ => layout.hidden.push(c),
            }
        }
    }
    // With other columns gone, a name that gave way may fit again,
    // shortened to the room left.
    if let Some(c) = column("Name")
        && let Some(at) = layout.hidden.iter().position(|&h| h == c)
        && layout.hidden.len() > 1
    {
        let room = width.saturating_sub(used(&layout) + 3);
        if room >= NAME_MIN_WIDTH {
            layout.hidden.remove(at);
            layout.shortened = (room < widths[c]).then_some((c, room));
        }
    }
    layout
}

/// `text` cut to `width` columns, its end shown by `…`.
fn shortened(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
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
            Some(places) => Cow::Owned(amount.rounded(places)),
            None => Cow::Owned(amount.to_string()),
        });
    }
    if report.valuation.is_some() {
        cells.push(row.price.as_ref().map_or(Cow::Borrowed("-"), |p| {
            Cow::Owned(p.rounded_trimmed(PRICE_PLACES))
        }));
        cells.push(
            row.value
                .as_ref()
                .map_or(Cow::Borrowed("-"), |v| Cow::Owned(v.rounded(VALUE_PLACES))),
        );
    }
    cells
}

/// The lines under the table when valuing: each profile's total, the total,
/// the assets left out of it, and (where rounding parts them) that the
/// values as shown do not add up to the total as shown.
fn totals(report: &Report, color: bool) -> String {
    let mut out = String::new();
    if let Some(v) = &report.valuation {
        let code = v.currency.code();
        let total = |t: &Figure| t.rounded(VALUE_PLACES);
        for (profile, sum) in &v.profiles {
            out += &format!("Total ({}): {} {code}\n", sanitize(profile), total(sum));
        }
        let line = format!("Total: {} {code}", total(&v.total));
        out += &paint(&line, "1", color);
        out.push('\n');
        let shown: Option<Vec<Figure>> = (report.rows.iter())
            .filter_map(|r| r.value.as_ref())
            .map(|value| Figure::parse(&value.rounded(VALUE_PLACES)).ok())
            .collect();
        if let Some(shown) = shown.and_then(|s| Figure::sum(&s)).map(|s| total(&s))
            && shown != total(&v.total)
        {
            out += &format!("Rounded one by one, the values shown add up to {shown} {code}\n");
        }
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
            price: price.and_then(|p| Figure::parse(&p.to_string()).ok()),
            value: price.and_then(|p| {
                Figure::parse(&format!("{}.{:04}", p * 12345 / 10000, p * 12345 % 10000)).ok()
            }),
        };
        let report = Report {
            fetched_at: "t".into(),
            rows: vec![row(&btc, Some(3)), row(&odd, None)],
            valuation: Some(Summary {
                currency: Currency::Try,
                total: Figure::parse("3.7035").expect("figure"),
                unpriced: vec!["X\u{1b}".into()],
                profiles: Vec::new(),
            }),
            by_profile: false,
            profiles: Vec::new(),
        };
        let style = Style {
            color: false,
            boxes: false,
            width: None,
        };
        assert_eq!(
            render(&report, style),
            "\
+---------+---------+--------+--------+--------+-------------+-------------+
| Asset   | Name    |  Total |   Free | Locked | Price (TRY) | Value (TRY) |
+==========================================================================+
| BTC     | Bitcoin | 0.1235 | 0.1235 | 0.0000 |           3 |        3.70 |
| X\\u{1b} |         |   0.00 |   0.00 |   0.00 |           - |           - |
+---------+---------+--------+--------+--------+-------------+-------------+
Total: 3.70 TRY
Not priced, left out of the total: X\\u{1b}
"
        );
    }
}
