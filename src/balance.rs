//! The balance model: exact amounts, and each asset of the account as the
//! API reported it, read from the envelope's `data`.
//!
//! Amounts are kept as the decimal text the API sent (with a dot for the
//! separator), never as floating point and never rounded: a value with more
//! digits than any fixed-size decimal holds still reaches JSON and CSV exactly. The
//! table truncates that text toward zero at the asset's precision, which is
//! exact too.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::envelope::{Object, Response};
use crate::error::{Error, Result};
use crate::text::{clip, sanitize};

/// The largest exponent accepted in an amount like `1e-8`; beyond it the
/// plain decimal form would be absurdly long.
const MAX_EXPONENT: i64 = 64;

/// An exact decimal amount, as plain decimal text: optional `-`, digits,
/// optional `.` and digits. It borrows the response body when the API's
/// text is already in that form (the usual case).
#[derive(Clone, PartialEq, Eq)]
pub struct Amount<'a>(Cow<'a, str>);

#[derive(Debug, PartialEq, Eq)]
pub struct AmountError;

impl<'a> Amount<'a> {
    /// Parses an amount as the API sends it: `27223.72`, `27223,72` (the API
    /// page's comma form), `0`, `-1.5`, or a JSON-number form like `1e-8`.
    /// Thousands separators are refused: `1.234,5` is ambiguous.
    pub fn parse(text: &'a str) -> Result<Amount<'a>, AmountError> {
        let s = text.trim();
        if is_plain(s) {
            return Ok(Amount(Cow::Borrowed(s)));
        }
        let (negative, s) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(i) => {
                let exp = &s[i + 1..];
                let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(AmountError);
                }
                let exp: i64 = exp.parse().map_err(|_| AmountError)?;
                // Not `exp.abs()`: the absolute value of i64::MIN wraps.
                if !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&exp) {
                    return Err(AmountError);
                }
                (&s[..i], exp)
            }
            None => (s, 0),
        };
        let (int, frac) = match mantissa.find(['.', ',']) {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
            return Err(AmountError);
        }

        // Move the point by the exponent over the digit string.
        let digits: String = [int, frac].concat();
        let point = int.len() as i64 + exponent;
        let (int, frac) = if point <= 0 {
            let zeros = "0".repeat(point.unsigned_abs() as usize);
            (String::new(), zeros + &digits)
        } else if point as usize >= digits.len() {
            let zeros = "0".repeat(point as usize - digits.len());
            (digits + &zeros, String::new())
        } else {
            let (i, f) = digits.split_at(point as usize);
            (i.to_owned(), f.to_owned())
        };
        let int = int.trim_start_matches('0');
        let mut out = String::with_capacity(int.len() + frac.len() + 3);
        if negative {
            out.push('-');
        }
        out.push_str(if int.is_empty() { "0" } else { int });
        if !frac.is_empty() {
            out.push('.');
            out.push_str(&frac);
        }
        Ok(Amount(Cow::Owned(out)))
    }

    /// The same amount, no longer borrowing.
    pub fn into_owned(self) -> Amount<'static> {
        Amount(Cow::Owned(self.0.into_owned()))
    }

    /// The exact value as plain decimal text with a dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0.bytes().all(|b| matches!(b, b'0' | b'.' | b'-'))
    }

    /// The amount with exactly `places` decimals, rounded half to even, as
    /// a table shows it. A zero result carries no sign.
    pub fn rounded(&self, places: u32) -> String {
        crate::figure::Figure::exact(&self.0)
            .map_or_else(|| self.0.to_string(), |f| f.rounded(places))
    }

    /// Numeric order, exact at any number of digits. (Not `Ord`: `0.10` and
    /// `0.1` are equal in value but kept apart as text.)
    pub fn cmp_value(&self, other: &Self) -> Ordering {
        let (a_neg, a_int, a_frac) = self.parts();
        let (b_neg, b_int, b_frac) = other.parts();
        let magnitude = a_int
            .len()
            .cmp(&b_int.len())
            .then_with(|| a_int.cmp(b_int))
            .then_with(|| {
                let (a, b) = (a_frac.trim_end_matches('0'), b_frac.trim_end_matches('0'));
                a.cmp(b)
            });
        match (a_neg && !self.is_zero(), b_neg && !other.is_zero()) {
            (false, false) => magnitude,
            (true, true) => magnitude.reverse(),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }

    /// Sign, integer digits without leading zeros, fraction digits.
    fn parts(&self) -> (bool, &str, &str) {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, &*self.0),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        (negative, int.trim_start_matches('0'), frac)
    }
}

/// Already in the canonical form `parse` produces: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`.
fn is_plain(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s).as_bytes();
    let int_len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    let (int, rest) = digits.split_at(int_len);
    let int_ok = int == b"0" || (!int.is_empty() && int[0] != b'0');
    let frac_ok = match rest {
        [] => true,
        [b'.', frac @ ..] => !frac.is_empty() && frac.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    int_ok && frac_ok
}

