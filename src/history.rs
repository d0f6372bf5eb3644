//! `btcturk-bal history`: the CSV this tool writes (appended by cron, hour
//! after hour) read back as the account's story: one line per snapshot
//! (a run), one asset's balance over time, or what changed between the
//! first snapshot and the last. Rows are read as they stream by; amounts
//! stay exact decimals.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::balance::Amount;
use crate::error::{Error, Result};
// The columns every dump starts with: those `-o csv` writes.
use crate::render::csv::HEADER as BASE;
use crate::render::{Format, Style};
use crate::text::sanitize;

/// The most rows one run writes (an account lists a few hundred assets,
/// a handful of profiles).
const MAX_ROWS: usize = 100_000;

/// The longest line read: far longer than any line the tool writes.
const MAX_LINE: u64 = 64 * 1024;

const NOT_UTF8: &str = "it is not UTF-8 text, as every dump btcturk-bal writes is";

/// What to show.
pub struct Query {
    pub files: Vec<PathBuf>,
    pub view: View,
    pub since: Option<When>,
    pub until: Option<When>,
    pub profile: Option<String>,
    pub format: Format,
    pub style: Style,
    /// A chart above the table (on a terminal, unless --no-chart).
    pub chart: bool,
}

pub enum View {
    Snapshots,
    Asset(String),
    Changes,
}

/// A time limit: a moment, or a span back from the last snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    At(Timestamp),
    Back(SignedDuration),
}

/// The longest span back accepted: a century holds any account's story,
/// and keeps every time it reaches within what a timestamp can hold.
const MAX_SPAN_DAYS: i64 = 36_525;

impl When {
    /// `2026-11-24T03:00:00Z`, `2026-11-24` (`end_of_day` for an inclusive
    /// upper bound), or `7d`, `24h`, `30m`, `2w` back from the last snapshot.
    pub fn parse(text: &str, end_of_day: bool) -> std::result::Result<When, String> {
        let text = text.trim();
        // Quoted in messages, which need not repeat a huge value whole.
        let shown = crate::text::clip(text, 40);
        let beyond = || format!("{shown:?} is beyond the times btcturk-bal can handle");
        if let Ok(at) = text.parse::<Timestamp>() {
            return Ok(When::At(at));
        }
        if let Ok(date) = text.parse::<jiff::civil::Date>() {
            let midnight = |day: jiff::civil::Date| {
                jiff::tz::TimeZone::UTC.to_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
            };
            let at = if end_of_day {
                date.tomorrow()
                    .and_then(midnight)
                    .and_then(|next| next.checked_sub(SignedDuration::from_nanos(1)))
            } else {
                midnight(date)
            };
            return at.map(When::At).map_err(|_| beyond());
        }
        let not_a_time = || {
            format!(
                "{shown:?} is not a time (2026-11-24T03:00:00Z), a date (2026-11-24) or a span (7d, 24h)"
            )
        };
        // The unit is the last character, whatever it is.
        let (at, unit) = text.char_indices().next_back().ok_or_else(not_a_time)?;
        let seconds: i64 = match unit {
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ if text.bytes().any(|b| b.is_ascii_digit()) => {
                return Err(format!(
                    "{shown:?}: a span is a number and m, h, d or w (7d, 24h)"
                ));
            }
            _ => return Err(not_a_time()),
        };
        let digits = &text[..at];
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.is_empty() {
            return Err(if digits.starts_with('-') {
                format!(
                    "{shown:?}: a span counts back from the last snapshot, so it cannot be negative"
                )
            } else {
                not_a_time()
            });
        }
        let longest =
            || format!("{shown:?}: a span reaches back at most {MAX_SPAN_DAYS}d (a hundred years)");
        let n: i64 = digits.parse().map_err(|_| longest())?;
        match n.checked_mul(seconds) {
            Some(secs) if secs <= MAX_SPAN_DAYS * 86_400 => {
                Ok(When::Back(SignedDuration::from_secs(secs)))
            }
            _ => Err(longest()),
        }
    }

