//! From balances (and prices) to what a run shows: filtered, valued,
//! sorted and totalled rows, ready for any format.

use std::cmp::Ordering;
use std::collections::HashSet;

use clap::ValueEnum;

use crate::balance::Balance;
use crate::error::{Error, Result};
use crate::figure::{self, BOUND, Figure};
use crate::text::sanitize;
use crate::valuation::{Currency, Prices};

/// Which assets to keep.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep only assets whose total balance is not zero.
    pub non_zero: bool,
    /// Keep only these asset codes (upper case); empty keeps all.
    pub assets: Vec<String>,
}

impl Filter {
    pub fn keeps(&self, b: &Balance) -> bool {
        (!self.non_zero || !b.balance.is_zero()) && (self.assets.is_empty() || self.names(&b.asset))
    }

    fn names(&self, code: &str) -> bool {
        self.assets.iter().any(|a| a.eq_ignore_ascii_case(code))
    }

    /// The requested asset codes that no account fetched has at all.
    pub fn unknown_assets(&self, accounts: &[Account]) -> Vec<&str> {
        self.assets
            .iter()
            .filter(|a| {
                !accounts
                    .iter()
                    .flat_map(|account| &account.balances)
                    .any(|b| b.asset.eq_ignore_ascii_case(a))
            })
            .map(String::as_str)
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    /// By asset code, A to Z.
    Asset,
    /// By total balance, largest first.
    Balance,
    /// By value, largest first; assets without a price last.
    Value,
}

/// What the user asked to see.
#[derive(Debug)]
pub struct View {
    pub filter: Filter,
    pub value_in: Option<Currency>,
    pub min_value: Option<Figure>,
    pub sort: Sort,
}

/// One account's balances as fetched; the profile is named only with
/// `--all-profiles`.
pub struct Account<'a> {
    pub profile: Option<String>,
    pub balances: Vec<Balance<'a>>,
}

/// One asset as shown, with its price and value when valuing.
pub struct Row<'a> {
    /// The config profile, with `--all-profiles`.
    pub profile: Option<&'a str>,
    pub balance: &'a Balance<'a>,
    pub price: Option<Figure>,
    pub value: Option<Figure>,
}

/// The valuation of the rows shown.
pub struct Summary {
    pub currency: Currency,
    /// Sum of the values shown, as they are written out.
    pub total: Figure,
    /// Assets shown without a value, left out of the total.
    pub unpriced: Vec<String>,
    /// Each profile's total, with `--all-profiles`.
    pub profiles: Vec<(String, Figure)>,
}

pub struct Report<'a> {
    /// RFC 3339 UTC, the same for every row of a run.
    pub fetched_at: String,
    pub rows: Vec<Row<'a>>,
    pub valuation: Option<Summary>,
    /// Whether rows carry a profile (`--all-profiles`).
    pub by_profile: bool,
    /// The profiles fetched, with `--all-profiles` (whether or not the
    /// filters left rows of theirs).
    pub profiles: Vec<&'a str>,
}

pub fn build<'a>(
    accounts: &'a [Account<'a>],
    prices: Option<&Prices>,
    view: &View,
    fetched_at: String,
) -> Result<Report<'a>> {
    let valuing = view.value_in.zip(prices);
    let mut rows = Vec::new();
    for (profile, balance) in accounts
        .iter()
        .flat_map(|a| a.balances.iter().map(|b| (a.profile.as_deref(), b)))
        .filter(|(_, b)| view.filter.keeps(b))
    {
        let row = valued(profile, balance, valuing)?;
        if worth_showing(&row, view.min_value.as_ref()) {
            rows.push(row);
        }
    }
    // Stable sorts: rows alike in all else keep the API's order. By code
    // (the default), each row's key is taken once, so that comparing two
    // rows reads their codes without first reading their balances.
    match view.sort {
        Sort::Asset => rows.sort_by_cached_key(|r| (r.profile, &*r.balance.asset)),
        Sort::Balance | Sort::Value => rows.sort_by(|a, b| compare(a, b, view.sort)),
    }
    Ok(Report {
        fetched_at,
        valuation: valuing
            .map(|(currency, _)| summary(&rows, currency))
            .transpose()?,
        by_profile: accounts.iter().any(|a| a.profile.is_some()),
        profiles: accounts
            .iter()
            .filter_map(|a| a.profile.as_deref())
            .collect(),
        rows,
    })
}

