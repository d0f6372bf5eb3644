//! `-o json`: one object, every amount a string holding the exact value
//! (never a JSON number, which readers take as f64).

use std::io;

use serde::Serialize;

use crate::figure::Figure;
use crate::report::{Report, Row};
use crate::text::json_for_terminal;

#[derive(Serialize)]
struct Document<'a> {
    fetched_at: &'a str,
    assets: Assets<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valuation: Option<Valuation<'a>>,
}

/// The rows, serialized one by one as they are read rather than first
/// copied into a list of their own.
struct Assets<'a> {
    rows: &'a [Row<'a>],
    valuing: bool,
}

impl Serialize for Assets<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rows.iter().map(|row| asset(row, self.valuing)))
    }
}

#[derive(Serialize)]
struct Asset<'a> {
    asset: &'a str,
    name: Option<&'a str>,
    balance: &'a Figure,
    free: &'a Figure,
    locked: &'a Figure,
    order_fund: Option<&'a Figure>,
    request_fund: Option<&'a Figure>,
    precision: Option<u32>,
    /// Only when valuing (`--value-in`); then `null` when unpriced.
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<Option<&'a Figure>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Option<&'a Figure>>,
    /// Only with `--all-profiles`.
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
}

#[derive(Serialize)]
struct Valuation<'a> {
    currency: &'static str,
    total: &'a Figure,
    unpriced: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    profiles: Vec<ProfileTotal<'a>>,
}

#[derive(Serialize)]
struct ProfileTotal<'a> {
    profile: &'a str,
    total: &'a Figure,
}

fn asset<'a>(row: &'a Row, valuing: bool) -> Asset<'a> {
    let b = row.balance;
    Asset {
        asset: &b.asset,
        name: b.name.as_deref(),
        balance: &b.balance,
        free: &b.free,
        locked: &b.locked,
        order_fund: b.order_fund.as_ref(),
        request_fund: b.request_fund.as_ref(),
        precision: b.precision,
        price: valuing.then_some(row.price.as_ref()),
        value: valuing.then_some(row.value.as_ref()),
        profile: row.profile,
    }
}

/// One pretty-printed document, or with `lines` one compact object on one
/// line (JSON Lines: a run appended to the runs before it).
pub fn render(report: &Report, escape: bool, lines: bool) -> io::Result<Vec<u8>> {
    let valuing = report.valuation.is_some();
    let document = Document {
        fetched_at: &report.fetched_at,
        assets: Assets {
            rows: &report.rows,
            valuing,
        },
        valuation: report.valuation.as_ref().map(|v| Valuation {
            currency: v.currency.code(),
            total: &v.total,
            unpriced: &v.unpriced,
            profiles: v
                .profiles
                .iter()
                .map(|(profile, total)| ProfileTotal { profile, total })
                .collect(),
        }),
    };
    // About 300 bytes an asset: room up front rather than copies as it grows.
    let mut out = Vec::with_capacity(300 * report.rows.len() + 200);
    if lines {
        serde_json::to_writer(&mut out, &document)?;
    } else {
        serde_json::to_writer_pretty(&mut out, &document)?;
    }
    if escape {
        let text = String::from_utf8_lossy(&out);
        out = json_for_terminal(&text).into_owned().into_bytes();
    }
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::report::Summary;
    use crate::report::testing::{balance, one_row};
    use crate::valuation::Currency;

    fn rendered(report: &Report) -> String {
        String::from_utf8(render(report, false, false).expect("renders")).expect("UTF-8")
    }

    #[test]
    fn lays_out_one_pretty_object() {
        let held = balance("BTC", None, "1.50");
        let mut report = one_row(&held);
        report.fetched_at = "2026-11-24T00:00:00Z".into();
        assert_eq!(
            rendered(&report),
            r#"{
  "fetched_at": "2026-11-24T00:00:00Z",
  "assets": [
    {
      "asset": "BTC",
      "name": null,
      "balance": "1.50",
      "free": "1.50",
      "locked": "0",
      "order_fund": null,
      "request_fund": "1.50",
      "precision": 8
    }
  ]
}
"#
        );
    }

    #[test]
    fn escapes_what_json_needs_and_keeps_the_rest() {
        let odd = "a\"b\\c\u{1b}[31m\nd/é";
        let held = balance(odd, Some(odd), "0");
        let report = Report {
            fetched_at: "t".into(),
            rows: vec![Row {
                profile: Some(odd),
                balance: &held,
                price: Some(Figure::ONE),
                value: None,
            }],
            valuation: Some(Summary {
                currency: Currency::Try,
                total: Figure::parse("3").expect("figure"),
                unpriced: vec![odd.into()],
                profiles: vec![(odd.into(), Figure::ZERO)],
            }),
            by_profile: true,
            profiles: vec![odd],
        };
        let text = rendered(&report);
        assert!(
            text.contains(r#""name": "a\"b\\c\u001b[31m\nd/é","#),
            "{text}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(value["assets"][0]["asset"], odd);
        assert_eq!(value["assets"][0]["profile"], odd);
        assert_eq!(value["assets"][0]["price"], "1");
        assert_eq!(value["assets"][0]["value"], json!(null));
        assert_eq!(
            value["valuation"],
            json!({"currency": "TRY", "total": "3", "unpriced": [odd],
                   "profiles": [{"profile": odd, "total": "0"}]})
        );
    }

    #[test]
    fn an_empty_account_is_an_empty_list() {
        let report = Report {
            fetched_at: "t".into(),
            rows: Vec::new(),
            valuation: None,
            by_profile: false,
            profiles: Vec::new(),
        };
        assert_eq!(
            rendered(&report),
            "{\n  \"fetched_at\": \"t\",\n  \"assets\": []\n}\n"
        );
    }
}
