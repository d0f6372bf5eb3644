//! From balances (and prices) to what a run shows: valued, filtered,
//! sorted and totalled rows, ready for any format.

use std::cmp::Ordering;
use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::balance::{Balance, Filter};
use crate::cli::{Currency, Sort};
use crate::valuation::{Prices, Quote};

/// One asset as shown, with its price and value when valuing. It refers
/// to the balance as parsed rather than holding a copy: sorting 50,000 rows
/// then moves small rows, in little memory.
pub struct Row<'a> {
    /// The config profile, with `--all-profiles`.
    pub profile: Option<&'a str>,
    pub balance: &'a Balance<'a>,
    pub price: Option<Decimal>,
    pub value: Option<Decimal>,
}

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
    pub rows: Vec<Row<'a>>,
    pub valuation: Option<Summary>,
    /// Whether rows carry a profile (`--all-profiles`).
    pub by_profile: bool,
}

/// What the user asked to see.
#[derive(Debug)]
pub struct View {
    pub filter: Filter,
    pub value_in: Option<Currency>,
    pub min_value: Option<Decimal>,
    pub sort: Sort,
}

/// Balances as fetched: one list per profile (the profile named only with
/// `--all-profiles`).
pub type Fetched<'a> = Vec<(Option<String>, Vec<Balance<'a>>)>;

pub fn build<'a>(
    fetched: &'a Fetched<'a>,
    prices: Option<&Prices>,
    view: &View,
    fetched_at: String,
) -> Report<'a> {
    let by_profile = fetched.iter().any(|(p, _)| p.is_some());
    let currency = view.value_in.filter(|_| prices.is_some());
    let mut rows: Vec<Row> = fetched
        .iter()
        .flat_map(|(profile, balances)| balances.iter().map(move |b| (profile.as_deref(), b)))
        .filter(|(_, b)| view.filter.keeps(b))
        .map(|(profile, balance)| {
            let quote = prices
                .zip(currency)
                .and_then(|(prices, currency)| prices.quote(&balance.asset, currency));
            // Trailing zeros of a product carry nothing: 975.0218664455325800
            // is shown as 975.02186644553258, the same exact value.
            let price = quote.and_then(Quote::price).map(|p| p.normalize());
            // A balance with more digits than a Decimal holds has no exact
            // value: it is shown unpriced rather than rounded.
            let value = quote
                .and_then(|q| q.value(balance.balance.to_decimal()?))
                .map(|v| v.normalize());
            Row {
                profile,
                balance,
                price,
                value,
            }
        })
        .filter(|row| match (view.min_value, row.value) {
            (None, _) => true,
            (Some(min), Some(value)) => value >= min,
            (Some(_), None) => !row.balance.balance.is_zero(),
        })
        .collect();

    let by_code = |a: &Row, b: &Row| a.balance.asset.cmp(&b.balance.asset);
    let key: fn(&Row, &Row) -> Ordering = match view.sort {
        Sort::Asset => |_, _| Ordering::Equal,
        Sort::Balance => |a, b| b.balance.balance.cmp_value(&a.balance.balance),
        Sort::Value => |a, b| match (a.value, b.value) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
    };
    rows.sort_by(|a, b| {
        a.profile
            .cmp(&b.profile)
            .then_with(|| key(a, b))
            .then_with(|| by_code(a, b))
    });

    let total = |rows: &mut dyn Iterator<Item = &Row>| {
        rows.filter_map(|r| r.value)
            .try_fold(Decimal::ZERO, Decimal::checked_add)
            .map(|t| t.normalize())
    };
    let valuation = currency.map(|currency| {
        let mut profiles: Vec<&str> = rows.iter().filter_map(|r| r.profile).collect();
        profiles.dedup();
        Summary {
            currency,
            total: total(&mut rows.iter()),
            unpriced: unpriced(&rows),
            profiles: profiles
                .into_iter()
                .map(|p| {
                    let sum = total(&mut rows.iter().filter(|r| r.profile == Some(p)));
                    (p.to_owned(), sum)
                })
                .collect(),
        }
    });
    Report {
        fetched_at,
        rows,
        valuation,
        by_profile,
    }
}

/// The codes of the rows without a value, each once, in row order. (A set,
/// not a search of the list so far: a 50,000-asset account unpriced would
/// otherwise take seconds.)
fn unpriced(rows: &[Row]) -> Vec<String> {
    let mut seen = HashSet::new();
    rows.iter()
        .filter(|r| r.value.is_none())
        .map(|r| &*r.balance.asset)
        .filter(|code| seen.insert(*code))
        .map(str::to_owned)
        .collect()
}

/// Rows for tests of the report and the renderers.
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

    /// A row of `balance`, valued at `value` (priced at 1) when given.
    pub fn row<'a>(
        profile: Option<&'a str>,
        balance: &'a Balance<'a>,
        value: Option<i64>,
    ) -> Row<'a> {
        Row {
            profile,
            balance,
            price: value.map(|_| Decimal::ONE),
            value: value.map(Decimal::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{balance, row};
    use super::*;

    #[test]
    fn unpriced_codes_are_listed_once_in_row_order() {
        let balances = ["ZZZ", "BTC", "AAA", "QQQ"].map(|code| balance(code, None, "0"));
        let [zzz, btc, aaa, qqq] = &balances;
        let rows = [
            row(Some("a"), zzz, None),
            row(Some("a"), btc, Some(5)),
            row(Some("a"), aaa, None),
            row(Some("b"), zzz, None),
            row(Some("b"), qqq, None),
            row(Some("b"), aaa, None),
        ];
        assert_eq!(unpriced(&rows), ["ZZZ", "AAA", "QQQ"]);
    }
}
