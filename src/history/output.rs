//! A view as bytes: JSON and CSV with every digit (escaped on a terminal,
//! exact to pipes and files), or a table in display precision under its
//! chart.

use jiff::Timestamp;
use serde::Serialize;

use super::Format;
use super::read::Snapshot;
use super::views::{self, Cell, Grid};
use super::{Query, View};
use crate::error::{Error, Result};
use crate::text::{json_for_terminal, sanitize, sanitized};

/// The view's bytes in the query's format.
pub(super) fn render(
    query: &Query,
    snapshots: &[Snapshot],
    currency: Option<&str>,
    at: Option<Timestamp>,
) -> Result<Vec<u8>> {
    let mut grid = match &query.view {
        View::Snapshots => views::snapshots(snapshots)?,
        View::Asset(_) => views::asset(snapshots)?,
        View::Changes => views::changes(snapshots, currency.is_some())?,
        View::At(_) => views::holdings(snapshots.last(), currency.is_some())?,
    };
    if let (Some(period), View::Snapshots | View::Asset(_)) = (query.every, &query.view) {
        grid = grid.with_periods(snapshots, period, &query.tz, Timestamp::now());
    }
    match query.format {
        Format::Json | Format::Jsonl => json(query, snapshots, currency, at, &grid),
        Format::Csv if matches!(query.view, View::At(_)) => csv_bytes(
            &grid.for_csv_at(snapshots.last().map(|s| s.at), currency),
            query.escape,
        ),
        Format::Csv => csv_bytes(&grid, query.escape),
        Format::Table => {
            let mut out = String::new();
            if query.chart && !matches!(query.view, View::Changes | View::At(_)) {
                let (points, places) =
                    views::points(snapshots, matches!(query.view, View::Asset(_)))?;
                out += &super::chart::chart(&points, query.width, places);
            }
            out += &table(&grid, &query.view, currency, query);
            if let (View::At(_), Some(snapshot)) = (&query.view, snapshots.last()) {
                out += &holdings_footer(snapshot, at, currency);
            }
            Ok(out.into_bytes())
        }
    }
}

/// A row of a grid as a JSON object, its keys in column order.
struct Object(Vec<(&'static str, serde_json::Value)>);

impl Serialize for Object {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(key, value)| (key, value)))
    }
}

/// The rows of a grid as JSON objects, in column order; a count is a
/// number, every other value a string (decimals exact) or null.
fn objects(grid: &Grid) -> Vec<Object> {
    let value = |cell: &Option<Cell>| match cell {
        Some(Cell::Count(n)) => (*n as u64).into(),
        Some(cell) => cell.exact().into(),
        None => serde_json::Value::Null,
    };
    (grid.rows.iter())
        .map(|row| {
            Object(
                grid.header
                    .iter()
                    .copied()
                    .zip(row.iter().map(value))
                    .collect(),
            )
        })
        .collect()
}

/// A view as JSON: the fields of its kind, in this order.
#[derive(Serialize)]
struct Document {
    #[serde(skip_serializing_if = "Option::is_none")]
    asset: Option<String>,
    currency: Option<String>,
    /// `--at`: the time asked, and the snapshot's time (null: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fetched_at: Option<Option<String>>,
    /// `--changes`: the first snapshot's time and the last's.
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshots: Option<Vec<Object>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assets: Option<Vec<Object>>,
    /// `--at`: the snapshot's total (null: not valued).
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<Option<String>>,
}

