//! The balance model: each asset of the account as the API reported it,
//! read from the envelope's `data`. Amounts are figures, read from their
//! text (never through floating point) and kept as the API sent them.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::envelope::{Object, Response};
use crate::error::{Error, Result};
use crate::figure::{Figure, Unreadable};
use crate::text::{clip, sanitize};

/// One asset of the account, as the API reported it, borrowing its text
/// from the response body.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance<'a> {
    pub asset: Cow<'a, str>,
    pub name: Option<Cow<'a, str>>,
    pub balance: Figure,
    pub free: Figure,
    pub locked: Figure,
    pub order_fund: Option<Figure>,
    pub request_fund: Option<Figure>,
    pub precision: Option<u32>,
}

/// An asset as it arrives: every field optional so that a missing one can
/// be reported with the asset it belongs to, and amounts kept as their JSON
/// text so that numbers are read from their digits, never through f64.
#[derive(Deserialize)]
struct RawBalance<'a> {
    #[serde(borrow)]
    asset: Option<&'a RawValue>,
    #[serde(borrow)]
    assetname: Option<&'a RawValue>,
    #[serde(borrow)]
    balance: Option<&'a RawValue>,
    #[serde(borrow)]
    free: Option<&'a RawValue>,
    #[serde(borrow)]
    locked: Option<&'a RawValue>,
    #[serde(borrow, rename = "orderFund")]
    order_fund: Option<&'a RawValue>,
    #[serde(borrow, rename = "requestFund")]
    request_fund: Option<&'a RawValue>,
    #[serde(borrow)]
    precision: Option<&'a RawValue>,
}

/// The account's assets from a balances answer, in the API's order, naming
/// the asset and field of anything that is missing or not a number.
pub fn parse(response: &Response) -> Result<Vec<Balance<'_>>> {
    let Checked(balances) = response.data("`data` is not a list of assets")?;
    balances
}

/// The `data` array, each asset checked as it is read, so that no list of
/// unchecked assets is kept beside the checked one. A check that fails is
/// reported once the whole body has been read as JSON, so that a syntax
/// error anywhere is named first.
struct Checked<'a>(Result<Vec<Balance<'a>>>);

impl<'de> Deserialize<'de> for Checked<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> serde::de::Visitor<'de> for CheckedVisitor {
    type Value = Checked<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut balances = Ok(Vec::with_capacity(seq.size_hint().unwrap_or(0)));
        // Codes in upper case: an asset the answer lists twice, in any
        // case, is no account's balance (which of the two is it?).
        let mut seen = std::collections::HashMap::new();
        let mut index = 0;
        while let Some(Object(raw)) = seq.next_element::<Object<RawBalance>>()? {
            if let Ok(list) = &mut balances {
                match raw.check(index).and_then(|b| once(&mut seen, b, index)) {
                    Ok(balance) => list.push(balance),
                    Err(e) => balances = Err(e),
                }
            }
            index += 1;
        }
        Ok(Checked(balances))
    }
}

/// `balance`, unless an asset of the same code (in any case) came before.
fn once<'a>(
    seen: &mut std::collections::HashMap<String, (String, usize)>,
    balance: Balance<'a>,
    index: usize,
) -> Result<Balance<'a>> {
    let code = balance.asset.to_uppercase();
    if let Some((first, at)) = seen.get(&code) {
        return Err(Error::Response(format!(
            "asset {} is listed twice: as #{} ({}) and #{}",
            sanitize(&balance.asset),
            at + 1,
            sanitize(first),
            index + 1
        )));
    }
    seen.insert(code, (balance.asset.to_string(), index));
    Ok(balance)
}

impl<'a> RawBalance<'a> {
    /// The checked balance of the `index`th asset (from 0).
    fn check(self, index: usize) -> Result<Balance<'a>> {
        let number = index + 1;
        let asset = match self.asset.map(|raw| (text(raw), raw)) {
            Some((Some(code), _)) if !code.trim().is_empty() => code,
            Some((None, raw)) => {
                return Err(Error::Response(format!(
                    "asset #{number} has an `asset` code that is not text: {}",
                    sanitize(&clip(raw.get(), 60))
                )));
            }
            _ => {
                return Err(Error::Response(format!(
                    "asset #{number} has no `asset` code"
                )));
            }
        };
        let name = match self.assetname {
            Some(raw) => {
                Some(text(raw).ok_or_else(|| bad(&asset, "assetname", "is not text", raw))?)
            }
            None => None,
        };
        let optional = |field: &str, raw: Option<&'a RawValue>| {
            raw.map(|r| amount(r.get()).map_err(|why| bad(&asset, field, why, r)))
                .transpose()
        };
        let required = |field: &str, raw: Option<&'a RawValue>| {
            optional(field, raw)?.ok_or_else(|| {
                Error::Response(format!("asset {} has no `{field}`", sanitize(&asset)))
            })
        };
        Ok(Balance {
            balance: required("balance", self.balance)?,
            free: required("free", self.free)?,
            locked: required("locked", self.locked)?,
            order_fund: optional("orderFund", self.order_fund)?,
            request_fund: optional("requestFund", self.request_fund)?,
            precision: self
                .precision
                .map(|r| precision(r).ok_or_else(|| bad(&asset, "precision", PRECISION_RULE, r)))
                .transpose()?,
            name,
            asset,
        })
    }
}