impl fmt::Display for Amount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Amount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.0)
    }
}

impl serde::Serialize for Amount<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// One asset of the account, as the API reported it, borrowing its text
/// from the response body.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance<'a> {
    pub asset: Cow<'a, str>,
    pub name: Option<Cow<'a, str>>,
    pub balance: Amount<'a>,
    pub free: Amount<'a>,
    pub locked: Amount<'a>,
    pub order_fund: Option<Amount<'a>>,
    pub request_fund: Option<Amount<'a>>,
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
            Some(raw) => Some(text(raw).ok_or_else(|| bad(&asset, "assetname", "text", raw))?),
            None => None,
        };
        let optional = |field: &str, raw: Option<&'a RawValue>| {
            raw.map(|r| amount(r.get()).ok_or_else(|| bad(&asset, field, "a decimal number", r)))
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

/// "asset X has a `field` that is not KIND: TEXT".
fn bad(asset: &str, field: &str, kind: &str, raw: &RawValue) -> Error {
    Error::Response(format!(
        "asset {} has {} `{field}` that is not {kind}: {}",
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
pub fn amount(text: &str) -> Option<Amount<'_>> {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        // A string without escapes is its own content between the quotes;
        // one with escapes (never seen, but valid JSON) is decoded.
        Some(inner) if !inner.contains('\\') => Amount::parse(inner).ok(),
        Some(_) => serde_json::from_str::<String>(text)
            .ok()
            .and_then(|s| Amount::parse(&s).ok().map(Amount::into_owned)),
        None if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
            Amount::parse(text).ok()
        }
        None => None,
    }
}

/// The most decimal places an amount can carry (a .NET decimal's, which
/// the API's amounts are): a precision beyond it is no precision the API
/// could mean.
pub const MAX_PRECISION: u32 = 28;

/// What a precision must be, in messages.
pub const PRECISION_RULE: &str = "a whole number from 0 to 28";

