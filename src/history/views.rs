//! The views of the snapshots: a line per snapshot, one asset over time,
//! or what changed between the first and the last, as a grid of cells
//! that keep every digit (for JSON and CSV) and know how a table shows
//! them.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::read::{Holding, Snapshot};
use crate::error::{Error, Result};
use crate::figure::Figure;

/// One cell of a view.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// A time or an asset code.
    Text(String),
    Count(usize),
    /// An amount of the valuing currency: a value, total or change.
    Money(Figure),
    /// Units of the currency per unit of an asset.
    Price(Figure),
    /// Units of an asset, and how many decimals the asset has.
    Balance(Figure, Option<u32>),
    /// A period of `--every` (`2026-06`), and whether it has not ended yet.
    Period(String, bool),
}

impl Cell {
    /// The exact text, every digit: what JSON and CSV carry.
    pub(super) fn exact(&self) -> String {
        match self {
            Cell::Text(text) | Cell::Period(text, _) => text.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Money(d) | Cell::Price(d) | Cell::Balance(d, _) => d.to_string(),
        }
    }

    /// As a table shows it, rounded half to even: money to 2 decimals,
    /// prices to at most 8, balances to the asset's precision (else at
    /// most 8).
    pub(super) fn display(&self) -> String {
        match self {
            Cell::Text(_) | Cell::Count(_) | Cell::Period(_, false) => self.exact(),
            Cell::Period(label, true) => format!("{label} (so far)"),
            Cell::Money(d) => d.rounded(2),
            Cell::Price(d) => d.rounded_trimmed(8),
            Cell::Balance(d, Some(places)) => d.rounded(*places),
            Cell::Balance(d, None) => d.rounded_trimmed(8),
        }
    }
}

/// A view: its column names and each row's cells (`None`: no value).
pub(super) struct Grid {
    pub(super) header: Vec<&'static str>,
    pub(super) rows: Vec<Vec<Option<Cell>>>,
}

impl Grid {
    /// The holdings at a time as CSV carries them: the snapshot's time on
    /// each row, and the price and value named for the currency as the
    /// dump's columns are (`price_try`, `value_usdt`).
    pub(super) fn for_csv_at(mut self, at: Option<Timestamp>, currency: Option<&str>) -> Grid {
        for name in &mut self.header {
            *name = match (*name, currency.map(str::to_ascii_lowercase).as_deref()) {
                ("price", Some("try")) => "price_try",
                ("value", Some("try")) => "value_try",
                ("price", Some("usdt")) => "price_usdt",
                ("value", Some("usdt")) => "value_usdt",
                (name, _) => name,
            };
        }
        self.header.insert(0, "fetched_at");
        for row in &mut self.rows {
            row.insert(0, at.map(time));
        }
        self
    }

    /// With `--every`: each row (a snapshot, in order) names its period and
    /// when the period ends, after the snapshot's time; a period not ended
    /// by `now` is marked so.
    pub(super) fn with_periods(
        mut self,
        snapshots: &[Snapshot],
        period: super::Period,
        tz: &jiff::tz::TimeZone,
        now: Timestamp,
    ) -> Grid {
        self.header.splice(1..1, ["period", "period_end"]);
        for (row, s) in self.rows.iter_mut().zip(snapshots) {
            let end = period.end(s.at, tz);
            let open = end.is_none_or(|end| end > now);
            row.splice(
                1..1,
                [
                    Some(Cell::Period(period.label(s.at, tz), open)),
                    end.map(time),
                ],
            );
        }
        self
    }
}

fn time(at: Timestamp) -> Cell {
    Cell::Text(format!("{at:.0}"))
}

/// A computed figure, or the error naming what went past the bound.
fn computed(figure: Option<Figure>, what: impl FnOnce() -> String) -> Result<Figure> {
    figure.ok_or_else(|| Error::HistoryOverflow { what: what() })
}

