//! Reading dumps: a file's header, then its rows, under a shared lock (the
//! `--append` writer holds an exclusive one) and a bound on a line's
//! length, grouped into runs: a run is a block of consecutive rows with
//! one `fetched_at` in which no asset (of a profile) repeats.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::{Query, View};
use crate::dump::{Column, Columns};
use crate::error::{Error, Result};
use crate::figure::{Figure, Sum};
use crate::text::sanitize;

/// The most rows one run writes (an account lists a few hundred assets,
/// a handful of profiles).
const MAX_ROWS: usize = 100_000;

/// The longest line read: far longer than any line the tool writes.
pub(super) const MAX_LINE: usize = 64 * 1024;

const NOT_UTF8: &str = "it is not UTF-8 text, as every dump btcturk-bal writes is";

/// What one file's header says about its rows.
#[derive(Clone)]
pub(super) struct Layout {
    delimiter: u8,
    /// The header line as written.
    header: String,
    pub(super) columns: Columns,
}

impl Layout {
    fn of(header: &str) -> Option<Layout> {
        let rest = header.strip_prefix("fetched_at")?;
        let delimiter = *rest.as_bytes().first()?;
        let names: Vec<&str> = header.split(char::from(delimiter)).collect();
        Some(Layout {
            delimiter,
            header: header.to_owned(),
            columns: Columns::of(&names)?,
        })
    }
}

/// One row as a view keeps it.
#[derive(Clone)]
pub(super) struct Holding {
    pub(super) asset: String,
    pub(super) balance: Figure,
    pub(super) precision: Option<u32>,
    pub(super) price: Option<Figure>,
    pub(super) value: Option<Figure>,
}

/// Where a run starts: the file (by its place in the command line) and
/// line.
#[derive(Clone, Copy)]
pub(super) struct Origin {
    pub(super) file: usize,
    pub(super) line: u64,
}

/// One run: how many balances were not zero, their total value, and the
/// rows the view needs.
pub(super) struct Snapshot {
    pub(super) at: Timestamp,
    pub(super) origin: Origin,
    /// Rows read, of every asset and profile.
    rows: usize,
    pub(super) assets: usize,
    /// The sum of the values, once the run is read (a computed figure).
    pub(super) total: Option<Figure>,
    pub(super) holdings: Vec<Holding>,
    /// Its rows' fingerprint, to know the same run in another file.
    content: u64,
    /// Each row's (profile and asset, row) fingerprints, sorted, to tell two
    /// files' runs of one time apart; kept (and `content` computed) only
    /// when several files are read.
    keys: Vec<(u64, u64)>,
}

impl Snapshot {
    /// Whether `other` (of another file, at the same time) is this run
    /// again; `Err` when the two hold different rows for one asset.
    pub(super) fn same_run(&self, other: &Snapshot) -> std::result::Result<bool, ()> {
        if self.content == other.content && self.rows == other.rows {
            return Ok(true);
        }
        let mut theirs = other.keys.iter().peekable();
        for (key, row) in &self.keys {
            while theirs.next_if(|(k, _)| k < key).is_some() {}
            if let Some((_, their_row)) = theirs.peek().filter(|(k, _)| k == key)
                && their_row != row
            {
                return Err(());
            }
        }
        Ok(false)
    }
}

/// Every run read, in the order read, and what the files say.
#[derive(Default)]
pub(super) struct Story {
    pub(super) snapshots: Vec<Snapshot>,
    /// The first file's layout, which every other must share.
    pub(super) layout: Option<(PathBuf, Layout)>,
    /// Warnings for stderr.
    pub(super) notes: Vec<String>,
    /// The profiles the dumps' profile column names (when `-p` asks).
    pub(super) profiles: std::collections::BTreeSet<String>,
}

/// A reader that refuses a line longer than `MAX_LINE`, so that no file
/// (`/dev/zero`, a sparse file of NULs) makes a line grow without bound,
/// and tells whether the last byte read was a line end.
struct Lines<R> {
    inner: R,
    since_newline: usize,
    ended_line: bool,
}