/// A precision from its digits: 0 to `MAX_PRECISION`, else `None`.
pub fn precision_from(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|p| *p <= MAX_PRECISION)
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

    fn p(s: &str) -> String {
        Amount::parse(s)
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "ERR".into())
    }

    #[test]
    fn parses_dot_comma_integer_and_zero_forms() {
        assert_eq!(p("27223.7283250757643288"), "27223.7283250757643288");
        assert_eq!(p("27223,7283250757643288"), "27223.7283250757643288");
        assert_eq!(p("0,0000000000000000"), "0.0000000000000000");
        assert_eq!(p("42"), "42");
        assert_eq!(p("0"), "0");
        assert_eq!(p("-3.5"), "-3.5");
        assert_eq!(p("+3.5"), "3.5");
        assert_eq!(p(".5"), "0.5");
        assert_eq!(p("5."), "5");
        assert_eq!(p("007.10"), "7.10");
    }

    #[test]
    fn parses_exponent_forms_exactly() {
        assert_eq!(p("1e-8"), "0.00000001");
        assert_eq!(p("1.50E2"), "150");
        assert_eq!(p("1.5e+1"), "15");
        assert_eq!(p("12.345e1"), "123.45");
        assert_eq!(p("0e0"), "0");
    }

    #[test]
    fn refuses_what_is_not_a_decimal() {
        for bad in [
            "",
            " ",
            "-",
            ".",
            "abc",
            "1.2.3",
            "1,234.5",
            "1.234,5",
            "1e",
            "1e+",
            "1e999",
            "NaN",
            "inf",
            "0x10",
            "1_000",
            "--1",
            "1 2",
            // Exponents out of range, i64::MIN among them (its absolute
            // value wraps) and past i64.
            "1e-9223372036854775808",
            "0E-9223372036854775808",
            "1e9223372036854775807",
            "1e-9223372036854775809",
            "1e65",
            "1e-65",
        ] {
            assert_eq!(p(bad), "ERR", "{bad:?}");
        }
    }

    #[test]
    fn keeps_digits_beyond_decimal_range() {
        let long = "98765432109876.543210987654321098765";
        assert_eq!(p(long), long);
    }

    #[test]
    fn rounds_half_to_even_at_precision() {
        let r = |s: &str, n| Amount::parse(s).map(|a| a.rounded(n)).unwrap_or_default();
        assert_eq!(r("9.7502186644553258", 8), "9.75021866");
        assert_eq!(r("27223.7283250757643288", 2), "27223.73");
        assert_eq!(r("0.999", 2), "1.00");
        assert_eq!(r("-0.999", 2), "-1.00");
        assert_eq!(r("-0.001", 2), "0.00");
        assert_eq!(r("0.125", 2), "0.12");
        assert_eq!(r("0.135", 2), "0.14");
        assert_eq!(r("5", 2), "5.00");
        assert_eq!(r("5.5", 0), "6");
        assert_eq!(r("0,0000000000000000", 8), "0.00000000");
    }

    #[test]
    fn orders_by_value_exactly() {
        fn a(s: &str) -> Amount<'_> {
            Amount::parse(s).expect("amount")
        }
        let mut v = [
            "10",
            "9.99",
            "-1",
            "0",
            "-0.5",
            "0.10",
            "98765432109876.5432109876543210987",
            "0.1",
        ]
        .map(a)
        .to_vec();
        v.sort_by(Amount::cmp_value);
        let shown: Vec<_> = v.iter().map(Amount::as_str).collect();
        assert_eq!(
            shown,
            [
                "-1",
                "-0.5",
                "0",
                "0.10",
                "0.1",
                "9.99",
                "10",
                "98765432109876.5432109876543210987"
            ]
        );
        assert_eq!(a("0.10").cmp_value(&a("0.1")), Ordering::Equal);
        assert_eq!(a("-0").cmp_value(&a("0.0")), Ordering::Equal);
    }

    #[test]
    fn zero_detection() {
        for z in ["0", "0.000", "-0.0", "0e5"] {
            assert!(Amount::parse(z).is_ok_and(|a| a.is_zero()), "{z}");
        }
        for nz in ["0.0000000000000001", "1", "-0.1"] {
            assert!(Amount::parse(nz).is_ok_and(|a| !a.is_zero()), "{nz}");
        }
    }

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
                let opt = |a: &Option<Amount>| a.as_ref().map_or("-".into(), Amount::to_string);
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
    fn an_exponent_out_of_range_is_a_malformed_answer() {
        for bad in [r#""1e-9223372036854775808""#, "0E-9223372036854775808"] {
            let data = format!(r#"[{{"asset":"A","balance":{bad},"free":"1","locked":"0"}}]"#);
            let err = read(&data).expect_err(bad);
            assert!(
                err.contains("`balance` that is not a decimal number"),
                "{err}"
            );
        }
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
        use crate::figure::Figure;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn plain_decimals_round_trip_exactly(
                negative in any::<bool>(),
                int in "(0|[1-9][0-9]{0,30})",
                frac in proptest::option::of("[0-9]{1,30}"),
                comma in any::<bool>(),
            ) {
                let sign = if negative { "-" } else { "" };
                let dot = frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default();
                let expected = format!("{sign}{int}{dot}");
                let sent = if comma { expected.replace('.', ",") } else { expected.clone() };
                let amount = Amount::parse(&sent).expect("a plain decimal parses");
                prop_assert_eq!(amount.as_str(), expected.as_str());
                // Every amount is a figure too.
                prop_assert!(Figure::exact(amount.as_str()).is_some());
            }

            #[test]
            fn exponent_forms_match_bigdecimal(
                mantissa in "[0-9]{1,12}(\\.[0-9]{1,16})?",
                exp in -64i64..=64,
            ) {
                use std::str::FromStr;
                let text = format!("{mantissa}e{exp}");
                let amount = Amount::parse(&text).expect("exponent form parses");
                let theirs = bigdecimal::BigDecimal::from_str(&text).expect("bigdecimal reads it");
                let ours = bigdecimal::BigDecimal::from_str(amount.as_str()).expect("plain");
                prop_assert_eq!(ours, theirs);
            }

            #[test]
            fn any_precision_text_is_0_to_28_or_refused(text in "\\PC{0,12}") {
                if let Some(p) = precision_from(&text) {
                    prop_assert!(p <= MAX_PRECISION);
                    prop_assert!(text.bytes().all(|b| b.is_ascii_digit()));
                }
            }

            #[test]
            fn no_input_panics(text in "\\PC{0,64}") {
                let _ = Amount::parse(&text).map(|a| a.rounded(8));
            }

            #[test]
            fn any_exponent_parses_or_is_refused(
                mantissa in "[+-]?[0-9]{0,4}([.,][0-9]{0,4})?",
                e in "[eE]",
                exp in any::<i64>(),
            ) {
                let text = format!("{mantissa}{e}{exp}");
                if let Ok(a) = Amount::parse(&text) {
                    prop_assert!(a.as_str().len() <= 2 * MAX_EXPONENT as usize + 12, "{}", a);
                }
            }

            #[test]
            fn rounding_is_within_half_a_step(
                int in "(0|[1-9][0-9]{0,10})",
                frac in "[0-9]{0,16}",
                places in 0u32..12,
            ) {
                let text = if frac.is_empty() { int.clone() } else { format!("{int}.{frac}") };
                let amount = Amount::parse(&text).expect("parses");
                let shown = Figure::exact(&amount.rounded(places)).expect("decimal");
                let exact = Figure::exact(amount.as_str()).expect("figure");
                let half = match places {
                    0 => Figure::exact("0.5"),
                    n => Figure::exact(&format!("0.{}5", "0".repeat(n as usize))),
                }
                .expect("half a step");
                let off = if shown >= exact { shown.minus(&exact) } else { exact.minus(&shown) };
                prop_assert!(off <= half, "{} shown as {}", amount, shown);
            }
        }
    }
}