/// A line per snapshot: the assets held, the total and its change.
pub(super) fn snapshots(snapshots: &[Snapshot]) -> Result<Grid> {
    let mut previous: Option<&Figure> = None;
    let rows = snapshots
        .iter()
        .map(|s| {
            let change = (s.total.as_ref().zip(previous))
                .map(|(t, p)| computed(t.minus(p), || format!("the change at {:.0}", s.at)))
                .transpose()?;
            previous = s.total.as_ref();
            Ok(vec![
                Some(time(s.at)),
                Some(Cell::Count(s.assets)),
                s.total.map(Cell::Money),
                change.map(Cell::Money),
            ])
        })
        .collect::<Result<_>>()?;
    Ok(Grid {
        header: vec!["fetched_at", "assets", "total", "change"],
        rows,
    })
}

/// One asset's holdings summed across profiles: balance, precision, price,
/// value.
type Combined = (Figure, Option<u32>, Option<Figure>, Option<Figure>);

fn combined(holdings: &[&Holding], at: Timestamp) -> Result<Combined> {
    let code = holdings.first().map_or("", |h| h.asset.as_str());
    let summed = |what: &str, figures: Vec<&Figure>| match figures[..] {
        [] => Ok(None),
        // One profile's figure is the dump's, digit for digit.
        [one] => Ok(Some(*one)),
        _ => computed(Figure::sum(figures), || {
            format!("the {what} of {code} at {at:.0}, summed across profiles")
        })
        .map(Some),
    };
    let balance = summed("balance", holdings.iter().map(|h| &h.balance).collect())?;
    let values = summed(
        "value",
        holdings.iter().filter_map(|h| h.value.as_ref()).collect(),
    )?;
    let precision = holdings.iter().find_map(|h| h.precision);
    let price = holdings.iter().find_map(|h| h.price);
    Ok((balance.unwrap_or_default(), precision, price, values))
}

/// One asset's balance, price and value in each snapshot.
pub(super) fn asset(snapshots: &[Snapshot]) -> Result<Grid> {
    let rows = snapshots
        .iter()
        .map(|s| {
            let holdings: Vec<&Holding> = s.holdings.iter().collect();
            let (balance, precision, price, value) = combined(&holdings, s.at)?;
            Ok(vec![
                Some(time(s.at)),
                Some(Cell::Balance(balance, precision)),
                price.map(Cell::Price),
                value.map(Cell::Money),
            ])
        })
        .collect::<Result<_>>()?;
    Ok(Grid {
        header: vec!["fetched_at", "balance", "price", "value"],
        rows,
    })
}

/// The points of the view's chart: the totals, or the asset's balance; and
/// the decimals its axis shows.
pub(super) fn points(
    snapshots: &[Snapshot],
    one_asset: bool,
) -> Result<(Vec<(Timestamp, Figure)>, u32)> {
    if one_asset {
        let mut places = None;
        let points = snapshots
            .iter()
            .map(|s| {
                let holdings: Vec<&Holding> = s.holdings.iter().collect();
                let (balance, precision, ..) = combined(&holdings, s.at)?;
                places = places.or(precision);
                Ok((s.at, balance))
            })
            .collect::<Result<_>>()?;
        Ok((points, places.unwrap_or(8)))
    } else {
        let points = snapshots
            .iter()
            .filter_map(|s| Some((s.at, s.total?)))
            .collect();
        Ok((points, 2))
    }
}

/// Each asset's balance (with its precision) and value at a snapshot,
/// summed across profiles.
type ByAsset = BTreeMap<String, (Figure, Option<u32>, Option<Figure>)>;

fn by_asset(s: &Snapshot) -> Result<ByAsset> {
    grouped(Some(s))
        .into_iter()
        .map(|(code, hs)| {
            let (balance, precision, _, value) = combined(&hs, s.at)?;
            Ok((code, (balance, precision, value)))
        })
        .collect()
}

/// A snapshot's holdings by asset code in upper case.
fn grouped(snapshot: Option<&Snapshot>) -> BTreeMap<String, Vec<&Holding>> {
    let mut assets: BTreeMap<String, Vec<&Holding>> = BTreeMap::new();
    for h in snapshot.iter().flat_map(|s| &s.holdings) {
        assets
            .entry(h.asset.to_ascii_uppercase())
            .or_default()
            .push(h);
    }
    assets
}

