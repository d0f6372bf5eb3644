//! `-o json`: one object, every amount a string holding the exact value.
//!
//! Written by hand, in the layout of `serde_json`'s pretty printer: the
//! shape is fixed, and a 50,000-asset account is written an asset at a time
//! without first building a second copy of it as serde values. Strings that
//! need escaping go through `serde_json`.

use std::io::{self, Write};
use std::ops::Range;

use rust_decimal::Decimal;

use super::in_blocks;
use crate::report::{Report, Row};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let valuing = report.valuation.is_some();
    let mut buf = Vec::new();
    buf.extend_from_slice(b"{\n  \"fetched_at\": ");
    string(&mut buf, &report.fetched_at);
    buf.extend_from_slice(b",\n  \"assets\": [");
    out.write_all(&buf)?;
    buf.clear();
    in_blocks(
        report.len(),
        |rows: Range<usize>, buf: &mut Vec<u8>| {
            let first = rows.start == 0;
            for (i, row) in report.rows_in(rows).enumerate() {
                buf.extend_from_slice(if first && i == 0 { b"\n" } else { b",\n" });
                asset(buf, &row, valuing);
            }
        },
        out,
    )?;
    if !report.is_empty() {
        buf.extend_from_slice(b"\n  ");
    }
    buf.push(b']');
    if let Some(v) = &report.valuation {
        buf.extend_from_slice(b",\n  \"valuation\": {\n    \"currency\": ");
        string(&mut buf, v.currency.code());
        buf.extend_from_slice(b",\n    \"total\": ");
        decimal(&mut buf, v.total);
        buf.extend_from_slice(b",\n    \"unpriced\": [");
        for (i, code) in v.unpriced.iter().enumerate() {
            buf.extend_from_slice(if i == 0 { b"\n      " } else { b",\n      " });
            string(&mut buf, code);
        }
        if !v.unpriced.is_empty() {
            buf.extend_from_slice(b"\n    ");
        }
        buf.push(b']');
        // Each profile's total, with `--all-profiles`.
        if !v.profiles.is_empty() {
            buf.extend_from_slice(b",\n    \"profiles\": [");
            for (i, (profile, total)) in v.profiles.iter().enumerate() {
                buf.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                buf.extend_from_slice(b"      {\n        \"profile\": ");
                string(&mut buf, profile);
                buf.extend_from_slice(b",\n        \"total\": ");
                decimal(&mut buf, *total);
                buf.extend_from_slice(b"\n      }");
            }
            buf.extend_from_slice(b"\n    ]");
        }
        buf.extend_from_slice(b"\n  }");
    }
    buf.extend_from_slice(b"\n}\n");
    out.write_all(&buf)
}

/// `,`, a new line and an asset's key, as one slice.
macro_rules! key {
    ($key:literal) => {
        concat!(",\n      \"", $key, "\": ").as_bytes()
    };
}

/// One element of `assets`. `price` and `value` are there only when
/// valuing (`--value-in`), `profile` only with `--all-profiles`.
fn asset(buf: &mut Vec<u8>, row: &Row<'_>, valuing: bool) {
    let t = row.texts();
    let [balance, free, locked] = t.amounts.map(Some);
    let [order_fund, request_fund] = t.funds;
    buf.extend_from_slice(b"    {\n      \"asset\": ");
    string(buf, t.asset);
    buf.extend_from_slice(key!("name"));
    match t.name {
        Some(name) => string(buf, name),
        None => buf.extend_from_slice(b"null"),
    }
    // One by one rather than in a loop: each key's length is then a
    // constant, and copying it a few moves rather than a call.
    buf.extend_from_slice(key!("balance"));
    amount(buf, balance);
    buf.extend_from_slice(key!("free"));
    amount(buf, free);
    buf.extend_from_slice(key!("locked"));
    amount(buf, locked);
    buf.extend_from_slice(key!("order_fund"));
    amount(buf, order_fund);
    buf.extend_from_slice(key!("request_fund"));
    amount(buf, request_fund);
    buf.extend_from_slice(key!("precision"));
    match t.precision {
        Some(p) => number(buf, p),
        None => buf.extend_from_slice(b"null"),
    }
    if valuing {
        buf.extend_from_slice(key!("price"));
        decimal(buf, row.price);
        buf.extend_from_slice(key!("value"));
        decimal(buf, row.value);
    }
    if let Some(profile) = &row.profile {
        buf.extend_from_slice(key!("profile"));
        string(buf, profile);
    }
    buf.extend_from_slice(b"\n    }");
}

