//! `btcturk-bal history`: the CSV this tool writes (appended by cron, hour
//! after hour) read back as the account's story: one line per snapshot
//! (a run), one asset's balance over time, or what changed between the
//! first snapshot and the last. Rows are read as they stream by; amounts
//! stay exact decimals.

mod chart;
mod output;
mod read;
mod views;
mod when;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use when::{Period, When};

use crate::error::{Error, Result};
use crate::render::Style;
use crate::text::sanitize;
use read::{Snapshot, Story};

/// The formats `history` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for reading (with a chart above it on a terminal).
    Table,
    /// One JSON object, every figure an exact string.
    Json,
    /// The same object compact, on one line.
    Jsonl,
    /// RFC 4180 CSV, every figure exact.
    Csv,
}

/// What to show, decided once by the command.
pub struct Query {
    pub files: Vec<PathBuf>,
    pub view: View,
    pub since: Option<When>,
    pub until: Option<When>,
    /// The last snapshot of each period only (`--every`).
    pub every: Option<Period>,
    /// The time zone periods are counted in.
    pub tz: jiff::tz::TimeZone,
    /// `-p` or BTCTURK_PROFILE: that profile's rows of dumps written with
    /// --all-profiles.
    pub profile: Option<String>,
    /// The files are the profile's own `history_file`: all of a dump
    /// without a profile column is that profile's.
    pub profile_file: bool,
    /// The config file's profiles, for "did you mean".
    pub known_profiles: Vec<String>,
    pub format: Format,
    pub style: Style,
    /// A chart above the table (on a terminal, unless --no-chart).
    pub chart: bool,
    /// Text from the dumps made inert: the output is a terminal.
    pub escape: bool,
    /// The terminal's width in columns, for the chart and the table.
    pub width: usize,
    /// Shows the line that says the run waits for a dump's lock.
    pub waiting: Box<dyn Fn(&str)>,
}

pub enum View {
    Snapshots,
    Asset(String),
    Changes,
    /// The holdings at a time (`--at`).
    At(When),
}

/// The bytes to print, and warnings for stderr.
pub struct Outcome {
    pub bytes: Vec<u8>,
    pub notes: Vec<String>,
}

pub fn run(query: &Query) -> Result<Outcome> {
    let mut story = Story::default();
    let stdin = [PathBuf::from("-")];
    let files = if query.files.is_empty() {
        &stdin[..]
    } else {
        &query.files
    };
    for (index, path) in files.iter().enumerate() {
        read::read_file(path, index, query, &mut story)?;
    }
    show(story, files, query)
}

/// The dumps read, as the query's view.
fn show(mut story: Story, files: &[PathBuf], query: &Query) -> Result<Outcome> {
    let currency = story
        .layout
        .as_ref()
        .and_then(|(_, l)| l.columns.currency.as_ref())
        .map(|c| c.to_ascii_uppercase());
    let mut notes = std::mem::take(&mut story.notes);
    // A profile in neither the config file nor the dumps is a typo.
    if let Some(name) = &query.profile
        && story
            .layout
            .as_ref()
            .is_some_and(|(_, l)| l.columns.profile)
        && !story.profiles.contains(name)
        && !query.known_profiles.contains(name)
    {
        let mut known: Vec<String> = query.known_profiles.clone();
        known.extend(story.profiles.iter().cloned());
        known.sort();
        known.dedup();
        return Err(Error::HistoryUnknownProfile {
            name: name.clone(),
            known,
        });
    }
    if story.snapshots.is_empty() {
        // An empty file or stdin (a cron line missing its file, `< /dev/null`).
        let names: Vec<String> = files
            .iter()
            .map(|f| match f.to_str() {
                Some("-") => "stdin".to_owned(),
                _ => sanitize(&f.to_string_lossy()),
            })
            .collect();
        notes.push(format!("no snapshot read from {}", names.join(", ")));
    }
    let snapshots = once_each(story.snapshots, files, &mut notes)?;
    let mut snapshots = in_range(snapshots, query);
    if let Some(period) = query.every {
        snapshots = closes(snapshots, period, &query.tz);
    }
    let mut at = None;
    if let View::At(when) = query.view {
        (snapshots, at) = at_or_before(snapshots, when, &query.tz)?;
        if let (Some(asked), Some(used)) = (at, snapshots.last()) {
            notes.extend(stale(asked, used.at));
        }
    }
    if let View::Asset(code) = &query.view
        && snapshots.iter().all(|s| s.holdings.is_empty())
    {
        notes.push(format!("no snapshot holds the asset {}", sanitize(code)));
        snapshots.clear();
    }
    let bytes = output::render(query, &snapshots, currency.as_deref(), at)?;
    Ok(Outcome { bytes, notes })
}

