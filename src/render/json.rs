//! `-o json`: one object, every amount a string holding the API's exact value.

use serde::Serialize;

use super::Report;
use crate::balance::{Amount, Balance};

#[derive(Serialize)]
struct Document<'a> {
    fetched_at: &'a str,
    assets: Vec<Asset<'a>>,
}

#[derive(Serialize)]
struct Asset<'a> {
    asset: &'a str,
    name: Option<&'a str>,
    balance: &'a Amount,
    free: &'a Amount,
    locked: &'a Amount,
    order_fund: Option<&'a Amount>,
    request_fund: Option<&'a Amount>,
    precision: Option<u32>,
}

impl<'a> From<&'a Balance> for Asset<'a> {
    fn from(b: &'a Balance) -> Self {
        Asset {
            asset: &b.asset,
            name: b.name.as_deref(),
            balance: &b.balance,
            free: &b.free,
            locked: &b.locked,
            order_fund: b.order_fund.as_ref(),
            request_fund: b.request_fund.as_ref(),
            precision: b.precision,
        }
    }
}

pub fn render(report: &Report) -> serde_json::Result<Vec<u8>> {
    let doc = Document {
        fetched_at: report.fetched_at,
        assets: report.balances.iter().map(Asset::from).collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}