/// A whole number's digits (without the formatting machinery, which costs
/// more than the rest of an asset).
fn number(buf: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

/// A JSON string. Plain text (no quote, backslash or control character)
/// is copied as it is; anything else is escaped by serde_json.
fn string(buf: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *buf, text);
    } else {
        buf.push(b'"');
        buf.extend_from_slice(text.as_bytes());
        buf.push(b'"');
    }
}

/// An exact amount as a string: its text is plain decimal, nothing to
/// escape.
fn amount(buf: &mut Vec<u8>, a: Option<&str>) {
    match a {
        Some(a) => {
            buf.push(b'"');
            buf.extend_from_slice(a.as_bytes());
            buf.push(b'"');
        }
        None => buf.extend_from_slice(b"null"),
    }
}

/// A decimal as a string with all its digits (never a JSON number, which
/// readers take as f64).
fn decimal(buf: &mut Vec<u8>, d: Option<Decimal>) {
    match d {
        Some(d) => {
            let _ = write!(buf, "\"{d}\"");
        }
        None => buf.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cli::Currency;
    use crate::report::Summary;
    use crate::report::testing::{balance, report};

    fn rendered(report: &Report) -> String {
        let mut out = Vec::new();
        render(report, &mut out).expect("a Vec takes it all");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn lays_out_as_serde_json_pretty_prints() {
        let mut report = report(vec![(None, balance("BTC", None, "1.50"), None)], None);
        report.fetched_at = "2026-11-24T00:00:00Z".into();
        let text = rendered(&report);
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let expected = json!({
            "fetched_at": "2026-11-24T00:00:00Z",
            "assets": [{
                "asset": "BTC", "name": null, "balance": "1.50", "free": "1.50",
                "locked": "0", "order_fund": null, "request_fund": "1.50", "precision": 8
            }]
        });
        assert_eq!(value, expected);
        assert!(text.starts_with("{\n  \"fetched_at\": \"2026-11-24T00:00:00Z\",\n  \"assets\": [\n    {\n      \"asset\": \"BTC\",\n"));
        assert!(text.ends_with("      \"precision\": 8\n    }\n  ]\n}\n"));
    }

    #[test]
    fn escapes_what_json_needs_and_keeps_the_rest() {
        let odd = "a\"b\\c\u{1b}[31m\nd/é";
        let held = balance(odd, Some(odd), "0");
        let summary = Summary {
            currency: Currency::Try,
            total: Some(Decimal::new(3, 0)),
            unpriced: vec![odd.into()],
            profiles: vec![(odd.into(), None)],
        };
        let report = report(vec![(Some(odd), held, Some(3))], Some(summary));
        let value: serde_json::Value =
            serde_json::from_str(&rendered(&report)).expect("valid JSON");
        assert_eq!(value["assets"][0]["asset"], odd);
        assert_eq!(value["assets"][0]["name"], odd);
        assert_eq!(value["assets"][0]["profile"], odd);
        assert_eq!(value["assets"][0]["value"], "3");
        assert_eq!(
            value["valuation"],
            json!({"currency": "TRY", "total": "3", "unpriced": [odd],
                   "profiles": [{"profile": odd, "total": null}]})
        );
    }

    #[test]
    fn a_large_report_rendered_on_two_threads_is_in_order() {
        let codes = super::super::codes_in_blocks();
        let rows = codes
            .iter()
            .map(|c| (None, balance(c, None, "1"), None))
            .collect();
        let text = rendered(&report(rows, None));
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let shown: Vec<&str> = value["assets"]
            .as_array()
            .expect("assets")
            .iter()
            .map(|a| a["asset"].as_str().expect("code"))
            .collect();
        assert_eq!(shown, codes);
        // Laid out as one block of rows would be.
        assert!(text.contains("\n    },\n    {\n      \"asset\": \"A08704\","));
    }

    #[test]
    fn writes_whole_numbers() {
        for n in [0, 7, 10, 28, 4_294_967_295] {
            let mut buf = Vec::new();
            number(&mut buf, n);
            assert_eq!(buf, n.to_string().as_bytes());
        }
    }

    #[test]
    fn an_empty_account_is_an_empty_list() {
        let report = report(Vec::new(), None);
        assert_eq!(
            rendered(&report),
            "{\n  \"fetched_at\": \"t\",\n  \"assets\": []\n}\n"
        );
    }
}