/// A line when the snapshot used for `--at` is more than a day older than
/// the time asked: its holdings may not be the holdings then.
fn stale(asked: jiff::Timestamp, used: jiff::Timestamp) -> Option<String> {
    let age = asked.duration_since(used);
    let days = age.as_secs() / 86_400;
    (age > jiff::SignedDuration::from_hours(24)).then(|| {
        let unit = if days == 1 { "day" } else { "days" };
        format!(
            "the last snapshot at or before {asked:.0} is {days} {unit} older ({used:.0}); no dump holds a later one"
        )
    })
}

/// The snapshots by time (two runs at one time in file order), each run
/// counted once: a run that another file holds too (a backup copy beside
/// the original) is left out, with a note naming the files; two files that
/// disagree about an asset at one time are an error.
fn once_each(
    mut snapshots: Vec<Snapshot>,
    files: &[PathBuf],
    notes: &mut Vec<String>,
) -> Result<Vec<Snapshot>> {
    // Stable, and in place: a file's runs are in order already.
    if !snapshots.is_sorted_by_key(|s| s.at) {
        snapshots.sort_by_key(|s| s.at);
    }
    let mut kept = vec![true; snapshots.len()];
    let mut repeats: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut group_start = 0;
    for (i, snapshot) in snapshots.iter().enumerate() {
        if i == 0 || snapshots[i - 1].at != snapshot.at {
            group_start = i;
        }
        for (earlier, _) in (group_start..i)
            .map(|j| (&snapshots[j], j))
            .filter(|(e, j)| kept[*j] && e.origin.file != snapshot.origin.file)
        {
            match earlier.same_run(snapshot) {
                Ok(true) => {
                    kept[i] = false;
                    *repeats
                        .entry((earlier.origin.file, snapshot.origin.file))
                        .or_default() += 1;
                    break;
                }
                Ok(false) => {}
                Err(()) => {
                    return Err(Error::HistoryConflict {
                        first: files[earlier.origin.file].clone(),
                        first_line: earlier.origin.line,
                        second: files[snapshot.origin.file].clone(),
                        second_line: snapshot.origin.line,
                        at: format!("{:.0}", snapshot.at),
                    });
                }
            }
        }
    }
    let mut keep = kept.into_iter();
    snapshots.retain(|_| keep.next().unwrap_or(true));
    for ((first, second), count) in repeats {
        let runs = if count == 1 { "run" } else { "runs" };
        notes.push(format!(
            "{} repeats {count} {runs} of {}; each is counted once",
            files[second].display(),
            files[first].display()
        ));
    }
    Ok(snapshots)
}

/// The last snapshot of each period (a period's close), oldest first.
fn closes(snapshots: Vec<Snapshot>, period: Period, tz: &jiff::tz::TimeZone) -> Vec<Snapshot> {
    let mut closes: Vec<(i64, Snapshot)> = Vec::new();
    for snapshot in snapshots {
        let key = period.of(snapshot.at, tz);
        match closes.last_mut() {
            Some((last, close)) if *last == key => *close = snapshot,
            _ => closes.push((key, snapshot)),
        }
    }
    closes.into_iter().map(|(_, s)| s).collect()
}