fn json(
    query: &Query,
    snapshots: &[Snapshot],
    currency: Option<&str>,
    at: Option<Timestamp>,
    grid: &Grid,
) -> Result<Vec<u8>> {
    let time = |t: Option<Timestamp>| Some(t.map(|t| format!("{t:.0}")));
    let (first, last) = (snapshots.first(), snapshots.last());
    let rows = Some(objects(grid));
    let mut doc = Document {
        asset: None,
        currency: currency.map(str::to_owned),
        at: None,
        fetched_at: None,
        from: None,
        to: None,
        snapshots: None,
        assets: None,
        total: None,
    };
    match &query.view {
        View::At(_) => {
            doc.at = time(at);
            doc.fetched_at = time(last.map(|s| s.at));
            doc.assets = rows;
            doc.total = Some(last.and_then(|s| s.total).map(|t| t.to_string()));
        }
        View::Changes => {
            doc.from = time(first.map(|s| s.at));
            doc.to = time(last.map(|s| s.at));
            doc.assets = rows;
        }
        View::Asset(code) => {
            doc.asset = Some(code.to_ascii_uppercase());
            doc.snapshots = rows;
        }
        View::Snapshots => doc.snapshots = rows,
    }
    // JSON Lines: the whole view compact on one line, as the listing's.
    let written = match query.format {
        Format::Jsonl => serde_json::to_string(&doc),
        _ => serde_json::to_string_pretty(&doc),
    };
    let mut out = written.map_err(|e| Error::Output(e.into()))?;
    out.push('\n');
    if query.escape {
        out = json_for_terminal(&out).into_owned();
    }
    Ok(out.into_bytes())
}

fn csv_bytes(grid: &Grid, escape: bool) -> Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Output(e.into());
    csv.write_record(&grid.header).map_err(fail)?;
    for row in &grid.rows {
        let fields = row
            .iter()
            .map(|c| c.as_ref().map(Cell::exact).unwrap_or_default());
        if escape {
            csv.write_record(fields.map(|f| sanitize(&f)))
                .map_err(fail)?;
        } else {
            csv.write_record(fields).map_err(fail)?;
        }
    }
    csv.into_inner().map_err(|e| Error::Output(e.into_error()))
}

/// The line under the holdings at a time: which snapshot they are, and
/// their total in display precision.
fn holdings_footer(snapshot: &Snapshot, at: Option<Timestamp>, currency: Option<&str>) -> String {
    let at = at
        .map(|t| format!(" at or before {t:.0}"))
        .unwrap_or_default();
    let total = match (&snapshot.total, currency) {
        (Some(total), Some(code)) => format!("; total {} {code}", total.rounded(2)),
        _ => String::new(),
    };
    format!("The snapshot of {:.0}, the last{at}{total}\n", snapshot.at)
}

/// "Total (TRY)": a column's name as the table heads it, naming the
/// currency of the columns that hold an amount of it.
fn heading(name: &str, view: &View, currency: Option<&str>) -> String {
    let words = name.replace('_', " ");
    let mut words = match words.get(..1) {
        Some(first) => first.to_uppercase() + words.get(1..).unwrap_or_default(),
        None => words,
    };
    let in_currency = match name {
        "total" | "value" | "value_change" | "price" => true,
        // The change of a total; in --changes, of a balance (the asset's units).
        "change" => matches!(view, View::Snapshots),
        _ => false,
    };
    if let Some(code) = currency
        && in_currency
    {
        words += &format!(" ({code})");
    }
    words
}

fn table(grid: &Grid, view: &View, currency: Option<&str>, query: &Query) -> String {
    use comfy_table::{CellAlignment, ColumnConstraint};
    let names = grid
        .header
        .iter()
        .map(|h| heading(h, view, currency))
        .collect();
    let mut table = crate::render::table::styled(names, query.style);
    table.set_width(u16::try_from(query.width).unwrap_or(u16::MAX));
    for row in &grid.rows {
        table.add_row(row.iter().map(|c| match c {
            Some(cell) => sanitized(&cell.display()).into_owned(),
            None => "-".to_owned(),
        }));
    }
    for (name, column) in grid.header.iter().zip(table.column_iter_mut()) {
        // A number never wraps inside itself: the table may be wider than
        // the terminal instead.
        column.set_constraint(ColumnConstraint::ContentWidth);
        // Numbers right-aligned; times, periods and codes left.
        if !matches!(*name, "fetched_at" | "period" | "period_end" | "asset") {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_change_of_a_balance_is_in_the_asset_s_units() {
        let h = |name| heading(name, &View::Changes, Some("TRY"));
        assert_eq!(h("change"), "Change");
        assert_eq!(h("value_change"), "Value change (TRY)");
        assert_eq!(
            heading("change", &View::Snapshots, Some("TRY")),
            "Change (TRY)"
        );
        assert_eq!(heading("fetched_at", &View::Snapshots, None), "Fetched at");
        assert_eq!(heading("", &View::Snapshots, None), "");
    }
}
