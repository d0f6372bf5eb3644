//! From balances (and prices) to what a run shows: valued, filtered,
//! sorted and totalled rows, ready for any format.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::ops::Range;

use rust_decimal::Decimal;

use bytemuck::{Pod, Zeroable};

use crate::balance::{Balance, Balances, Filter, Plain, Texts};
use crate::cli::{Currency, Sort};
use crate::huge::Array;
use crate::valuation::{Prices, Quote};

mod order;

/// One asset as shown, with its price and value when valuing: a view made
/// when the row is read (see `Report::rows`).
pub struct Row<'a> {
    /// The config profile, with `--all-profiles`.
    pub profile: Option<&'a str>,
    list: &'a Balances<'a>,
    index: usize,
    pub price: Option<Decimal>,
    pub value: Option<Decimal>,
}

impl<'a> Row<'a> {
    /// The balance shown (a view made when asked for).
    pub fn balance(&self) -> Balance<'a> {
        self.list.get(self.index)
    }

    /// Its balance's texts (see `Balances::texts`).
    pub fn texts(&self) -> Texts<'a> {
        self.list.texts(self.index)
    }

    /// Its table cells' widths with at most `max_places` decimals, where
    /// its record knows them (see `Balances::plain_widths`).
    pub fn plain_widths(&self, max_places: u32) -> Option<[usize; 5]> {
        self.list.plain_widths(self.index, max_places)
    }

    /// Its table cells with at most `max_places` decimals, where its
    /// record knows their widths (see `Balances::plain`).
    pub fn plain(&self, max_places: u32) -> Option<Plain<'a>> {
        self.list.plain(self.index, max_places)
    }
}

/// A row as the report keeps it: where its balance is (list and index in
/// the list), where its price and value are, when valuing, and the start of
/// its code. Twenty bytes, so that 50,000 rows take little fresh memory and
/// sort quickly.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Entry {
    list: u32,
    index: u32,
    valued: u32,
    /// The first 8 bytes of the asset code, zero-padded, as two big-endian
    /// halves: ordering these orders most codes without reading them.
    code: [u32; 2],
}

/// `Entry::code` for `code`. Zero-padded prefixes order as the codes do,
/// or tie (then the codes themselves decide).
fn code_prefix(code: &str) -> [u32; 2] {
    let mut bytes = [0; 8];
    let n = code.len().min(8);
    bytes[..n].copy_from_slice(&code.as_bytes()[..n]);
    let [a, b, c, d, e, f, g, h] = bytes;
    [
        u32::from_be_bytes([a, b, c, d]),
        u32::from_be_bytes([e, f, g, h]),
    ]
}

/// How far ahead rows are loaded (see `Report::rows_in`).
const AHEAD: usize = 16;

/// The valuation of the rows shown.
pub struct Summary {
    pub currency: Currency,
    /// Sum of the values shown; `None` only if it overflows a `Decimal`.
    pub total: Option<Decimal>,
    /// Assets shown without a value, left out of the total.
    pub unpriced: Vec<String>,
    /// Each profile's total, with `--all-profiles`.
    pub profiles: Vec<(String, Option<Decimal>)>,
}

pub struct Report<'a> {
    /// RFC 3339 UTC, the same for every row of a run.
    pub fetched_at: String,
    lists: &'a [(Option<String>, Balances<'a>)],
    entries: Array<Entry>,
    /// Each row's price and value, when valuing, in the lists' order;
    /// empty otherwise.
    values: Vec<[Option<Decimal>; 2]>,
    /// Which of the lists' balances are shown, as bits (the lists'
    /// balances numbered one after another).
    shown: Vec<u64>,
    pub valuation: Option<Summary>,
    /// Whether rows carry a profile (`--all-profiles`).
    pub by_profile: bool,
}

