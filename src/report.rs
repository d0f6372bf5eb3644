//! From balances (and prices) to what a run shows: valued, filtered,
//! sorted and totalled rows, ready for any format.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::balance::{Balance, Filter};
use crate::cli::{Currency, Sort};
use crate::valuation::{Prices, Quote};

/// One asset as shown, with its price and value when valuing.
pub struct Row {
    pub balance: Balance,
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
}

pub struct Report {
    /// RFC 3339 UTC, the same for every row of a run.
    pub fetched_at: String,
    pub rows: Vec<Row>,
    pub valuation: Option<Summary>,
}

/// What the user asked to see.
#[derive(Debug)]
pub struct View {
    pub filter: Filter,
    pub value_in: Option<Currency>,
    pub min_value: Option<Decimal>,
    pub sort: Sort,
}

pub fn build(
    balances: Vec<Balance>,
    prices: Option<&Prices>,
    view: &View,
    fetched_at: String,
) -> Report {
    let currency = view.value_in.filter(|_| prices.is_some());
    let mut rows: Vec<Row> = balances
        .into_iter()
        .filter(|b| view.filter.keeps(b))
        .map(|balance| {
            let quote = prices
                .zip(currency)
                .and_then(|(prices, currency)| prices.quote(&balance.asset, currency));
            let price = quote.and_then(Quote::price);
            // A balance with more digits than a Decimal holds has no exact
            // value: it is shown unpriced rather than rounded.
            let value = quote.and_then(|q| q.value(balance.balance.to_decimal()?));
            Row {
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
    match view.sort {
        Sort::Asset => rows.sort_by(by_code),
        Sort::Balance => rows.sort_by(|a, b| {
            b.balance
                .balance
                .cmp_value(&a.balance.balance)
                .then_with(|| by_code(a, b))
        }),
        Sort::Value => rows.sort_by(|a, b| {
            match (a.value, b.value) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then_with(|| by_code(a, b))
        }),
    }

    let valuation = currency.map(|currency| Summary {
        currency,
        total: rows
            .iter()
            .filter_map(|r| r.value)
            .try_fold(Decimal::ZERO, Decimal::checked_add),
        unpriced: rows
            .iter()
            .filter(|r| r.value.is_none())
            .map(|r| r.balance.asset.clone())
            .collect(),
    });
    Report {
        fetched_at,
        rows,
        valuation,
    }
}