    /// The moment this limit stands for, given the last snapshot's time. A
    /// span reaching past the earliest time there is reaches that time.
    fn resolve(self, last: Timestamp) -> Timestamp {
        match self {
            When::At(at) => at,
            When::Back(span) => last.checked_sub(span).unwrap_or(Timestamp::MIN),
        }
    }
}

/// What one file's header says about its rows.
#[derive(Clone)]
struct Layout {
    delimiter: u8,
    /// The header line as written.
    header: String,
    columns: usize,
    /// The currency of the price and value columns (`try`), if valued.
    currency: Option<String>,
    profile: Option<usize>,
}

impl Layout {
    /// Whether rows of both mean the same: the same columns, the same
    /// currency (the delimiter may differ).
    fn same_columns(&self, other: &Layout) -> bool {
        (self.columns, &self.currency, self.profile)
            == (other.columns, &other.currency, other.profile)
    }

    fn of(header: &str) -> Option<Layout> {
        let rest = header.strip_prefix("fetched_at")?;
        let delimiter = *rest.as_bytes().first()?;
        let names: Vec<&str> = header.split(char::from(delimiter)).collect();
        if names.len() < BASE.len() || names[..BASE.len()] != BASE {
            return None;
        }
        let mut at = BASE.len();
        let mut currency = None;
        if let (Some(price), Some(value)) = (names.get(at), names.get(at + 1))
            && let (Some(p), Some(v)) = (price.strip_prefix("price_"), value.strip_prefix("value_"))
            && p == v
        {
            currency = Some(p.to_owned());
            at += 2;
        }
        let profile = match names.get(at) {
            Some(&"profile") => {
                at += 1;
                Some(at - 1)
            }
            _ => None,
        };
        (at == names.len()).then(|| Layout {
            delimiter,
            header: header.to_owned(),
            columns: names.len(),
            currency,
            profile,
        })
    }
}

/// One row as the story keeps it.
#[derive(Clone)]
struct Holding {
    asset: String,
    balance: Decimal,
    price: Option<Decimal>,
    value: Option<Decimal>,
}

/// One run: how many balances were not zero, their total value, and the
/// rows the view needs.
#[derive(Default)]
struct Snapshot {
    /// Rows read, of every asset and profile.
    rows: usize,
    assets: usize,
    total: Option<Decimal>,
    holdings: Vec<Holding>,
}

/// Every snapshot read, by time, and the files' layout.
struct Story {
    snapshots: BTreeMap<Timestamp, Snapshot>,
    layout: Option<(PathBuf, Layout)>,
}

pub fn run(query: &Query) -> Result<Vec<u8>> {
    let mut story = Story {
        snapshots: BTreeMap::new(),
        layout: None,
    };
    let stdin = [PathBuf::from("-")];
    let files = if query.files.is_empty() {
        &stdin[..]
    } else {
        &query.files
    };
    for path in files {
        read_file(path, query, &mut story)?;
    }
    let valued = story.layout.as_ref().and_then(|(_, l)| l.currency.clone());
    let snapshots = in_range(story.snapshots, query);
    let currency = valued.map(|c| c.to_ascii_uppercase());
    render(query, &snapshots, currency.as_deref())
}