impl Report<'_> {
    /// The rows shown, in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> + Clone + '_ {
        self.rows_in(0..self.entries.len())
    }

    /// The rows shown at these places, in order.
    pub fn rows_in(
        &self,
        places: std::ops::Range<usize>,
    ) -> impl ExactSizeIterator<Item = Row<'_>> + Clone + '_ {
        let entries = &self.entries[places];
        let list = |e: &Entry| &self.lists[e.list as usize].1;
        // Rows sorted by code are read in no order the body has: each
        // record is loaded `2 * AHEAD` rows ahead of its row, and its texts
        // `AHEAD` rows ahead, so that they come in while rows are written.
        for e in entries.iter().take(2 * AHEAD) {
            list(e).prefetch_record(e.index as usize);
        }
        for e in entries.iter().take(AHEAD) {
            list(e).prefetch_texts(e.index as usize);
        }
        entries.iter().enumerate().map(move |(k, e)| {
            if let Some(e) = entries.get(k + 2 * AHEAD) {
                list(e).prefetch_record(e.index as usize);
            }
            if let Some(e) = entries.get(k + AHEAD) {
                list(e).prefetch_texts(e.index as usize);
            }
            let (profile, list) = &self.lists[e.list as usize];
            let [price, value] = self
                .values
                .get(e.valued as usize)
                .copied()
                .unwrap_or_default();
            Row {
                profile: profile.as_deref(),
                list,
                index: e.index as usize,
                price,
                value,
            }
        })
    }

    /// How many balances the lists hold in all, shown or not.
    pub fn places(&self) -> usize {
        self.lists.iter().map(|(_, list)| list.len()).sum()
    }

    /// The rows shown among the balances at `places` (see `places`), in the
    /// lists' order rather than the report's: for work the order does not
    /// matter to (measuring), which then reads memory in order rather than
    /// all over it.
    pub fn rows_by_place(&self, places: Range<usize>) -> impl Iterator<Item = Row<'_>> + '_ {
        let shown = |place: &usize| {
            let bit = self
                .shown
                .get(place / 64)
                .map(|word| word >> (place % 64) & 1);
            bit == Some(1)
        };
        // Values are kept in the lists' order: a row's follows those of the
        // rows shown before it.
        let before = (0..places.start).filter(shown).count();
        let starts: Vec<usize> = self
            .lists
            .iter()
            .scan(0, |next, (_, list)| {
                let start = *next;
                *next += list.len();
                Some(start)
            })
            .collect();
        places.filter(shown).enumerate().map(move |(k, place)| {
            let l = starts.partition_point(|&start| start <= place) - 1;
            let (profile, list) = &self.lists[l];
            let [price, value] = self.values.get(before + k).copied().unwrap_or_default();
            Row {
                profile: profile.as_deref(),
                list,
                index: place - starts[l],
                price,
                value,
            }
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What the user asked to see.
#[derive(Debug)]
pub struct View {
    pub filter: Filter,
    pub value_in: Option<Currency>,
    pub min_value: Option<Decimal>,
    pub sort: Sort,
}

/// Balances as fetched: one or more lists per profile (the profile named
/// only with `--all-profiles`).
pub type Fetched<'a> = Vec<(Option<String>, Balances<'a>)>;

pub fn build<'a>(
    fetched: &'a Fetched<'a>,
    prices: Option<&Prices>,
    view: &View,
    fetched_at: String,
) -> Report<'a> {
    let by_profile = fetched.iter().any(|(p, _)| p.is_some());
    let currency = view.value_in.filter(|_| prices.is_some());
    let valuing = prices.zip(currency);
    let places: usize = fetched.iter().map(|(_, list)| list.len()).sum();
    let mut entries = Array::with_capacity(places);
    let mut values = Vec::new();
    let mut shown = vec![0u64; places.div_ceil(64)];
    let mut place = 0;
    // (Indexes fit in u32: the response size limit allows far fewer assets.)
    for (l, (_, list)) in fetched.iter().enumerate() {
        for i in 0..list.len() {
            let at = place;
            place += 1;
            if !view.filter.keeps(list, i) {
                continue;
            }
            let mut valued = u32::MAX;
            if let Some((prices, currency)) = valuing {
                let balance = list.balance(i);
                let quote = prices.quote(list.asset(i), currency);
                // Trailing zeros of a product carry nothing: 975.0218664455325800
                // is shown as 975.02186644553258, the same exact value.
                let price = quote.and_then(Quote::price).map(|p| p.normalize());
                // A balance with more digits than a Decimal holds has no
                // exact value: it is shown unpriced rather than rounded.
                let value = quote
                    .and_then(|q| q.value(balance.to_decimal()?))
                    .map(|v| v.normalize());
                let shown = match (view.min_value, value) {
                    (None, _) => true,
                    (Some(min), Some(value)) => value >= min,
                    (Some(_), None) => !balance.is_zero(),
                };
                if !shown {
                    continue;
                }
                valued = values.len() as u32;
                values.push([price, value]);
            }
            entries.push(Entry {
                list: l as u32,
                index: i as u32,
                valued,
                code: code_prefix(list.asset(i)),
            });
            shown[at / 64] |= 1 << (at % 64);
        }
    }

    let list = |e: &Entry| &fetched[e.list as usize];
    let value = |e: &Entry| values.get(e.valued as usize).and_then(|v| v[1]);
    let compare = |a: &Entry, b: &Entry| {
        let (la, lb) = (list(a), list(b));
        let (ia, ib) = (a.index as usize, b.index as usize);
        // (Entries of one list have one profile.)
        let profile = if a.list == b.list {
            Ordering::Equal
        } else {
            la.0.cmp(&lb.0)
        };
        profile
            .then_with(|| match view.sort {
                Sort::Asset => Ordering::Equal,
                Sort::Balance => lb.1.balance(ib).cmp_value(&la.1.balance(ia)),
                Sort::Value => match (value(a), value(b)) {
                    (Some(x), Some(y)) => y.cmp(&x),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                },
            })
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| la.1.asset(ia).cmp(lb.1.asset(ib)))
            // Rows alike in all else keep the API's order.
            .then_with(|| (a.list, a.index).cmp(&(b.list, b.index)))
    };
    match view.sort {
        Sort::Asset => {
            let n = entries.len();
            // Profiles in order, and then the codes' first bytes.
            let mut profiles: Vec<&Option<String>> = fetched.iter().map(|(p, _)| p).collect();
            profiles.sort();
            profiles.dedup();
            let ranks: Vec<[u8; 4]> = fetched
                .iter()
                .map(|(p, _)| (profiles.partition_point(|q| *q < p) as u32).to_be_bytes())
                .collect();
            let code = |e: &Entry| {
                let [c0, c1, c2, c3] = e.code[0].to_be_bytes();
                let [c4, c5, c6, c7] = e.code[1].to_be_bytes();
                [c0, c1, c2, c3, c4, c5, c6, c7]
            };
            if profiles.len() > 1 {
                let key = |e: &Entry| {
                    let [r0, r1, r2, r3] = ranks[e.list as usize];
                    let [c0, c1, c2, c3, c4, c5, c6, c7] = code(e);
                    [r0, r1, r2, r3, c0, c1, c2, c3, c4, c5, c6, c7]
                };
                order::sort(&mut entries, &mut Array::zeroed(n), key, compare);
            } else {
                // One profile: the codes alone, fewer bytes to count.
                order::sort(&mut entries, &mut Array::zeroed(n), code, compare);
            }
        }
        Sort::Balance | Sort::Value => entries.sort_by(compare),
    }

    let total = |entries: &mut dyn Iterator<Item = &Entry>| {
        entries
            .filter_map(value)
            .try_fold(Decimal::ZERO, Decimal::checked_add)
            .map(|t| t.normalize())
    };
    let profile = |e: &Entry| list(e).0.as_deref();
    let valuation = currency.map(|currency| {
        let mut profiles: Vec<&str> = entries.iter().filter_map(profile).collect();
        profiles.dedup();
        Summary {
            currency,
            total: total(&mut entries.iter()),
            unpriced: unpriced(fetched, &entries, &values),
            profiles: profiles
                .into_iter()
                .map(|p| {
                    let sum = total(&mut entries.iter().filter(|e| profile(e) == Some(p)));
                    (p.to_owned(), sum)
                })
                .collect(),
        }
    });
    Report {
        fetched_at,
        lists: fetched,
        entries,
        values,
        shown,
        valuation,
        by_profile,
    }
}