/// "asset X has a `field` that WHY: TEXT".
fn bad(asset: &str, field: &str, why: impl fmt::Display, raw: &RawValue) -> Error {
    Error::Response(format!(
        "asset {} has {} `{field}` that {why}: {}",
        sanitize(asset),
        crate::text::article(field),
        sanitize(&clip(raw.get(), 60))
    ))
}

/// The text of a JSON string, borrowed when it has no escapes; `None` for
/// anything else.
fn text(raw: &RawValue) -> Option<Cow<'_, str>> {
    let json = raw.get();
    match json.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
        Some(_) => serde_json::from_str::<String>(json).ok().map(Cow::Owned),
        None => None,
    }
}

/// An amount from the JSON text of a string or number, read from its text.
pub fn amount(text: &str) -> std::result::Result<Figure, Unreadable> {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        // A string without escapes is its own content between the quotes;
        // one with escapes (never seen, but valid JSON) is decoded.
        Some(inner) if !inner.contains('\\') => Figure::parse(inner),
        Some(_) => serde_json::from_str::<String>(text)
            .map_err(|_| Unreadable::NotANumber)
            .and_then(|s| Figure::parse(&s)),
        None if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => Figure::parse(text),
        None => Err(Unreadable::NotANumber),
    }
}

/// What a precision must be, in messages (after "that").
pub const PRECISION_RULE: &str = "is not a whole number from 0 to 28";

/// A precision from its digits: 0 to 28 (the most places a figure has),
/// else `None`.
pub fn precision_from(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|p| *p <= crate::figure::PLACES)
}

