//! The views of the snapshots: a line per snapshot, one asset over time,
//! or what changed between the first and the last, as a grid of cells
//! that keep every digit (for JSON and CSV) and know how a table shows
//! them.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

use super::read::{Holding, Snapshot};

/// One cell of a view.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// A time or an asset code.
    Text(String),
    Count(usize),
    /// An amount of the valuing currency: a value, total or change.
    Money(Decimal),
    /// Units of the currency per unit of an asset.
    Price(Decimal),
    /// Units of an asset, and how many decimals the asset has.
    Balance(Decimal, Option<u32>),
}

impl Cell {
    /// The exact text, every digit: what JSON and CSV carry.
    pub(super) fn exact(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Money(d) | Cell::Price(d) | Cell::Balance(d, _) => d.to_string(),
        }
    }

    /// As a table shows it: money to 2 decimals, prices to at most 8 and
    /// balances to the asset's precision (else at most 8), truncated
    /// toward zero, never more than is there.
    pub(super) fn display(&self) -> String {
        match self {
            Cell::Text(_) | Cell::Count(_) => self.exact(),
            Cell::Money(d) => shown(*d, 2),
            Cell::Price(d) => trimmed(*d, 8),
            Cell::Balance(d, Some(places)) => shown(*d, *places),
            Cell::Balance(d, None) => trimmed(*d, 8),
        }
    }
}

/// `d` with exactly `places` decimals, truncated toward zero; a zero
/// carries no sign.
pub(super) fn shown(d: Decimal, places: u32) -> String {
    let mut t = d.round_dp_with_strategy(places, RoundingStrategy::ToZero);
    if t.is_zero() {
        t = Decimal::ZERO;
    }
    t.rescale(places);
    t.to_string()
}

/// `d` truncated toward zero to at most `places` decimals, without
/// trailing zeros.
fn trimmed(d: Decimal, places: u32) -> String {
    let t = d
        .round_dp_with_strategy(places, RoundingStrategy::ToZero)
        .normalize();
    if t.is_zero() {
        "0".into()
    } else {
        t.to_string()
    }
}

/// A view: its column names and each row's cells (`None`: no value).
pub(super) struct Grid {
    pub(super) header: Vec<&'static str>,
    pub(super) rows: Vec<Vec<Option<Cell>>>,
}

fn time(at: Timestamp) -> Cell {
    Cell::Text(format!("{at:.0}"))
}

/// A line per snapshot: the assets held, the total and its change.
pub(super) fn snapshots(snapshots: &[Snapshot]) -> Grid {
    let mut previous: Option<Decimal> = None;
    let rows = snapshots
        .iter()
        .map(|s| {
            let change = s.total.zip(previous).map(|(t, p)| (t - p).normalize());
            previous = s.total;
            vec![
                Some(time(s.at)),
                Some(Cell::Count(s.assets)),
                s.total.map(|t| Cell::Money(t.normalize())),
                change.map(Cell::Money),
            ]
        })
        .collect();
    Grid {
        header: vec!["fetched_at", "assets", "total", "change"],
        rows,
    }
}

/// One asset's holdings summed across profiles: balance, precision, price,
/// value.
fn combined(holdings: &[&Holding]) -> (Decimal, Option<u32>, Option<Decimal>, Option<Decimal>) {
    // Below 10^23 each, in at most 100,000 rows: no sum overflows.
    let balance = holdings.iter().map(|h| h.balance).sum();
    let precision = holdings.iter().find_map(|h| h.precision);
    let price = holdings.iter().find_map(|h| h.price);
    let value = holdings.iter().filter_map(|h| h.value).reduce(|a, b| a + b);
    (balance, precision, price, value)
}

/// One asset's balance, price and value in each snapshot.
pub(super) fn asset(snapshots: &[Snapshot]) -> Grid {
    let rows = snapshots
        .iter()
        .map(|s| {
            let holdings: Vec<&Holding> = s.holdings.iter().collect();
            let (balance, precision, price, value) = combined(&holdings);
            vec![
                Some(time(s.at)),
                Some(Cell::Balance(balance, precision)),
                price.map(Cell::Price),
                value.map(Cell::Money),
            ]
        })
        .collect();
    Grid {
        header: vec!["fetched_at", "balance", "price", "value"],
        rows,
    }
}