/// The last snapshot at or before `when` (none when there are none at
/// all), and the time `when` stands for; a time before the first snapshot
/// is an error naming it.
fn at_or_before(
    snapshots: Vec<Snapshot>,
    when: When,
    tz: &jiff::tz::TimeZone,
) -> Result<(Vec<Snapshot>, Option<jiff::Timestamp>)> {
    let (Some(first), Some(last)) = (snapshots.first(), snapshots.last()) else {
        return Ok((Vec::new(), None));
    };
    let at = when.resolve(last.at, tz);
    if at < first.at {
        return Err(Error::HistoryBefore {
            at: format!("{at:.0}"),
            first: format!("{:.0}", first.at),
        });
    }
    let index = snapshots.partition_point(|s| s.at <= at);
    let kept = snapshots.into_iter().nth(index.saturating_sub(1));
    Ok((kept.into_iter().collect(), Some(at)))
}

/// The snapshots within `--since` and `--until` (inclusive), oldest first.
fn in_range(snapshots: Vec<Snapshot>, query: &Query) -> Vec<Snapshot> {
    let Some(last) = snapshots.last().map(|s| s.at) else {
        return Vec::new();
    };
    let since = query.since.map(|w| w.resolve(last, &query.tz));
    let until = query.until.map(|w| w.resolve(last, &query.tz));
    snapshots
        .into_iter()
        .filter(|s| since.is_none_or(|t| s.at >= t) && until.is_none_or(|t| s.at <= t))
        .collect()
}

#[cfg(test)]
pub(super) mod testing {
    use super::*;

    /// A query of `view` over `files` dumps, as JSON, off a terminal.
    pub(in crate::history) fn query(view: View, files: usize) -> Query {
        Query {
            files: (0..files)
                .map(|i| PathBuf::from(format!("d{i}.csv")))
                .collect(),
            view,
            since: None,
            until: None,
            every: None,
            tz: jiff::tz::TimeZone::UTC,
            profile: None,
            profile_file: false,
            known_profiles: Vec::new(),
            format: Format::Json,
            style: Style {
                color: false,
                boxes: false,
                width: None,
            },
            chart: false,
            escape: false,
            width: 80,
            waiting: Box::new(|_| {}),
        }
    }

    /// Each text read as the dump `d{i}.csv`.
    pub(in crate::history) fn story(texts: &[&[u8]], query: &Query) -> Result<Story> {
        let mut story = Story::default();
        for (i, text) in texts.iter().enumerate() {
            let path = PathBuf::from(format!("d{i}.csv"));
            read::read_dump(*text, &path, i, query, &mut story)?;
        }
        Ok(story)
    }

    /// The query's view of the dumps, as its JSON.
    pub(in crate::history) fn shown(texts: &[&[u8]], query: &Query) -> Result<serde_json::Value> {
        let story = story(texts, query)?;
        let outcome = show(story, &query.files, query)?;
        Ok(serde_json::from_slice(&outcome.bytes).expect("JSON"))
    }