/// Reads one dump (`-` is stdin), adding its rows to the story.
fn read_file(path: &Path, query: &Query, story: &mut Story) -> Result<()> {
    let open_err = |source| Error::HistoryOpen {
        path: path.to_path_buf(),
        source,
    };
    let input: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(open_err)?)
    };
    let mut input = BufReader::with_capacity(256 * 1024, input);
    let bad = |line: u64, problem: String| Error::HistoryData {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let mut first = Vec::new();
    (&mut input)
        .take(MAX_LINE)
        .read_until(b'\n', &mut first)
        .map_err(open_err)?;
    if first.len() as u64 == MAX_LINE && !first.ends_with(b"\n") {
        return Err(bad(
            1,
            "it is longer than any line btcturk-bal writes".into(),
        ));
    }
    let first = String::from_utf8(first).map_err(|_| bad(1, NOT_UTF8.into()))?;
    let header = first
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\n', '\r']);
    if header.is_empty() {
        return Ok(());
    }
    let layout = Layout::of(header).ok_or_else(|| {
        bad(
            1,
            "this is not a header of btcturk-bal's CSV (fetched_at,asset,...)".into(),
        )
    })?;
    match &story.layout {
        // Plain and Turkish dumps of the same columns mix well.
        Some((other, known)) if !known.same_columns(&layout) => {
            return Err(Error::HistoryMixed {
                first: other.clone(),
                first_header: sanitize(&known.header),
                second: path.to_path_buf(),
                second_header: sanitize(&layout.header),
            });
        }
        Some(_) => {}
        None => story.layout = Some((path.to_path_buf(), layout.clone())),
    }
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    loop {
        let line = rows.position().line() + 1;
        match rows.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => add(&record, &layout, query, story).map_err(|p| bad(line, p))?,
            Err(e) => {
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(e) => open_err(e),
                    csv::ErrorKind::Utf8 { .. } => bad(line, NOT_UTF8.into()),
                    _ => bad(line, "it is not a row of CSV".into()),
                });
            }
        }
    }
}

/// Adds one row to its snapshot; what is wrong with it otherwise.
fn add(
    record: &csv::StringRecord,
    layout: &Layout,
    query: &Query,
    story: &mut Story,
) -> std::result::Result<(), String> {
    if record.len() != layout.columns {
        return Err(format!(
            "{} fields where the header has {}",
            record.len(),
            layout.columns
        ));
    }
    let field = |i: usize| record.get(i).unwrap_or_default();
    if let Some(wanted) = &query.profile {
        let profile = layout.profile.map_or("default", field);
        if profile != wanted {
            return Ok(());
        }
    }
    let at: Timestamp = field(0)
        .parse()
        .map_err(|_| format!("fetched_at {:?} is not a time", sanitize(field(0))))?;
    let optional = |name: &str, i: usize| match field(i) {
        "" => Ok(None),
        text => number(name, text).map(Some),
    };
    let balance = number("balance", field(3))?;
    let (price, value) = match layout.currency {
        Some(_) => (optional("price", 9)?, optional("value", 10)?),
        None => (None, None),
    };
    let snapshot = story.snapshots.entry(at).or_default();
    if snapshot.rows == MAX_ROWS {
        return Err(format!(
            "more than {MAX_ROWS} rows share fetched_at {}",
            time(at)
        ));
    }
    snapshot.count(balance, value, layout.currency.is_some());
    let keep = match &query.view {
        View::Snapshots => false,
        View::Asset(code) => field(1).eq_ignore_ascii_case(code),
        View::Changes => true,
    };
    if keep {
        snapshot.holdings.push(Holding {
            asset: field(1).to_owned(),
            balance,
            price,
            value,
        });
    }
    Ok(())
}

/// An amount in a dump, named `name` in what is wrong with it.
fn number(name: &str, text: &str) -> std::result::Result<Decimal, String> {
    let d = Amount::parse(text)
        .ok()
        .and_then(|a| a.to_decimal())
        .ok_or_else(|| format!("{name} {:?} is not a number", sanitize(text)))?;
    // Below 10^23, the rows of a snapshot (at most MAX_ROWS) add up, and
    // any two sums subtract, without overflowing a Decimal: every sum and
    // difference here is exact and none can fail.
    if d.abs() >= Decimal::from_i128_with_scale(10_i128.pow(23), 0) {
        return Err(format!(
            "{name} {:?} is too large to add up",
            sanitize(text)
        ));
    }
    Ok(d)
}

impl Snapshot {
    /// Counts one row: an asset held if its balance is not zero and, in a
    /// valued dump, its value (when priced) in the total.
    fn count(&mut self, balance: Decimal, value: Option<Decimal>, valued: bool) {
        self.rows += 1;
        if !balance.is_zero() {
            self.assets += 1;
        }
        if valued {
            let total = self.total.unwrap_or_default();
            self.total = Some(
                value
                    .map_or(Some(total), |v| total.checked_add(v))
                    .unwrap_or(total),
            );
        }
    }
}