/// A row, with its price and value when valuing.
fn valued<'a>(
    profile: Option<&'a str>,
    balance: &'a Balance<'a>,
    valuing: Option<(Currency, &Prices)>,
) -> Result<Row<'a>> {
    let (mut price, mut value) = (None, None);
    if let Some((currency, prices)) = valuing
        && let Some(quote) = prices.quote(&balance.asset, currency)
    {
        let beyond = |what: &str| {
            Error::Response(format!(
                "the {what} of {} in {} is past what a .NET decimal holds ({BOUND})",
                sanitize(&balance.asset),
                currency.code()
            ))
        };
        price = Some(quote.price().ok_or_else(|| beyond("price"))?);
        value = Some(
            quote
                .value(&balance.balance)
                .ok_or_else(|| beyond("value"))?,
        );
    }
    Ok(Row {
        profile,
        balance,
        price,
        value,
    })
}

/// `--min-value`: priced assets worth less are dust; unpriced ones stay
/// when their balance is not zero.
fn worth_showing(row: &Row, min_value: Option<&Figure>) -> bool {
    match (min_value, &row.value) {
        (None, _) => true,
        (Some(min), Some(value)) => value >= min,
        (Some(_), None) => !row.balance.balance.is_zero(),
    }
}

/// By profile, then the chosen order, then the code.
fn compare(a: &Row, b: &Row, sort: Sort) -> Ordering {
    let chosen = match sort {
        Sort::Asset => Ordering::Equal,
        Sort::Balance => b.balance.balance.cmp(&a.balance.balance),
        Sort::Value => figure::cmp_largest_first(a.value.as_ref(), b.value.as_ref()),
    };
    a.profile
        .cmp(&b.profile)
        .then(chosen)
        .then_with(|| a.balance.asset.cmp(&b.balance.asset))
}

fn summary(rows: &[Row], currency: Currency) -> Result<Summary> {
    // From the values as they are written out, so that a script adding
    // the column gets the total.
    let total = |rows: &mut dyn Iterator<Item = &Row>| {
        Figure::sum(rows.filter_map(|r| r.value.as_ref())).ok_or_else(|| {
            Error::Response(format!(
                "the total in {} is past what a .NET decimal holds ({BOUND})",
                currency.code()
            ))
        })
    };
    // Rows are sorted by profile: each profile's rows are together.
    let mut profiles: Vec<&str> = rows.iter().filter_map(|r| r.profile).collect();
    profiles.dedup();
    let mut seen = HashSet::new();
    Ok(Summary {
        currency,
        total: total(&mut rows.iter())?,
        unpriced: rows
            .iter()
            .filter(|r| r.value.is_none())
            .map(|r| &*r.balance.asset)
            .filter(|code| seen.insert(*code))
            .map(str::to_owned)
            .collect(),
        profiles: profiles
            .into_iter()
            .map(|p| {
                let sum = total(&mut rows.iter().filter(|r| r.profile == Some(p)))?;
                Ok((p.to_owned(), sum))
            })
            .collect::<Result<_>>()?,
    })
}

/// Balances for tests of the report and the renderers.
#[cfg(test)]
pub(crate) mod testing {
    use std::borrow::Cow;

    use super::*;
    use crate::figure::Figure;