/// `precision` from a JSON integer, or a string of digits only (read
/// after unescaping, as codes and amounts are).
fn precision(raw: &RawValue) -> Option<u32> {
    match raw.get() {
        json if json.starts_with('"') => precision_from(&text(raw)?),
        json => precision_from(json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each asset of `data` shown as `code name balance free locked
    /// order_fund request_fund precision`, or the error.
    fn read(data: &str) -> Result<Vec<String>, String> {
        let response = Response {
            status: 200,
            content_type: None,
            body: format!(r#"{{"success":true,"data":{data}}}"#).into_bytes(),
        };
        let list = parse(&response).map_err(|e| e.to_string())?;
        Ok(list
            .iter()
            .map(|b| {
                let opt = |a: &Option<Figure>| a.as_ref().map_or("-".into(), Figure::to_string);
                format!(
                    "{} {} {} {} {} {} {} {}",
                    b.asset,
                    b.name.as_deref().unwrap_or("-"),
                    b.balance,
                    b.free,
                    b.locked,
                    opt(&b.order_fund),
                    opt(&b.request_fund),
                    b.precision.map_or("-".into(), |p| p.to_string())
                )
            })
            .collect())
    }

    #[test]
    fn reads_every_form_the_api_sends() {
        let data = r#"[
            {"asset":"TRY","assetname":"Türk Lirası","balance":"27223,72","locked":"0","free":"27223,72","orderFund":"0","requestFund":"0","precision":2,"timestamp":1763952000000},
            {"asset":"B\u0054C","assetname":"Bit\ncoin","balance":1e-8,"locked":0,"free":"1.50","precision":"8","extra":{"a":[1,{"b":null}]}},
            {"asset":"X","balance":"\u0031.5","free":"1.5","locked":"0","orderFund":null,"assetname":null}
        ]"#;
        assert_eq!(
            read(data),
            Ok(vec![
                "TRY Türk Lirası 27223.72 27223.72 0 0 0 2".to_owned(),
                "BTC Bit\ncoin 0.00000001 1.50 0 - - 8".to_owned(),
                "X - 1.5 1.5 0 - - -".to_owned(),
            ])
        );
    }

    #[test]
    fn precision_is_read_after_unescaping() {
        let data = r#"[{"asset":"A","balance":"1","free":"1","locked":"0","precision":"\u0038"}]"#;
        assert_eq!(read(data), Ok(vec!["A - 1 1 0 - - 8".to_owned()]));
    }

    #[test]
    fn an_asset_is_an_object_never_an_array_read_by_position() {
        let err = read(r#"[["BTC","Bitcoin","1.5","1.5","0"]]"#).expect_err("an array");
        assert!(err.contains("item 1 is a JSON array"), "{err}");
        let err =
            read(r#"[{"asset":"A","balance":"1","free":"1","locked":"0"},["B","b","2","2","0"]]"#)
                .expect_err("an array");
        assert!(err.contains("item 2 is a JSON array"), "{err}");
    }

    #[test]
    fn an_amount_no_net_decimal_holds_is_a_malformed_answer() {
        for beyond in [
            r#""1e-9223372036854775808""#,
            "0E-9223372036854775808",
            r#""0.00000000000000000000000000001""#,
            "79228162514264337593543950336",
            r#""98765432109876,543210987654321098765""#,
        ] {
            let data = format!(r#"[{{"asset":"A","balance":"1","free":{beyond},"locked":"0"}}]"#);
            let err = read(&data).expect_err(beyond);
            assert!(
                err.contains("asset A has a `free` that is past what a .NET decimal holds (at most 28 decimal places, within ±79,228,162,514,264,337,593,543,950,335): "),
                "{err}"
            );
        }
        // At the bound, and a negative zero: kept as sent.
        let data = r#"[{"asset":"A","balance":"-79228162514264337593543950335","free":"0.0000000000000000000000000001","locked":"-0"}]"#;
        assert_eq!(
            read(data),
            Ok(vec![
                "A - -79228162514264337593543950335 0.0000000000000000000000000001 -0 - - -"
                    .to_owned()
            ])
        );
    }

    #[test]
    fn names_the_asset_and_field_of_what_is_wrong() {
        let fails = |data: &str, words: &str| {
            let err = read(data).expect_err(data);
            assert!(err.contains(words), "{data}: {err}");
        };
        fails(
            r#"[{"asset":"BTC","balance":"1","locked":"0"}]"#,
            "asset BTC has no `free`",
        );
        fails(
            r#"[{"asset":"A","balance":null,"free":"1","locked":"0"}]"#,
            "asset A has no `balance`",
        );
        fails(
            r#"[{"asset":"ETH","balance":"1.2.3","free":"1","locked":"0"}]"#,
            "asset ETH has a `balance` that is not a decimal number: \"1.2.3\"",
        );
        fails(
            r#"[{"asset":"A","balance":true,"free":"1","locked":"0"}]"#,
            "not a decimal number: true",
        );
        fails(
            r#"[{"balance":"1","free":"1","locked":"0"}]"#,
            "asset #1 has no `asset` code",
        );
        fails(
            r#"[{"asset":" \u3000","balance":"1","free":"1","locked":"0"}]"#,
            "asset #1 has no `asset` code",
        );
        fails(
            r#"[{"asset":"A\u001b","balance":"x","free":"1","locked":"0"}]"#,
            "asset A\\u{1b} has",
        );
        fails(
            r#"[{"asset":5,"balance":"1","free":"1","locked":"0"}]"#,
            "asset #1 has an `asset` code that is not text: 5",
        );
        fails(
            r#"[{"asset":"A","assetname":["x"],"balance":"1","free":"1","locked":"0"}]"#,
            "asset A has an `assetname` that is not text",
        );
        fails("[1]", "`data` is not a list of assets: item 1 is a number");
        fails(r#"{"a":1}"#, "`data` is not a list of assets");
        // A syntax error after a bad asset is named first.
        fails(
            r#"[{"asset":"BTC","balance":"1","locked":"0"},{]"#,
            "not JSON",
        );
        // The first bad asset is named, not a later one.
        fails(
            r#"[{"asset":"A","balance":"1","free":"1","locked":"0"},{"asset":"B"},{"asset":"C"}]"#,
            "asset B has no `balance`",
        );
        fails("[1]", "`data` is not a list of assets");
        for bad in [
            "\"x\"",
            "-1",
            "8.0",
            "1e1",
            "\"+8\"",
            "\"\"",
            "\"\\u0038x\"",
            "4294967296",
            "29",
            "70000",
            "\"0029\"",
        ] {
            let data = format!(
                r#"[{{"asset":"A","balance":"1","free":"1","locked":"0","precision":{bad}}}]"#
            );
            fails(&data, "`precision` that is not a whole number from 0 to 28");
        }
        // An asset listed twice, in any case, is no balance of an account.
        fails(
            r#"[{"asset":"BTC","balance":"1","free":"1","locked":"0"},{"asset":"ETH","balance":"1","free":"1","locked":"0"},{"asset":"btc","balance":"2","free":"2","locked":"0"}]"#,
            "asset btc is listed twice: as #1 (BTC) and #3",
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_precision_text_is_0_to_28_or_refused(text in "\\PC{0,12}") {
                if let Some(p) = precision_from(&text) {
                    prop_assert!(p <= crate::figure::PLACES);
                    prop_assert!(text.bytes().all(|b| b.is_ascii_digit()));
                }
            }

        }
    }
}
