//! `-o csv`: RFC 4180 through the csv crate; exact amounts, empty fields
//! for absent values.

use super::Report;
use crate::balance::Amount;

const HEADER: [&str; 9] = [
    "fetched_at",
    "asset",
    "name",
    "balance",
    "free",
    "locked",
    "order_fund",
    "request_fund",
    "precision",
];

pub fn render(report: &Report, header: bool) -> csv::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(report.balances.len() * 128));
    if header {
        out.write_record(HEADER)?;
    }
    for b in report.balances {
        let precision = b.precision.map(|p| p.to_string()).unwrap_or_default();
        out.write_record([
            report.fetched_at,
            &b.asset,
            b.name.as_deref().unwrap_or(""),
            b.balance.as_str(),
            b.free.as_str(),
            b.locked.as_str(),
            b.order_fund.as_ref().map_or("", Amount::as_str),
            b.request_fund.as_ref().map_or("", Amount::as_str),
            &precision,
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