    /// A balance of `asset` (a code or any text) holding `amount`.
    pub fn balance<'a>(asset: &'a str, name: Option<&'a str>, amount: &'a str) -> Balance<'a> {
        let amount = Figure::parse(amount).expect("amount");
        Balance {
            asset: Cow::Borrowed(asset),
            name: name.map(Cow::Borrowed),
            balance: amount,
            free: amount,
            locked: Figure::ZERO,
            order_fund: None,
            request_fund: Some(amount),
            precision: Some(8),
        }
    }

    /// A report of `balance` alone, not valued.
    pub fn one_row<'a>(balance: &'a Balance<'a>) -> Report<'a> {
        Report {
            fetched_at: "t".into(),
            rows: vec![Row {
                profile: None,
                balance,
                price: None,
                value: None,
            }],
            valuation: None,
            by_profile: false,
            profiles: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::balance;
    use super::*;

    fn view(sort: Sort, value_in: Option<Currency>, min_value: Option<Figure>) -> View {
        View {
            filter: Filter::default(),
            value_in,
            min_value,
            sort,
        }
    }

    fn account<'a>(profile: Option<&str>, balances: &[(&'a str, &'a str)]) -> Account<'a> {
        Account {
            profile: profile.map(str::to_owned),
            balances: balances.iter().map(|(c, a)| balance(c, None, a)).collect(),
        }
    }

    /// Each row as `profile code balance`.
    fn shown(report: &Report) -> Vec<String> {
        report
            .rows
            .iter()
            .map(|r| {
                let b = r.balance;
                format!("{} {} {}", r.profile.unwrap_or("-"), b.asset, b.balance)
            })
            .collect()
    }

    #[test]
    fn rows_sort_by_profile_then_order_then_code_then_place() {
        let accounts = [
            account(Some("b"), &[("ETH", "2"), ("BTC", "1"), ("BTC", "0.5")]),
            account(
                Some("a"),
                &[("é", "1"), ("AB", "3"), ("A", "3"), ("AB\0", "3")],
            ),
        ];
        let report = build(
            &accounts,
            None,
            &view(Sort::Asset, None, None),
            String::new(),
        )
        .expect("report");
        assert_eq!(
            shown(&report),
            [
                "a A 3",
                "a AB 3",
                "a AB\0 3",
                "a é 1",
                "b BTC 1",
                "b BTC 0.5",
                "b ETH 2"
            ]
        );
        let report = build(
            &accounts,
            None,
            &view(Sort::Balance, None, None),
            String::new(),
        )
        .expect("report");
        assert_eq!(
            shown(&report),
            [
                "a A 3",
                "a AB 3",
                "a AB\0 3",
                "a é 1",
                "b ETH 2",
                "b BTC 1",
                "b BTC 0.5"
            ]
        );
    }

    fn prices() -> Prices {
        let ticker = r#"{"data":[{"numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":3},
            {"numeratorSymbol":"ETH","denominatorSymbol":"TRY","last":5}]}"#;
        let response = crate::envelope::Response {
            status: 200,
            content_type: None,
            body: ticker.as_bytes().to_vec(),
        };
        Prices::parse(&response).expect("prices")
    }

    #[test]
    fn values_totals_and_unpriced_per_profile() {
        let accounts = [
            account(
                Some("a"),
                &[("ETH", "2"), ("XRP", "0"), ("BTC", "1"), ("ZZZ", "4")],
            ),
            account(Some("b"), &[("BTC", "0.1"), ("ZZZ", "1"), ("QQQ", "1")]),
        ];
        let prices = prices();
        let view = view(Sort::Value, Some(Currency::Try), Some(Figure::ONE));
        let report = build(&accounts, Some(&prices), &view, String::new()).expect("report");
        // XRP is unpriced and zero; BTC of b is worth 0.3, under the minimum.
        assert_eq!(
            shown(&report),
            ["a ETH 2", "a BTC 1", "a ZZZ 4", "b QQQ 1", "b ZZZ 1"]
        );
        let summary = report.valuation.expect("valued");
        assert_eq!(summary.total.to_string(), "13");
        assert_eq!(summary.unpriced, ["ZZZ", "QQQ"]);
        let totals: Vec<(String, String)> = summary
            .profiles
            .iter()
            .map(|(p, t)| (p.clone(), t.to_string()))
            .collect();
        assert_eq!(
            totals,
            [
                ("a".to_owned(), "13".to_owned()),
                ("b".to_owned(), "0".to_owned())
            ]
        );
    }

    #[test]
    fn filters_by_code_in_any_case_and_non_zero() {
        let accounts = [account(None, &[("btc", "1"), ("ETH", "0"), ("TRY", "0")])];
        let filter = Filter {
            non_zero: true,
            assets: vec!["BTC".into(), "ETH".into(), "NOPE".into()],
        };
        let view = View {
            filter,
            ..view(Sort::Asset, None, None)
        };
        let report = build(&accounts, None, &view, String::new()).expect("report");
        assert_eq!(shown(&report), ["- btc 1"]);
        assert_eq!(view.filter.unknown_assets(&accounts), ["NOPE"]);
        assert!(report.valuation.is_none() && !report.by_profile);
    }
}