/// The snapshots within `--since` and `--until` (inclusive), oldest first.
fn in_range(snapshots: BTreeMap<Timestamp, Snapshot>, query: &Query) -> Vec<(Timestamp, Snapshot)> {
    let Some(last) = snapshots.keys().next_back().copied() else {
        return Vec::new();
    };
    let since = query.since.map(|w| w.resolve(last));
    let until = query.until.map(|w| w.resolve(last));
    snapshots
        .into_iter()
        .filter(|(at, _)| since.is_none_or(|s| *at >= s) && until.is_none_or(|u| *at <= u))
        .collect()
}

/// RFC 3339, whole seconds, as the dumps write it.
fn time(at: Timestamp) -> String {
    format!("{at:.0}")
}

fn text(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// One asset's holdings summed across profiles: balance, price, value.
fn combined(holdings: &[Holding]) -> (Decimal, Option<Decimal>, Option<Decimal>) {
    let balance = holdings.iter().map(|h| h.balance).sum();
    let price = holdings.iter().find_map(|h| h.price);
    let value = holdings.iter().filter_map(|h| h.value).reduce(|a, b| a + b);
    (balance, price, value)
}

/// A view's rows: its header and each row's cells (`None`: no value).
type Grid = (Vec<&'static str>, Vec<Vec<Option<String>>>);

fn snapshots_grid(snapshots: &[(Timestamp, Snapshot)]) -> Grid {
    let mut previous: Option<Decimal> = None;
    let rows = snapshots
        .iter()
        .map(|(at, s)| {
            let change = s.total.zip(previous).map(|(t, p)| (t - p).normalize());
            previous = s.total;
            vec![
                Some(time(*at)),
                Some(s.assets.to_string()),
                text(s.total.map(|t| t.normalize())),
                text(change),
            ]
        })
        .collect();
    (vec!["fetched_at", "assets", "total", "change"], rows)
}

fn asset_grid(snapshots: &[(Timestamp, Snapshot)]) -> Grid {
    let rows = snapshots
        .iter()
        .map(|(at, s)| {
            let (balance, price, value) = combined(&s.holdings);
            vec![
                Some(time(*at)),
                Some(balance.to_string()),
                text(price),
                text(value),
            ]
        })
        .collect();
    (vec!["fetched_at", "balance", "price", "value"], rows)
}

/// Each asset's balance and value at a snapshot, summed across profiles.
fn by_asset(s: &Snapshot) -> BTreeMap<String, (Decimal, Option<Decimal>)> {
    let mut assets: BTreeMap<String, Vec<Holding>> = BTreeMap::new();
    for h in &s.holdings {
        assets
            .entry(h.asset.to_ascii_uppercase())
            .or_default()
            .push(h.clone());
    }
    assets
        .into_iter()
        .map(|(code, hs)| {
            let (balance, _, value) = combined(&hs);
            (code, (balance, value))
        })
        .collect()
}

fn changes_grid(snapshots: &[(Timestamp, Snapshot)], valued: bool) -> Grid {
    let (Some((_, first)), Some((_, last))) = (snapshots.first(), snapshots.last()) else {
        return (Vec::new(), Vec::new());
    };
    let (from, to) = (by_asset(first), by_asset(last));
    let mut codes: Vec<&String> = from.keys().chain(to.keys()).collect();
    codes.sort();
    codes.dedup();
    let zero = (Decimal::ZERO, None);
    let rows = codes
        .into_iter()
        .map(|code| {
            let (a, av) = from.get(code).copied().unwrap_or(zero);
            let (b, bv) = to.get(code).copied().unwrap_or(zero);
            let value_change =
                valued.then(|| (bv.unwrap_or_default() - av.unwrap_or_default()).normalize());
            vec![
                Some(code.clone()),
                Some(a.to_string()),
                Some(b.to_string()),
                Some((b - a).normalize().to_string()),
                text(value_change),
            ]
        })
        .collect();
    (vec!["asset", "from", "to", "change", "value_change"], rows)
}

/// A JSON object whose keys keep the order given.
struct Object(Vec<(&'static str, Field)>);

/// A value in an `Object`: plain JSON, or rows that keep their key order.
enum Field {
    Value(serde_json::Value),
    Rows(Vec<Object>),
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(s),
            Field::Rows(rows) => rows.serialize(s),
        }
    }
}

impl Serialize for Object {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The rows of a grid as JSON objects, in column order; `assets` is a
/// count, every other value a string (decimals exact) or null.
fn objects(grid: &Grid) -> Vec<Object> {
    let (header, rows) = grid;
    rows.iter()
        .map(|row| {
            Object(
                header
                    .iter()
                    .zip(row)
                    .map(|(name, cell)| {
                        let value = match (*name, cell) {
                            ("assets", Some(n)) => {
                                n.parse::<u64>().map_or(serde_json::Value::Null, Into::into)
                            }
                            (_, Some(text)) => text.clone().into(),
                            (_, None) => serde_json::Value::Null,
                        };
                        (*name, Field::Value(value))
                    })
                    .collect(),
            )
        })
        .collect()
}

fn render(
    query: &Query,
    snapshots: &[(Timestamp, Snapshot)],
    currency: Option<&str>,
) -> Result<Vec<u8>> {
    let grid = match &query.view {
        View::Snapshots => snapshots_grid(snapshots),
        View::Asset(_) => asset_grid(snapshots),
        View::Changes => changes_grid(snapshots, currency.is_some()),
    };
    match query.format {
        Format::Json => json(query, snapshots, currency, &grid),
        Format::Csv => csv_bytes(&grid),
        Format::Table => {
            let mut out = String::new();
            if query.chart {
                let points: Vec<(Timestamp, Decimal)> = match &query.view {
                    View::Snapshots => snapshots
                        .iter()
                        .filter_map(|(at, s)| Some((*at, s.total?)))
                        .collect(),
                    View::Asset(_) => snapshots
                        .iter()
                        .map(|(at, s)| (*at, combined(&s.holdings).0))
                        .collect(),
                    View::Changes => Vec::new(),
                };
                let width = comfy_table::Table::new().width().map_or(80, usize::from);
                out += &chart(&points, width);
            }
            out += &table(&grid, currency, query.style);
            Ok(out.into_bytes())
        }
    }
}

fn json(
    query: &Query,
    snapshots: &[(Timestamp, Snapshot)],
    currency: Option<&str>,
    grid: &Grid,
) -> Result<Vec<u8>> {
    let mut doc = Vec::new();
    if let View::Asset(code) = &query.view {
        doc.push(("asset", Field::Value(code.to_ascii_uppercase().into())));
    }
    let currency = currency.map_or(serde_json::Value::Null, Into::into);
    doc.push(("currency", Field::Value(currency)));
    let rows = Field::Rows(objects(grid));
    if let View::Changes = query.view {
        let edge = |s: Option<&(Timestamp, Snapshot)>| {
            Field::Value(s.map_or(serde_json::Value::Null, |(at, _)| time(*at).into()))
        };
        doc.push(("from", edge(snapshots.first())));
        doc.push(("to", edge(snapshots.last())));
        doc.push(("assets", rows));
    } else {
        doc.push(("snapshots", rows));
    }
    let mut out = serde_json::to_vec_pretty(&Object(doc)).map_err(|e| Error::Output(e.into()))?;
    out.push(b'\n');
    Ok(out)
}

fn csv_bytes(grid: &Grid) -> Result<Vec<u8>> {
    let (header, rows) = grid;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Output(e.into());
    csv.write_record(header).map_err(fail)?;
    for row in rows {
        csv.write_record(row.iter().map(|c| c.as_deref().unwrap_or("")))
            .map_err(fail)?;
    }
    csv.into_inner().map_err(|e| Error::Output(e.into_error()))
}

fn table(grid: &Grid, currency: Option<&str>, style: Style) -> String {
    use comfy_table::CellAlignment;
    let (header, rows) = grid;
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            let name = h.replace('_', " ");
            let mut name = name[..1].to_uppercase() + &name[1..];
            if let Some(code) = currency
                && matches!(*h, "total" | "change" | "value" | "value_change" | "price")
            {
                name += &format!(" ({code})");
            }
            name
        })
        .collect();
    let mut table = crate::render::table::styled(names, style);
    for row in rows {
        table.add_row(row.iter().map(|c| sanitize(c.as_deref().unwrap_or("-"))));
    }
    for (i, column) in table.column_iter_mut().enumerate() {
        if i > 0 {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    out
}

/// Rows of the chart (each four dots high).
const CHART_ROWS: usize = 8;

/// A line chart of `points` (time, value) in braille, `width` columns wide
/// with the value axis labelled (exact, truncated to two decimals) and the
/// first and last times under it.
fn chart(points: &[(Timestamp, Decimal)], width: usize) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let label = |d: Decimal| {
        let mut d = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
        d.rescale(2);
        d.to_string()
    };
    let min = points.iter().map(|p| p.1).min().unwrap_or_default();
    let max = points.iter().map(|p| p.1).max().unwrap_or_default();
    let (top, bottom) = (label(max), label(min));
    let gutter = top.len().max(bottom.len());
    let columns = width.saturating_sub(gutter + 2).max(10);
    let grid = plot(points, columns, (min, max));

    let mut out = String::new();
    for (i, row) in grid.iter().enumerate() {
        let name = match i {
            0 => top.as_str(),
            _ if i == CHART_ROWS - 1 => bottom.as_str(),
            _ => "",
        };
        let tick = if name.is_empty() { '│' } else { '┤' };
        out.push_str(&format!("{name:>gutter$} {tick}"));
        out.extend(
            row.iter()
                .map(|&b| char::from_u32(0x2800 + u32::from(b)).unwrap_or(' ')),
        );
        out.push('\n');
    }
    out.push_str(&format!("{:gutter$} └{}\n", "", "─".repeat(columns)));
    let (from, to) = (time(first.0), time(last.0));
    let pad = columns.saturating_sub(from.len() + to.len());
    let indent = gutter + 2;
    out.push_str(&format!("{:indent$}{from}{}{to}\n", "", " ".repeat(pad)));
    out
}

/// The braille cells (`CHART_ROWS` by `columns`, each 2 by 4 dots) of a
/// line through `points`, time across and value up from `min` to `max`.
/// Scaled with exact integer arithmetic: no amount passes through floating
/// point, even on its way to a dot.
fn plot(
    points: &[(Timestamp, Decimal)],
    columns: usize,
    (min, max): (Decimal, Decimal),
) -> Vec<Vec<u8>> {
    use rust_decimal::prelude::ToPrimitive;
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let (dots_x, dots_y) = (columns * 2, CHART_ROWS * 4);
    let span = (last.0 - first.0).as_secs().max(1);
    let range = max.checked_sub(min).unwrap_or(Decimal::MAX);
    let dot = |(at, value): &(Timestamp, Decimal)| {
        let x = (at.as_second() - first.0.as_second()) * (dots_x as i64 - 1) / span;
        let y = if range.is_zero() {
            (dots_y / 2) as i64
        } else {
            // Divided first: the share of the range is at most 1, so
            // scaling it to dots cannot overflow, whatever the totals.
            value
                .checked_sub(min)
                .and_then(|above| above.checked_div(range))
                .and_then(|share| share.checked_mul(Decimal::from(dots_y - 1)))
                .and_then(|y| y.round().to_i64())
                .unwrap_or(0)
        };
        (x, y)
    };
    let mut grid = vec![vec![0u8; columns]; CHART_ROWS];
    let mut set = |x: i64, y: i64| {
        let (x, y) = (
            x.clamp(0, dots_x as i64 - 1) as usize,
            y.clamp(0, dots_y as i64 - 1) as usize,
        );
        let row = CHART_ROWS - 1 - y / 4;
        // Braille dots: the left column 1, 2, 3, 7 and the right 4, 5, 6, 8,
        // top to bottom.
        let bits = [[0x40, 0x04, 0x02, 0x01], [0x80, 0x20, 0x10, 0x08]];
        grid[row][x / 2] |= bits[x % 2][y % 4];
    };
    let dots: Vec<(i64, i64)> = points.iter().map(dot).collect();
    for pair in dots.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let steps = (x1 - x0).abs().max((y1 - y0).abs()).max(1);
        for i in 0..=steps {
            set(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps);
        }
    }
    if let [(x, y)] = dots[..] {
        set(x, y);
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn times_dates_and_spans() {
        let at = |t: &str| match When::parse(t, false) {
            Ok(When::At(at)) => time(at),
            other => format!("{other:?}"),
        };
        assert_eq!(at("2026-11-24T03:00:00Z"), "2026-11-24T03:00:00Z");
        assert_eq!(at("2026-11-24"), "2026-11-24T00:00:00Z");
        assert_eq!(
            When::parse("2026-11-24", true).map(|w| w.resolve(Timestamp::UNIX_EPOCH)),
            Ok("2026-11-24T23:59:59.999999999Z".parse().expect("time"))
        );
        assert_eq!(
            When::parse(" 7d ", false),
            Ok(When::Back(SignedDuration::from_hours(7 * 24)))
        );
        assert_eq!(
            When::parse("36525d", false),
            Ok(When::Back(SignedDuration::from_hours(36_525 * 24)))
        );
    }

    #[test]
    fn what_is_not_a_time_or_is_beyond_reach_is_refused_in_words() {
        let err = |t: &str, end| When::parse(t, end).expect_err(t);
        assert!(err("é", false).contains("is not a time"));
        assert!(err("7é", false).contains("a span is a number and m, h, d or w"));
        assert!(err("", false).contains("is not a time"));
        assert!(err("d", false).contains("is not a time"));
        for long in [
            "5000000d",
            "9223372036854775807m",
            "99999999999999999999999h",
            "36526d",
        ] {
            assert!(err(long, false).contains("at most 36525d"), "{long}");
        }
        assert!(err("-5000000d", true).contains("cannot be negative"));
        assert!(err("-1d", true).contains("cannot be negative"));
        assert!(err("9999-12-30", true).contains("beyond the times"));
        assert!(err("9999-12-31", false).contains("beyond the times"));
    }

    #[test]
    fn the_largest_totals_are_charted() {
        // 27,000 rows of just under 10^23 each, against nothing.
        let big = Decimal::from_i128_with_scale(27_000 * (10_i128.pow(23) - 1), 0);
        let t = |s: i64| Timestamp::from_second(s).expect("time");
        for points in [
            vec![(t(0), big), (t(3600), Decimal::ZERO)],
            vec![(t(0), -big), (t(3600), big)],
        ] {
            let grid = plot(
                &points,
                20,
                (points[0].1.min(points[1].1), points[0].1.max(points[1].1)),
            );
            assert_eq!(grid.len(), CHART_ROWS);
            let shown = chart(&points, 60);
            assert!(shown.contains("2699999999999999999999973000"), "{shown}");
        }
    }

    #[test]
    fn a_span_resolves_without_overflow() {
        let span = When::parse("36525d", false).expect("span");
        assert_eq!(span.resolve(Timestamp::MIN), Timestamp::MIN);
    }

    proptest! {
        #[test]
        fn any_text_is_a_time_or_an_error(text in "\\PC{0,40}", end in any::<bool>()) {
            if let Ok(when) = When::parse(&text, end) {
                let _ = when.resolve(Timestamp::MIN);
                let _ = when.resolve(Timestamp::MAX);
            }
        }

        #[test]
        fn any_number_and_unit_is_a_span_or_an_error(n in any::<i64>(), unit in "[mhdwx]") {
            if let Ok(when) = When::parse(&format!("{n}{unit}"), false) {
                let _ = when.resolve(Timestamp::MIN);
            }
        }
    }
}