/// The codes of the rows without a value, each once, in row order. (A set,
/// not a search of the list so far: a 50,000-asset account unpriced would
/// otherwise take seconds.)
fn unpriced(
    lists: &[(Option<String>, Balances<'_>)],
    entries: &[Entry],
    values: &[[Option<Decimal>; 2]],
) -> Vec<String> {
    let mut seen = HashSet::new();
    entries
        .iter()
        .filter(|e| values.get(e.valued as usize).is_none_or(|v| v[1].is_none()))
        .map(|e| lists[e.list as usize].1.asset(e.index as usize))
        .filter(|code| seen.insert(*code))
        .map(str::to_owned)
        .collect()
}

/// Reports for tests of the report and the renderers.
#[cfg(test)]
pub(crate) mod testing {
    use std::borrow::Cow;

    use super::*;
    use crate::balance::Amount;

    /// A balance of `asset` (a code or any text) holding `amount`.
    pub fn balance<'a>(asset: &'a str, name: Option<&'a str>, amount: &'a str) -> Balance<'a> {
        let amount = Amount::parse(amount).expect("amount");
        Balance {
            asset: Cow::Borrowed(asset),
            name: name.map(Cow::Borrowed),
            balance: amount.clone(),
            free: amount.clone(),
            locked: Amount::parse("0").expect("amount"),
            order_fund: None,
            request_fund: Some(amount),
            precision: Some(8),
        }
    }

    /// A report of `rows` in this order, each with its profile, and its
    /// value (priced at 1) when given; valued when `valuation` is given.
    /// (Its balances are leaked, as a test's are few.)
    pub fn report(
        rows: Vec<(Option<&str>, Balance<'_>, Option<i64>)>,
        valuation: Option<Summary>,
    ) -> Report<'static> {
        let by_profile = rows.iter().any(|(profile, _, _)| profile.is_some());
        let mut lists = Vec::new();
        let mut entries = Vec::new();
        let mut values = Vec::new();
        for (i, (profile, balance, value)) in rows.into_iter().enumerate() {
            lists.push((
                profile.map(str::to_owned),
                std::iter::once(balance).collect::<Balances<'static>>(),
            ));
            let valued = valuation.is_some().then(|| {
                values.push([value.map(|_| Decimal::ONE), value.map(Decimal::from)]);
                i as u32
            });
            entries.push(Entry {
                list: i as u32,
                index: 0,
                valued: valued.unwrap_or(u32::MAX),
                code: [0; 2],
            });
        }
        Report {
            fetched_at: "t".into(),
            shown: vec![u64::MAX; entries.len().div_ceil(64)],
            lists: Box::leak(lists.into_boxed_slice()),
            entries: entries.into(),
            values,
            valuation,
            by_profile,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{balance, report};
    use super::*;

    #[test]
    fn codes_sort_as_strings_whatever_their_first_bytes() {
        let codes = [
            "ZZZ",
            "AB",
            "AB\0",
            "A",
            "",
            "ABCDEFGH1",
            "ABCDEFGH",
            "ABCDEFGH0",
            "ABCDEFGI",
            "ÿ",
            "é",
            "AB\0\0C",
            "ABCDEFGHZ",
            "B",
        ];
        // Two lists of one profile, as a large answer read in two parts.
        let half = codes.len() / 2;
        let list = |codes: &[&str]| -> Balances<'static> {
            codes.iter().map(|c| balance(c, None, "1")).collect()
        };
        let fetched: Fetched = vec![(None, list(&codes[..half])), (None, list(&codes[half..]))];
        for sort in [Sort::Asset, Sort::Balance] {
            let view = View {
                filter: Filter::default(),
                value_in: None,
                min_value: None,
                sort,
            };
            let report = build(&fetched, None, &view, String::new());
            let shown: Vec<String> = report.rows().map(|r| r.balance().asset.into()).collect();
            let mut expected: Vec<String> = codes.map(String::from).to_vec();
            expected.sort();
            assert_eq!(shown, expected);
        }
    }

    proptest::proptest! {
        /// Many rows (past the radix sort's comparison cut-off), codes
        /// alike in their first 8 bytes or whole, several profiles, and
        /// lists of one profile apart: by profile, code, then the API's
        /// order.
        #[test]
        fn rows_sort_by_profile_then_code_then_place(
            lists in proptest::collection::vec(
                (proptest::option::of("[ab]"),
                 proptest::collection::vec("(ABCDEFGH)?[AB\\x00é]{0,3}|[AB\\x00]{0,10}", 0..120)),
                1..5),
        ) {
            let fetched: Fetched = lists
                .iter()
                .map(|(profile, codes)| {
                    let list = codes.iter().map(|c| balance(c, None, "1")).collect();
                    (profile.clone(), list)
                })
                .collect();
            let view = View {
                filter: Filter::default(),
                value_in: None,
                min_value: None,
                sort: Sort::Asset,
            };
            let report = build(&fetched, None, &view, String::new());
            let shown: Vec<_> = report
                .rows()
                .map(|r| (r.profile.map(str::to_owned), r.balance().asset.into_owned(), r.index))
                .collect();
            let mut expected: Vec<_> = lists
                .iter()
                .enumerate()
                .flat_map(|(l, (profile, codes))| {
                    codes.iter().enumerate().map(move |(i, c)| (profile.clone(), c.clone(), l, i))
                })
                .collect();
            expected.sort();
            let expected: Vec<_> = expected.into_iter().map(|(p, c, _, i)| (p, c, i)).collect();
            proptest::prop_assert_eq!(shown, expected);
        }
    }

    #[test]
    fn rows_by_place_are_the_rows_shown_in_the_lists_order() {
        let ticker = r#"[{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":3},
            {"numeratorSymbol":"ETH","denominatorSymbol":"TRY","last":5}]"#;
        let ticker = serde_json::from_str(ticker).expect("JSON");
        let prices = crate::valuation::parse_ticker(ticker).expect("prices");
        let list = |rows: &[(&'static str, &'static str)]| -> Balances<'static> {
            rows.iter().map(|(c, a)| balance(c, None, a)).collect()
        };
        // Two lists of one profile and a third of another, an empty one
        // between; -z leaves out the zeros.
        let fetched: Fetched = vec![
            (
                Some("a".into()),
                list(&[("ETH", "2"), ("XRP", "0"), ("BTC", "1")]),
            ),
            (Some("a".into()), list(&[])),
            (
                Some("a".into()),
                list(&[("AAA", "0"), ("ETH", "7"), ("ZZZ", "4")]),
            ),
            (Some("b".into()), list(&[("BTC", "0"), ("BTC", "9")])),
        ];
        for (value_in, min_value) in [(None, None), (Some(Currency::Try), Some(Decimal::ONE))] {
            let view = View {
                filter: Filter {
                    non_zero: true,
                    assets: Vec::new(),
                },
                value_in,
                min_value,
                sort: Sort::Asset,
            };
            let report = build(&fetched, Some(&prices), &view, String::new());
            let shown = |row: Row| {
                let b = row.balance();
                format!(
                    "{:?} {} {} {:?} {:?}",
                    row.profile, b.asset, b.balance, row.price, row.value
                )
            };
            let mut expected: Vec<String> = report.rows().map(shown).collect();
            expected.sort();
            assert_eq!(report.places(), 8);
            // Any split gives the same rows.
            for split in 0..=8 {
                let mut by_place: Vec<String> = report.rows_by_place(0..split).map(shown).collect();
                by_place.extend(report.rows_by_place(split..8).map(shown));
                let in_order = by_place.clone();
                by_place.sort();
                assert_eq!(by_place, expected, "split at {split}");
                // In the lists' order: ETH before BTC in the first list.
                assert!(in_order[0].contains("ETH 2"), "{in_order:?}");
            }
        }
    }

    #[test]
    fn unpriced_codes_are_listed_once_in_row_order() {
        let rows = [
            ("a", "ZZZ", None),
            ("a", "BTC", Some(5)),
            ("a", "AAA", None),
            ("b", "ZZZ", None),
            ("b", "QQQ", None),
            ("b", "AAA", None),
        ]
        .map(|(profile, code, value)| (Some(profile), balance(code, None, "0"), value));
        let summary = Summary {
            currency: Currency::Try,
            total: None,
            unpriced: Vec::new(),
            profiles: Vec::new(),
        };
        let r = report(rows.into(), Some(summary));
        assert_eq!(
            unpriced(r.lists, &r.entries, &r.values),
            ["ZZZ", "AAA", "QQQ"]
        );
    }
}
