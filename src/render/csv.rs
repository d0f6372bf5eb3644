//! `-o csv`: RFC 4180 through the csv crate; exact amounts, empty fields
//! for absent values. `--csv-locale tr` writes what Turkish spreadsheets
//! open directly: `;`, decimal comma, UTF-8 BOM.

use std::io;

use super::CsvStyle;
use crate::dump::Columns;
use crate::figure::Figure;
use crate::output::{Document, Kind};
use crate::report::Report;
use crate::text::{BOM, sanitize};

/// The byte order mark and header line (what belongs only at the start of
/// a file), and the rows.
pub fn render(
    report: &Report,
    header: bool,
    style: CsvStyle,
    escape: bool,
) -> io::Result<Document> {
    let valuing = report.valuation.is_some();
    let writer = |out| {
        csv::WriterBuilder::new()
            .delimiter(style.delimiter)
            .from_writer(out)
    };
    // The header line, written or not: a file appended to must hold it.
    let mut line = writer(Vec::new());
    line.write_record(header_of(report))?;
    let mut line = line.into_inner().map_err(|e| e.into_error())?;
    let mut head = Vec::new();
    if style.bom {
        head.extend_from_slice(BOM.as_bytes());
    }
    if header {
        head.extend_from_slice(&line);
    }
    line.pop_if(|b| *b == b'\n');
    let mut csv = writer(Vec::new());
    // A decimal comma where the style asks for one; every digit kept.
    let number = |text: String| {
        if style.decimal_comma {
            text.replace('.', ",")
        } else {
            text
        }
    };
    let decimal = |d: Option<&Figure>| d.map(|d| number(d.to_string())).unwrap_or_default();
    for row in &report.rows {
        let b = row.balance;
        let mut record = vec![
            report.fetched_at.clone(),
            b.asset.to_string(),
            b.name.as_deref().unwrap_or("").to_owned(),
            decimal(Some(&b.balance)),
            decimal(Some(&b.free)),
            decimal(Some(&b.locked)),
            decimal(b.order_fund.as_ref()),
            decimal(b.request_fund.as_ref()),
            b.precision.map(|p| p.to_string()).unwrap_or_default(),
        ];
        if valuing {
            record.extend([decimal(row.price.as_ref()), decimal(row.value.as_ref())]);
        }
        if report.by_profile {
            record.push(row.profile.unwrap_or("").to_owned());
        }
        if escape {
            for field in &mut record {
                *field = sanitize(field);
            }
        }
        csv.write_record(&record)?;
    }
    let body = csv.into_inner().map_err(|e| e.into_error())?;
    Ok(Document {
        head,
        body,
        kind: Kind::Csv {
            header: line,
            delimiter: style.delimiter,
        },
    })
}

/// The dump's columns for this report (see `dump`).
fn header_of(report: &Report) -> Vec<String> {
    Columns {
        currency: report
            .valuation
            .as_ref()
            .map(|v| v.currency.code().to_ascii_lowercase()),
        profile: report.by_profile,
    }
    .names()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{balance, one_row};

    fn rendered(report: &Report, header: bool, style: CsvStyle) -> String {
        let doc = render(report, header, style, false).expect("renders");
        String::from_utf8(doc.whole()).expect("UTF-8")
    }

    #[test]
    fn quotes_what_needs_it_and_keeps_every_digit() {
        let held = balance("XYZ", Some("Odd \"Token\", Inc."), "1.0000000000000001");
        let report = one_row(&held);
        assert_eq!(
            rendered(&report, true, CsvStyle::default()),
            "fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision\n\
             t,XYZ,\"Odd \"\"Token\"\", Inc.\",1.0000000000000001,1.0000000000000001,0,,1.0000000000000001,8\n"
        );
        let turkish = CsvStyle {
            delimiter: b';',
            decimal_comma: true,
            bom: true,
        };
        assert_eq!(
            rendered(&report, false, turkish),
            "\u{feff}t;XYZ;\"Odd \"\"Token\"\", Inc.\";1,0000000000000001;1,0000000000000001;0;;1,0000000000000001;8\n"
        );
    }
}