/// Each asset's balance (and, valued, price and value) in one snapshot:
/// the holdings at a time.
pub(super) fn holdings(snapshot: Option<&Snapshot>, valued: bool) -> Result<Grid> {
    let mut header = vec!["asset", "balance"];
    if valued {
        header.extend(["price", "value"]);
    }
    let at = snapshot.map(|s| s.at).unwrap_or_default();
    let rows = grouped(snapshot)
        .into_iter()
        .map(|(code, holdings)| {
            let (balance, precision, price, value) = combined(&holdings, at)?;
            let mut row = vec![
                Some(Cell::Text(code)),
                Some(Cell::Balance(balance, precision)),
            ];
            if valued {
                row.extend([price.map(Cell::Price), value.map(Cell::Money)]);
            }
            Ok(row)
        })
        .collect::<Result<_>>()?;
    Ok(Grid { header, rows })
}

/// Each asset's balance in the first snapshot and the last, the change,
/// and (valued) the change of its value.
pub(super) fn changes(snapshots: &[Snapshot], valued: bool) -> Result<Grid> {
    let header = vec!["asset", "from", "to", "change", "value_change"];
    let (Some(first), Some(last)) = (snapshots.first(), snapshots.last()) else {
        return Ok(Grid {
            header,
            rows: Vec::new(),
        });
    };
    let (from, to) = (by_asset(first)?, by_asset(last)?);
    let mut codes: Vec<&String> = from.keys().chain(to.keys()).collect();
    codes.sort();
    codes.dedup();
    let zero = (Figure::ZERO, None, None);
    let rows = codes
        .into_iter()
        .map(|code| {
            let (a, a_places, av) = from.get(code).unwrap_or(&zero);
            let (b, b_places, bv) = to.get(code).unwrap_or(&zero);
            let places = b_places.or(*a_places);
            let change = |what: &str, from: &Figure, to: &Figure| {
                computed(to.minus(from), || format!("the {what} of {code}"))
            };
            let value_change = match valued {
                true => Some(Cell::Money(change(
                    "value change",
                    &av.unwrap_or_default(),
                    &bv.unwrap_or_default(),
                )?)),
                false => None,
            };
            Ok(vec![
                Some(Cell::Text(code.clone())),
                Some(Cell::Balance(*a, places)),
                Some(Cell::Balance(*b, places)),
                Some(Cell::Balance(change("change", a, b)?, places)),
                value_change,
            ])
        })
        .collect::<Result<_>>()?;
    Ok(Grid { header, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Figure {
        Figure::parse(text).expect("decimal")
    }

    #[test]
    fn tables_show_display_precision_and_data_every_digit() {
        let money = Cell::Money(d("1002.509"));
        assert_eq!(
            (money.exact(), money.display()),
            ("1002.509".into(), "1002.51".into())
        );
        assert_eq!(Cell::Money(d("-0.001")).display(), "0.00");
        assert_eq!(Cell::Money(d("-1.239")).display(), "-1.24");
        assert_eq!(Cell::Money(d("0.125")).display(), "0.12");
        let btc = Cell::Balance(d("0.123456789"), Some(8));
        assert_eq!(
            (btc.exact(), btc.display()),
            ("0.123456789".into(), "0.12345679".into())
        );
        assert_eq!(Cell::Balance(d("5"), Some(2)).display(), "5.00");
        assert_eq!(
            Cell::Balance(d("1.123456785"), None).display(),
            "1.12345678"
        );
        assert_eq!(Cell::Balance(d("1.5000"), None).display(), "1.5");
        assert_eq!(Cell::Price(d("0.000685123456")).display(), "0.00068512");
        let long = Cell::Balance(d("0.1234567890123456789012345678"), Some(8));
        assert_eq!(long.exact(), "0.1234567890123456789012345678");
        assert_eq!(Cell::Balance(d("-0"), Some(2)).exact(), "-0");
    }
}
