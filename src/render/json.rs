//! `-o json`: one object, every amount a string holding the exact value.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::balance::Amount;
use crate::report::{Report, Row};

#[derive(Serialize)]
struct Document<'a> {
    fetched_at: &'a str,
    assets: Vec<Asset<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valuation: Option<Valuation<'a>>,
}

#[derive(Serialize)]
struct Asset<'a> {
    asset: &'a str,
    name: Option<&'a str>,
    balance: &'a Amount<'a>,
    free: &'a Amount<'a>,
    locked: &'a Amount<'a>,
    order_fund: Option<&'a Amount<'a>>,
    request_fund: Option<&'a Amount<'a>>,
    precision: Option<u32>,
    /// Present only when valuing (`--value-in`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    valued: Option<Valued>,
    /// Present only with `--all-profiles`.
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
}

#[derive(Serialize)]
struct Valued {
    #[serde(serialize_with = "exact")]
    price: Option<Decimal>,
    #[serde(serialize_with = "exact")]
    value: Option<Decimal>,
}

#[derive(Serialize)]
struct Valuation<'a> {
    currency: &'a str,
    #[serde(serialize_with = "exact")]
    total: Option<Decimal>,
    unpriced: &'a [String],
    /// Each profile's total, with `--all-profiles`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    profiles: Vec<ProfileTotal<'a>>,
}

#[derive(Serialize)]
struct ProfileTotal<'a> {
    profile: &'a str,
    #[serde(serialize_with = "exact")]
    total: Option<Decimal>,
}

/// A decimal as a string with all its digits (rust_decimal's own serde
/// support is not enabled: it would be one more way to reach f64).
fn exact<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

fn asset<'a>(row: &'a Row<'_>, valuing: bool) -> Asset<'a> {
    let b = &row.balance;
    Asset {
        asset: &b.asset,
        name: b.name.as_deref(),
        balance: &b.balance,
        free: &b.free,
        locked: &b.locked,
        order_fund: b.order_fund.as_ref(),
        request_fund: b.request_fund.as_ref(),
        precision: b.precision,
        valued: valuing.then_some(Valued {
            price: row.price,
            value: row.value,
        }),
        profile: row.profile.as_deref(),
    }
}

pub fn render(report: &Report) -> serde_json::Result<Vec<u8>> {
    let valuing = report.valuation.is_some();
    let doc = Document {
        fetched_at: &report.fetched_at,
        assets: report.rows.iter().map(|r| asset(r, valuing)).collect(),
        valuation: report.valuation.as_ref().map(|v| Valuation {
            currency: v.currency.code(),
            total: v.total,
            unpriced: &v.unpriced,
            profiles: v
                .profiles
                .iter()
                .map(|(profile, total)| ProfileTotal {
                    profile,
                    total: *total,
                })
                .collect(),
        }),
    };
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}