/// The points of the view's chart: the totals, or the asset's balance; and
/// the decimals its axis shows.
pub(super) fn points(snapshots: &[Snapshot], one_asset: bool) -> (Vec<(Timestamp, Decimal)>, u32) {
    if one_asset {
        let mut places = None;
        let points = snapshots
            .iter()
            .map(|s| {
                let holdings: Vec<&Holding> = s.holdings.iter().collect();
                let (balance, precision, ..) = combined(&holdings);
                places = places.or(precision);
                (s.at, balance)
            })
            .collect();
        (points, places.unwrap_or(8))
    } else {
        let points = snapshots
            .iter()
            .filter_map(|s| Some((s.at, s.total?)))
            .collect();
        (points, 2)
    }
}

/// Each asset's balance (with its precision) and value at a snapshot,
/// summed across profiles.
type ByAsset = BTreeMap<String, (Decimal, Option<u32>, Option<Decimal>)>;

fn by_asset(s: &Snapshot) -> ByAsset {
    let mut assets: BTreeMap<String, Vec<&Holding>> = BTreeMap::new();
    for h in &s.holdings {
        assets
            .entry(h.asset.to_ascii_uppercase())
            .or_default()
            .push(h);
    }
    assets
        .into_iter()
        .map(|(code, hs)| {
            let (balance, precision, _, value) = combined(&hs);
            (code, (balance, precision, value))
        })
        .collect()
}

/// Each asset's balance in the first snapshot and the last, the change,
/// and (valued) the change of its value.
pub(super) fn changes(snapshots: &[Snapshot], valued: bool) -> Grid {
    let header = vec!["asset", "from", "to", "change", "value_change"];
    let (Some(first), Some(last)) = (snapshots.first(), snapshots.last()) else {
        return Grid {
            header,
            rows: Vec::new(),
        };
    };
    let (from, to) = (by_asset(first), by_asset(last));
    let mut codes: Vec<&String> = from.keys().chain(to.keys()).collect();
    codes.sort();
    codes.dedup();
    let zero = (Decimal::ZERO, None, None);
    let rows = codes
        .into_iter()
        .map(|code| {
            let (a, a_places, av) = from.get(code).copied().unwrap_or(zero);
            let (b, b_places, bv) = to.get(code).copied().unwrap_or(zero);
            let places = b_places.or(a_places);
            let value_change = valued.then(|| {
                Cell::Money((bv.unwrap_or_default() - av.unwrap_or_default()).normalize())
            });
            vec![
                Some(Cell::Text(code.clone())),
                Some(Cell::Balance(a, places)),
                Some(Cell::Balance(b, places)),
                Some(Cell::Balance((b - a).normalize(), places)),
                value_change,
            ]
        })
        .collect();
    Grid { header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    #[test]
    fn tables_show_display_precision_and_data_every_digit() {
        let money = Cell::Money(d("1002.509"));
        assert_eq!(
            (money.exact(), money.display()),
            ("1002.509".into(), "1002.50".into())
        );
        assert_eq!(Cell::Money(d("-0.001")).display(), "0.00");
        assert_eq!(Cell::Money(d("-1.239")).display(), "-1.23");
        let btc = Cell::Balance(d("0.123456789"), Some(8));
        assert_eq!(
            (btc.exact(), btc.display()),
            ("0.123456789".into(), "0.12345678".into())
        );
        assert_eq!(Cell::Balance(d("5"), Some(2)).display(), "5.00");
        assert_eq!(
            Cell::Balance(d("1.123456789"), None).display(),
            "1.12345678"
        );
        assert_eq!(Cell::Balance(d("1.5000"), None).display(), "1.5");
        assert_eq!(Cell::Price(d("0.000685123456")).display(), "0.00068512");
    }
}