impl<R: Read> Read for Lines<R> {
    /// Reads at most `MAX_LINE` bytes at a time, so that no line can begin
    /// and grow too long within one read: only one that goes on from an
    /// earlier read can, and the reader is then inside it.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let limit = buf.len().min(MAX_LINE);
        let n = self.inner.read(&mut buf[..limit])?;
        let read = &buf[..n];
        match read.iter().position(|&b| b == b'\n') {
            Some(first) if self.since_newline + first <= MAX_LINE => {
                let last = read.iter().rposition(|&b| b == b'\n').unwrap_or(first);
                self.since_newline = n - last - 1;
            }
            Some(_) => self.since_newline = MAX_LINE + 1,
            None => self.since_newline += n,
        }
        if self.since_newline > MAX_LINE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, LongLine));
        }
        if n > 0 {
            self.ended_line = read.last() == Some(&b'\n');
        }
        Ok(n)
    }
}

/// The error a line longer than `MAX_LINE` raises.
#[derive(Debug)]
struct LongLine;

impl std::fmt::Display for LongLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("it is longer than any line btcturk-bal writes")
    }
}

impl std::error::Error for LongLine {}

/// A dump that cannot be opened or read.
fn open_err(path: &Path, source: io::Error) -> Error {
    Error::HistoryOpen {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads the `index`th file (`-` is stdin), adding its runs to the story.
pub(super) fn read_file(path: &Path, index: usize, query: &Query, story: &mut Story) -> Result<()> {
    if path == Path::new("-") {
        return read_dump(io::stdin().lock(), path, index, query, story);
    }
    let file = std::fs::File::open(path).map_err(|e| open_err(path, e))?;
    // Never a run half written: the --append writer holds the lock while
    // it writes.
    crate::lock::take(&file, path, false, &query.waiting)?;
    read_dump(file, path, index, query, story)
}

/// Reads one dump from `input`, named `path` in messages.
pub(super) fn read_dump(
    input: impl Read,
    path: &Path,
    index: usize,
    query: &Query,
    story: &mut Story,
) -> Result<()> {
    let open_err = |source| open_err(path, source);
    let bad = |line: u64, problem: String| Error::HistoryData {
        path: path.to_path_buf(),
        line,
        problem,
        broken_line: true,
    };
    // Text that is not UTF-8 is no dump of the tool's, not a line to mend.
    let not_utf8 = |line: u64| Error::HistoryData {
        path: path.to_path_buf(),
        line,
        problem: NOT_UTF8.into(),
        broken_line: false,
    };
    let lines = Lines {
        inner: input,
        since_newline: 0,
        ended_line: true,
    };
    let mut input = BufReader::with_capacity(MAX_LINE, lines);
    let too_long = |e: &io::Error| e.get_ref().is_some_and(|e| e.is::<LongLine>());
    let mut first = Vec::new();
    if let Err(e) = input.read_until(b'\n', &mut first) {
        return Err(if too_long(&e) {
            bad(1, LongLine.to_string())
        } else {
            open_err(e)
        });
    }
    let first = String::from_utf8(first).map_err(|_| not_utf8(1))?;
    let header = first
        .trim_start_matches(crate::text::BOM)
        .trim_end_matches(['\n', '\r']);
    if header.is_empty() {
        return Ok(());
    }
    let layout = Layout::of(header).ok_or_else(|| not_a_header(path, header))?;
    match &story.layout {
        // Plain and Turkish dumps of the same columns mix well.
        Some((other, known)) if known.columns != layout.columns => {
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
    if query.profile.is_some() && !layout.columns.profile && !query.profile_file {
        return Err(Error::HistoryNoProfiles {
            path: path.to_path_buf(),
        });
    }
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut runs = Runs {
        layout: &layout,
        query,
        index,
        keep_keys: query.files.len() > 1,
        current: None,
        seen: HashSet::new(),
        sum: None,
        stamp: None,
        path,
        overflow: None,
    };
    // A row is taken once the next one has been read: a last line without
    // its line end may be a run still being written, and is left out.
    let (mut record, mut pending) = (csv::StringRecord::new(), None::<(csv::StringRecord, u64)>);
    loop {
        let line = rows.position().line() + 1;
        let more = rows
            .read_record(&mut record)
            .map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(e) if too_long(&e) => bad(line, LongLine.to_string()),
                csv::ErrorKind::Io(e) => open_err(e),
                csv::ErrorKind::Utf8 { .. } => not_utf8(line),
                _ => bad(line, "it is not a row of CSV".into()),
            })?;
        if !more {
            break;
        }
        // The row read goes into `pending`; the one it held is taken.
        if let Some((row, at)) = &mut pending {
            std::mem::swap(row, &mut record);
            let at = std::mem::replace(at, line);
            runs.add(&record, at, story).map_err(|p| bad(at, p))?;
            if let Some(e) = runs.overflow.take() {
                return Err(e);
            }
        } else {
            pending = Some((record.clone(), line));
        }
    }
    if let Some((row, at)) = pending {
        if rows.get_ref().get_ref().ended_line {
            runs.add(&row, at, story).map_err(|p| bad(at, p))?;
        } else {
            story.notes.push(format!(
                "{}: the last line has no line end (a run being written?); it is left out",
                path.display()
            ));
        }
    }
    runs.finish(story);
    runs.overflow.map_or(Ok(()), Err)
}

/// What a first line that is not a dump's header means: a dump written
/// with `--no-header` (its first field a time), or something else.
fn not_a_header(path: &Path, line: &str) -> Error {
    let first = line.split([',', ';', '\t', '|']).next().unwrap_or_default();
    let fields = line.split(
        line.as_bytes()
            .get(first.len())
            .map_or(',', |&b| char::from(b)),
    );
    if first.parse::<Timestamp>().is_ok() {
        let delimiter = line
            .as_bytes()
            .get(first.len())
            .map_or(',', |&b| char::from(b));
        let headers: Vec<String> = Columns::of_len(fields.count())
            .iter()
            .map(|c| c.names().join(&delimiter.to_string()))
            .collect();
        return Error::HistoryHeaderless {
            path: path.to_path_buf(),
            headers,
        };
    }
    Error::HistoryData {
        path: path.to_path_buf(),
        line: 1,
        problem: "this is not a header of btcturk-bal's CSV (fetched_at,asset,...)".into(),
        broken_line: false,
    }
}

/// The runs of one file as its rows stream by.
struct Runs<'a> {
    layout: &'a Layout,
    query: &'a Query,
    index: usize,
    keep_keys: bool,
    current: Option<Snapshot>,
    /// The profiles and assets of the current run, hashed.
    seen: HashSet<u64>,
    /// The current run's values added up, exactly, when valued.
    sum: Option<Sum>,
    /// The last `fetched_at` read, as written and as a time.
    stamp: Option<(String, Timestamp)>,
    path: &'a Path,
    /// A run whose values add up past what a figure holds.
    overflow: Option<Error>,
}

impl Runs<'_> {
    /// Adds one row to its run; what is wrong with it otherwise.
    fn add(
        &mut self,
        record: &csv::StringRecord,
        line: u64,
        story: &mut Story,
    ) -> std::result::Result<(), String> {
        let columns = &self.layout.columns;
        if record.len() != columns.len() {
            return Err(format!(
                "{} fields where the header has {}",
                record.len(),
                columns.len()
            ));
        }
        let field = |column| columns.index(column).and_then(|i| record.get(i));
        let profile = field(Column::Profile).unwrap_or("default");
        if let Some(wanted) = &self.query.profile
            && self.layout.columns.profile
        {
            if !story.profiles.contains(profile) {
                story.profiles.insert(profile.to_owned());
            }
            if profile != wanted {
                return Ok(());
            }
        }
        let at_text = field(Column::FetchedAt).unwrap_or_default();
        // A run's rows share one time: it is read once.
        let at = match &self.stamp {
            Some((text, at)) if text == at_text => *at,
            _ => {
                let at: Timestamp = at_text
                    .parse()
                    .map_err(|_| format!("fetched_at {:?} is not a time", sanitize(at_text)))?;
                self.stamp = Some((at_text.to_owned(), at));
                at
            }
        };
        let asset = field(Column::Asset).unwrap_or_default();
        let balance = amount("balance", field(Column::Balance).unwrap_or_default())?;
        let optional = |name: &str, column| match field(column) {
            None | Some("") => Ok(None),
            Some(text) => amount(name, text).map(Some),
        };
        let price = optional("price", Column::Price)?;
        let value = optional("value", Column::Value)?;
        let precision = match field(Column::Precision) {
            None | Some("") => None,
            Some(text) => Some(crate::balance::precision_from(text).ok_or_else(|| {
                format!(
                    "precision {:?} {}",
                    sanitize(&crate::text::clip(text, 40)),
                    crate::balance::PRECISION_RULE
                )
            })?),
        };

        // A new time, or an asset this run already has, starts a run.
        let key = {
            let mut hasher = DefaultHasher::new();
            profile.hash(&mut hasher);
            // The code in upper case, in one write (a code fits 32 bytes).
            let mut upper = [0_u8; 32];
            match upper.get_mut(..asset.len()) {
                Some(code) => {
                    code.copy_from_slice(asset.as_bytes());
                    code.make_ascii_uppercase();
                    hasher.write(code);
                }
                None => hasher.write(asset.to_ascii_uppercase().as_bytes()),
            }
            hasher.finish()
        };
        let same_run =
            self.current.as_ref().is_some_and(|s| s.at == at) && !self.seen.contains(&key);
        if !same_run {
            self.finish(story);
            self.current = Some(Snapshot {
                at,
                origin: Origin {
                    file: self.index,
                    line,
                },
                rows: 0,
                assets: 0,
                total: None,
                holdings: Vec::new(),
                content: 0,
                keys: Vec::new(),
            });
            self.sum = columns.currency.as_ref().map(|_| Sum::default());
        }
        let run = self.current.as_mut().ok_or("no run")?;
        if run.rows == MAX_ROWS {
            return Err(format!(
                "more than {MAX_ROWS} rows in one run at fetched_at {at:.0}"
            ));
        }
        self.seen.insert(key);
        run.rows += 1;
        if !balance.is_zero() {
            run.assets += 1;
        }
        if let (Some(sum), Some(value)) = (&mut self.sum, &value) {
            sum.add(value);
        }
        // Fingerprints tell whether two files hold the same run: with one
        // file, nothing asks.
        if self.keep_keys {
            let row = fingerprint(&(key, balance, price, value));
            run.content = fingerprint(&(run.content, row));
            run.keys.push((key, row));
        }
        let keep = match &self.query.view {
            View::Snapshots => false,
            View::Asset(code) => asset.eq_ignore_ascii_case(code),
            View::Changes | View::At(_) => true,
        };
        if keep {
            run.holdings.push(Holding {
                asset: asset.to_owned(),
                balance,
                precision,
                price,
                value,
            });
        }
        Ok(())
    }

    /// Ends the current run, if any. A total past what a figure holds is
    /// kept in `overflow`, for the reader to stop at.
    fn finish(&mut self, story: &mut Story) {
        self.seen.clear();
        if let Some(mut run) = self.current.take() {
            if let Some(sum) = self.sum.take() {
                run.total = sum.figure();
                if run.total.is_none() && self.overflow.is_none() {
                    self.overflow = Some(Error::HistoryOverflow {
                        what: format!(
                            "the total of the run at fetched_at {:.0} ({}, from line {})",
                            run.at,
                            self.path.display(),
                            run.origin.line
                        ),
                    });
                }
            }
            run.keys.sort_unstable();
            run.keys.shrink_to_fit();
            story.snapshots.push(run);
        }
    }
}

/// A hash of what a row says, the same in every process and for plain and
/// Turkish dumps alike (amounts compared as numbers).
fn fingerprint(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// An amount in a dump, exactly as written (the tool reads back every
/// value it writes), named `name` in what is wrong with it.
fn amount(name: &str, text: &str) -> std::result::Result<Figure, String> {
    Figure::parse(text)
        .map_err(|why| format!("{name} {:?} {why}", sanitize(&crate::text::clip(text, 60))))
}
