//! `-o csv`: RFC 4180 through the csv crate; exact amounts, empty fields
//! for absent values.

use crate::balance::Amount;
use crate::report::Report;

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

/// Added after the others with `--value-in`.
const VALUATION_HEADER: [&str; 2] = ["price", "value"];

pub fn render(report: &Report, header: bool) -> csv::Result<Vec<u8>> {
    let valuing = report.valuation.is_some();
    let mut out = csv::Writer::from_writer(Vec::with_capacity(report.rows.len() * 128));
    if header {
        let mut fields = HEADER.to_vec();
        if valuing {
            fields.extend(VALUATION_HEADER);
        }
        out.write_record(fields)?;
    }
    let opt = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
    for row in &report.rows {
        let b = &row.balance;
        let precision = b.precision.map(|p| p.to_string()).unwrap_or_default();
        let mut record = vec![
            report.fetched_at.as_str(),
            &b.asset,
            b.name.as_deref().unwrap_or(""),
            b.balance.as_str(),
            b.free.as_str(),
            b.locked.as_str(),
            b.order_fund.as_ref().map_or("", Amount::as_str),
            b.request_fund.as_ref().map_or("", Amount::as_str),
            &precision,
        ];
        let (price, value) = (opt(row.price), opt(row.value));
        if valuing {
            record.extend([price.as_str(), value.as_str()]);
        }
        out.write_record(record)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
