//! `-o csv`: RFC 4180 through the csv crate; exact amounts, empty fields
//! for absent values. `--csv-locale tr` writes what Turkish spreadsheets
//! open directly: `;`, decimal comma, UTF-8 BOM.

use std::borrow::Cow;
use std::io::{self, Write};

use rust_decimal::Decimal;

use super::CsvStyle;
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
/// Added last with `--all-profiles`.
const PROFILE_HEADER: &str = "profile";

const BOM: &[u8] = "\u{feff}".as_bytes();

pub fn render(
    report: &Report,
    header: bool,
    style: CsvStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    let valuing = report.valuation.is_some();
    if style.bom {
        out.write_all(BOM)?;
    }
    if header {
        let mut fields = HEADER.to_vec();
        if valuing {
            fields.extend(VALUATION_HEADER);
        }
        if report.by_profile {
            fields.push(PROFILE_HEADER);
        }
        let mut line = writer(style, Vec::new());
        line.write_record(fields)?;
        out.write_all(&line.into_inner().map_err(|e| e.into_error())?)?;
    }
    let decimal = |d: Option<Decimal>| {
        d.map(|d| comma(d.to_string(), style.decimal_comma))
            .unwrap_or_default()
    };
    // Rows in blocks, as JSON's (see `in_blocks`); each block's lines
    // through a writer of their own, all alike.
    super::in_blocks(
        report.len(),
        |rows: std::ops::Range<usize>, buf: &mut Vec<u8>| {
            let mut out = writer(style, buf);
            for row in report.rows_in(rows) {
                let b = &row.balance();
                let amount = |a| amount(a, style.decimal_comma);
                let precision = b.precision.map(|p| p.to_string()).unwrap_or_default();
                let mut record: Vec<Cow<'_, str>> = vec![
                    Cow::Borrowed(&report.fetched_at),
                    Cow::Borrowed(&b.asset),
                    Cow::Borrowed(b.name.as_deref().unwrap_or("")),
                    amount(Some(&b.balance)),
                    amount(Some(&b.free)),
                    amount(Some(&b.locked)),
                    amount(b.order_fund.as_ref()),
                    amount(b.request_fund.as_ref()),
                    Cow::Owned(precision),
                ];
                if valuing {
                    record.push(Cow::Owned(decimal(row.price)));
                    record.push(Cow::Owned(decimal(row.value)));
                }
                if report.by_profile {
                    record.push(Cow::Borrowed(row.profile.unwrap_or("")));
                }
                // Into memory, which takes it all: no error to pass on.
                let _ = out.write_record(record.iter().map(|f| f.as_bytes()));
            }
            let _ = out.flush();
        },
        out,
    )
}

/// A CSV writer in the chosen style.
fn writer<W: Write>(style: CsvStyle, out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(style.delimiter)
        .from_writer(out)
}

/// An exact amount in the chosen style, every digit kept.
fn amount<'a>(a: Option<&'a Amount<'_>>, decimal_comma: bool) -> Cow<'a, str> {
    match a {
        Some(a) if decimal_comma => Cow::Owned(comma(a.as_str().to_owned(), true)),
        Some(a) => Cow::Borrowed(a.as_str()),
        None => Cow::Borrowed(""),
    }
}

fn comma(text: String, decimal_comma: bool) -> String {
    if decimal_comma {
        text.replace('.', ",")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{balance, report};

    #[test]
    fn a_large_report_rendered_on_two_threads_is_in_order() {
        let codes = super::super::codes_in_blocks();
        let rows = codes
            .iter()
            .map(|c| (None, balance(c, Some("Name, with a comma"), "1.5"), None))
            .collect();
        let mut out = Vec::new();
        render(&report(rows, None), true, CsvStyle::default(), &mut out)
            .expect("a Vec takes it all");
        let text = String::from_utf8(out).expect("UTF-8");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(HEADER.join(",").as_str()));
        let shown: Vec<&str> = lines.clone().map(|l| &l[2..8]).collect();
        assert_eq!(shown, codes);
        for (line, code) in lines.zip(&codes) {
            assert_eq!(
                line,
                format!("t,{code},\"Name, with a comma\",1.5,1.5,0,,1.5,8")
            );
        }
    }
}