    /// The snapshots' times and totals, as `history` counts them.
    pub(in crate::history) fn totals(texts: &[&[u8]]) -> Result<(Vec<String>, Vec<String>)> {
        let q = query(View::Snapshots, texts.len());
        let story = story(texts, &q)?;
        let mut notes = story.notes;
        let files = q.files.clone();
        let kept = once_each(story.snapshots, &files, &mut notes)?;
        let shown = kept
            .iter()
            .map(|s| {
                format!(
                    "{:.0} {}",
                    s.at,
                    s.total.as_ref().map(|t| t.to_string()).unwrap_or_default()
                )
            })
            .collect();
        Ok((shown, notes))
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{query, shown, totals};
    use super::{Period, View, When};
    use crate::error::Error;

    const HEADER: &str = "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,price_try,value_try\n";

    fn dump(rows: &[&str]) -> Vec<u8> {
        let mut text = HEADER.to_owned();
        for row in rows {
            text += row;
            text.push('\n');
        }
        text.into_bytes()
    }

    const T3_TRY: &str = "2026-11-24T03:00:00Z,TRY,Lira,10,10,0,0,0,2,1,10";
    const T3_BTC: &str = "2026-11-24T03:00:00Z,BTC,Bitcoin,1,1,0,0,0,8,5,5";
    const T4_TRY: &str = "2026-11-24T04:00:00Z,TRY,Lira,20,20,0,0,0,2,1,20";

    #[test]
    fn two_runs_in_one_second_are_two_snapshots() {
        let (shown, notes) =
            totals(&[&dump(&[T3_TRY, T3_BTC, T3_TRY, T3_BTC, T4_TRY])]).expect("reads");
        assert_eq!(
            shown,
            [
                "2026-11-24T03:00:00Z 15",
                "2026-11-24T03:00:00Z 15",
                "2026-11-24T04:00:00Z 20"
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_run_in_two_files_counts_once_with_a_note() {
        let a = dump(&[T3_TRY, T3_BTC, T4_TRY]);
        let b = dump(&[T3_TRY, T3_BTC]);
        let (shown, notes) = totals(&[&a, &b]).expect("reads");
        assert_eq!(
            shown,
            ["2026-11-24T03:00:00Z 15", "2026-11-24T04:00:00Z 20"]
        );
        assert_eq!(
            notes,
            ["d1.csv repeats 1 run of d0.csv; each is counted once"]
        );
        // A whole copy: every run once.
        let (shown, notes) = totals(&[&a, &a]).expect("reads");
        assert_eq!(shown.len(), 2);
        assert_eq!(
            notes,
            ["d1.csv repeats 2 runs of d0.csv; each is counted once"]
        );
        // A Turkish copy of the same run is the same run.
        let turkish = "\u{feff}fetched_at;asset;name;balance;free;locked;order_fund;request_fund;precision;price_try;value_try\n\
             2026-11-24T03:00:00Z;TRY;Lira;10,0;10;0;0;0;2;1;10\n2026-11-24T03:00:00Z;BTC;Bitcoin;1;1;0;0;0;8;5;5,00\n";
        let (shown, _) = totals(&[&a, turkish.as_bytes()]).expect("reads");
        assert_eq!(shown.len(), 2);
    }

    #[test]
    fn two_files_that_disagree_about_an_asset_are_bad_data() {
        let a = dump(&[T3_TRY, T3_BTC]);
        let b = dump(&[T4_TRY, "2026-11-24T03:00:00Z,TRY,Lira,11,11,0,0,0,2,1,11"]);
        let err = totals(&[&a, &b]).expect_err("they disagree");
        assert_eq!(
            err.to_string(),
            "d0.csv (line 2) and d1.csv (line 3) hold different rows for one asset at 2026-11-24T03:00:00Z"
        );
        assert_eq!(err.code(), 65);
        // Other assets at one time are two runs, not a conflict.
        let c = dump(&["2026-11-24T03:00:00Z,ETH,Ether,2,2,0,0,0,8,3,6"]);
        let (shown, _) = totals(&[&a, &c]).expect("reads");
        assert_eq!(shown, ["2026-11-24T03:00:00Z 15", "2026-11-24T03:00:00Z 6"]);
    }

    #[test]
    fn a_last_line_without_its_end_is_left_out_with_a_warning() {
        let mut text = dump(&[T3_TRY, T4_TRY]);
        text.pop();
        let (shown, notes) = totals(&[&text]).expect("reads");
        assert_eq!(shown, ["2026-11-24T03:00:00Z 10"]);
        assert_eq!(
            notes,
            ["d0.csv: the last line has no line end (a run being written?); it is left out"]
        );
    }

    #[test]
    fn a_line_longer_than_any_the_tool_writes_is_bad_data_at_once() {
        let long = [HEADER.as_bytes(), &vec![0u8; 2 * super::read::MAX_LINE]].concat();
        let err = totals(&[&long]).expect_err("too long");
        assert_eq!(
            err.to_string(),
            "d0.csv, line 2: it is longer than any line btcturk-bal writes"
        );
        let err = totals(&[&vec![b'x'; super::read::MAX_LINE + 2]]).expect_err("too long");
        assert!(
            err.to_string().starts_with("d0.csv, line 1: it is longer"),
            "{err}"
        );
    }

    #[test]
    fn a_dump_without_its_header_gets_the_header_it_needs() {
        let rows = dump(&[T3_TRY]);
        let text = &rows[HEADER.len()..];
        let err = totals(&[text]).expect_err("no header");
        assert_eq!(err.to_string(), "d0.csv has no header line");
        let hint = err.hint().expect("hint");
        assert!(hint.contains(HEADER.trim_end()), "{hint}");
        let plain = "2026-11-24T03:00:00Z;TRY;Lira;10;10;0;0;0;2\n";
        let hint = totals(&[plain.as_bytes()])
            .expect_err("no header")
            .hint()
            .expect("hint");
        assert!(
            hint.contains(
                "fetched_at;asset;name;balance;free;locked;order_fund;request_fund;precision\n"
            ),
            "{hint}"
        );
        // Not a line to mend: the hint says nothing of mending.
        assert!(!hint.contains("mend"), "{hint}");
    }

    #[test]
    fn text_that_is_not_utf8_is_bad_data_on_its_line() {
        let text = [
            HEADER.as_bytes(),
            b"2026-11-24T03:00:00Z,TRY,L\xffra,10,10,0,0,0,2,1,10\n",
        ]
        .concat();
        let err = totals(&[&text]).expect_err("not UTF-8");
        assert_eq!(
            err.to_string(),
            "d0.csv, line 2: it is not UTF-8 text, as every dump btcturk-bal writes is"
        );
        // No line to mend: not a dump of the tool's.
        assert!(!err.hint().expect("hint").contains("mend"));
        // A row that is broken is one to mend or remove.
        let broken = [HEADER.as_bytes(), b"2026-11-24T03:00:00Z,TRY\n"].concat();
        let err = totals(&[&broken]).expect_err("broken");
        assert!(
            err.hint()
                .expect("hint")
                .contains("mend or remove that line"),
            "{err}"
        );
    }

    /// A year of hourly runs from 2026-01-01T00:00:00Z: BTC's balance is
    /// the hour's number, worth as much.
    fn hourly_year() -> Vec<u8> {
        let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
        let rows: Vec<String> = (0..8760_i64)
            .map(|h| {
                let at = start + jiff::SignedDuration::from_hours(h);
                format!("{at:.0},BTC,Bitcoin,{h},{h},0,0,0,8,1,{h}")
            })
            .collect();
        dump(&rows.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn closes(tz: jiff::tz::TimeZone) -> Vec<(String, String, Option<String>)> {
        let mut q = query(View::Snapshots, 1);
        q.every = Some(Period::Month);
        q.tz = tz;
        let doc = shown(&[&hourly_year()], &q).expect("reads");
        doc["snapshots"]
            .as_array()
            .expect("snapshots")
            .iter()
            .map(|s| {
                (
                    s["fetched_at"].as_str().expect("time").to_owned(),
                    s["total"].as_str().expect("total").to_owned(),
                    s["change"].as_str().map(str::to_owned),
                )
            })
            .collect()
    }

    #[test]
    fn every_month_keeps_each_month_s_last_run_in_the_local_zone() {
        let utc = closes(jiff::tz::TimeZone::UTC);
        assert_eq!(utc.len(), 12);
        // January's close is its last hour; February's change is from it.
        assert_eq!(utc[0], ("2026-01-31T23:00:00Z".into(), "743".into(), None));
        assert_eq!(
            utc[1],
            (
                "2026-02-28T23:00:00Z".into(),
                "1415".into(),
                Some("672".into())
            )
        );
        assert_eq!(utc[11].0, "2026-12-31T23:00:00Z");
        // In Istanbul (UTC+3) a month ends at 21:00Z, times still shown in UTC.
        let istanbul = closes(jiff::tz::TimeZone::fixed(jiff::tz::offset(3)));
        assert_eq!(
            istanbul.len(),
            13,
            "the last three hours are January 2027 there"
        );
        assert_eq!(istanbul[0].0, "2026-01-31T20:00:00Z");
        assert_eq!(istanbul[11].0, "2026-12-31T20:00:00Z");
        assert_eq!(istanbul[12].0, "2026-12-31T23:00:00Z");
    }

    #[test]
    fn a_run_at_23_59_59_closes_its_day_and_one_at_midnight_opens_the_next() {
        let text = dump(&[
            "2026-03-01T12:00:00Z,TRY,Lira,1,1,0,0,0,2,1,1",
            "2026-03-01T23:59:59Z,TRY,Lira,2,2,0,0,0,2,1,2",
            "2026-03-02T00:00:00Z,TRY,Lira,3,3,0,0,0,2,1,3",
            "2026-03-02T18:00:00Z,TRY,Lira,4,4,0,0,0,2,1,4",
        ]);
        let mut q = query(View::Snapshots, 1);
        q.every = Some(Period::Day);
        let doc = shown(&[&text], &q).expect("reads");
        let times: Vec<&str> = doc["snapshots"]
            .as_array()
            .expect("snapshots")
            .iter()
            .map(|s| s["fetched_at"].as_str().expect("time"))
            .collect();
        assert_eq!(times, ["2026-03-01T23:59:59Z", "2026-03-02T18:00:00Z"]);
        assert_eq!(doc["snapshots"][1]["change"], "2");
        // --at the midnight run is that run; a second before it, the one before.
        let at = |when: &str| {
            let q = query(View::At(When::parse(when, true).expect("time")), 1);
            shown(&[&text], &q).expect("reads")
        };
        assert_eq!(
            at("2026-03-02T00:00:00Z")["fetched_at"],
            "2026-03-02T00:00:00Z"
        );
        assert_eq!(
            at("2026-03-01T23:59:59.5Z")["fetched_at"],
            "2026-03-01T23:59:59Z"
        );
        // A date means its end: the day's last run.
        assert_eq!(at("2026-03-01")["fetched_at"], "2026-03-01T23:59:59Z");
    }

    #[test]
    fn at_shows_each_asset_and_the_total_of_the_last_run_at_or_before() {
        let text = dump(&[T3_TRY, T3_BTC, T4_TRY]);
        let q = query(
            View::At(When::parse("2026-11-24T03:30:00Z", true).expect("time")),
            1,
        );
        let doc = shown(&[&text], &q).expect("reads");
        assert_eq!(
            doc,
            serde_json::json!({
                "currency": "TRY",
                "at": "2026-11-24T03:30:00Z",
                "fetched_at": "2026-11-24T03:00:00Z",
                "assets": [
                    {"asset": "BTC", "balance": "1", "price": "5", "value": "5"},
                    {"asset": "TRY", "balance": "10", "price": "1", "value": "10"}
                ],
                "total": "15"
            })
        );
        // A span back from the last snapshot.
        let q = query(View::At(When::parse("30m", true).expect("span")), 1);
        assert_eq!(
            shown(&[&text], &q).expect("reads")["fetched_at"],
            "2026-11-24T03:00:00Z"
        );
    }

    #[test]
    fn at_before_the_first_snapshot_names_it() {
        let text = dump(&[T3_TRY, T4_TRY]);
        let q = query(View::At(When::parse("2026-11-23", true).expect("date")), 1);
        match shown(&[&text], &q) {
            Err(Error::HistoryBefore { at, first }) => {
                assert_eq!(at, "2026-11-23T23:59:59Z");
                assert_eq!(first, "2026-11-24T03:00:00Z");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_combines_with_asset_and_since() {
        let mut q = query(View::Asset("btc".into()), 1);
        q.every = Some(Period::Week);
        q.since = Some(When::parse("2026-12-21", false).expect("date"));
        let doc = shown(&[&hourly_year()], &q).expect("reads");
        let weeks: Vec<(&str, &str)> = doc["snapshots"]
            .as_array()
            .expect("snapshots")
            .iter()
            .map(|s| {
                (
                    s["fetched_at"].as_str().expect("time"),
                    s["balance"].as_str().expect("balance"),
                )
            })
            .collect();
        // Weeks end on Sundays; the last week is cut short by the dump's end.
        assert_eq!(
            weeks,
            [
                ("2026-12-27T23:00:00Z", "8663"),
                ("2026-12-31T23:00:00Z", "8759")
            ]
        );
        assert_eq!(doc["asset"], "BTC");
    }
}
