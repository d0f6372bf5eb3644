//! The balance model: exact amounts, the per-asset record, and the filters.
//!
//! Amounts are kept as the decimal text the API sent (with a dot for the
//! separator), never as floating point and never rounded: a value with more
//! digits than `rust_decimal` holds still reaches JSON and CSV exactly. The
//! table truncates that text toward zero at the asset's precision, which is
//! exact too.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, Result};

mod list;
mod scan;

pub use list::{Balances, Plain, Texts};
pub use scan::{Finish, Prescan, Regions, Stream};

/// The largest exponent accepted in an amount like `1e-8`; beyond it the
/// plain decimal form would be absurdly long.
const MAX_EXPONENT: i64 = 64;

/// An exact decimal amount, as plain decimal text: optional `-`, digits,
/// optional `.` and digits. It borrows the response body when the API's
/// text is already in that form (the usual case), so parsing a large
/// account allocates nothing per amount.
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
                if exp.abs() > MAX_EXPONENT {
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

    /// The value as a `Decimal`, or `None` when it has more digits than a
    /// `Decimal` holds (it is never rounded to fit).
    pub fn to_decimal(&self) -> Option<Decimal> {
        Decimal::from_str_exact(&self.0).ok()
    }

    /// The amount with exactly `places` decimals, truncated toward zero:
    /// never more than the user has. A zero result carries no sign.
    pub fn truncated(&self, places: u32) -> String {
        let mut out = String::new();
        self.truncated_into(places, &mut out);
        out
    }

    /// `truncated`, appended to `out`.
    pub fn truncated_into(&self, places: u32, out: &mut String) {
        let (int, frac) = self.split_point();
        let start = out.len();
        push_truncated(int, frac, places as usize, out);
        let shown = &out[start..];
        if shown.starts_with('-') && shown.bytes().all(|b| matches!(b, b'0' | b'.' | b'-')) {
            out.remove(start);
        }
    }

    pub fn truncated_len(&self, places: u32) -> usize {
        let places = places as usize;
        let (int, frac) = self.split_point();
        let len = int.len() + if places > 0 { 1 + places } else { 0 };
        // A negative amount that truncates to zero loses its sign.
        let zero = |digits: &str| digits.bytes().all(|b| b == b'0');
        let kept = &frac[..frac.len().min(places)];
        match int.strip_prefix('-') {
            Some(digits) if zero(digits) && zero(kept) => len - 1,
            _ => len,
        }
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

    /// The text before and after the point (`""` after if there is none).
    /// Found by a plain loop: amounts are short, too short for a searcher's
    /// set-up to pay.
    fn split_point(&self) -> (&str, &str) {
        match self.0.bytes().position(|b| b == b'.') {
            Some(i) => (&self.0[..i], &self.0[i + 1..]),
            None => (&self.0, ""),
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
/// An amount's digits `int` and decimals `frac` (split at the point), with
/// exactly `places` decimals: truncated toward zero or padded with zeros.
/// (The sign of a zero result is the caller's to drop.)
pub fn push_truncated(int: &str, frac: &str, places: usize, out: &mut String) {
    out.push_str(int);
    if places > 0 {
        out.push('.');
        out.push_str(&frac[..frac.len().min(places)]);
        const ZEROS: &str = "00000000000000000000000000000000";
        repeat(out, ZEROS, places.saturating_sub(frac.len()));
    }
}

/// `n` times the one ASCII character that `run` repeats, appended a run
/// at a time rather than a character at a time.
pub fn repeat(out: &mut String, run: &str, mut n: usize) {
    while n > 0 {
        let part = n.min(run.len());
        out.push_str(&run[..part]);
        n -= part;
    }
}

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

/// An asset as it arrives, each value as its JSON text: every field
/// optional so that a missing one can be reported with the asset it belongs
/// to, and amounts kept as text so that numbers are read from their digits,
/// never through f64. Both readers (serde's and the one-pass scanner in
/// `scan`) produce this, and one conversion checks it.
#[derive(Default, Clone)]
struct Fields<'a> {
    asset: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    balance: Option<&'a str>,
    free: Option<&'a str>,
    locked: Option<&'a str>,
    order_fund: Option<&'a str>,
    request_fund: Option<&'a str>,
    precision: Option<&'a str>,
}

/// An asset as serde reads it, for the slow road.
#[derive(Deserialize)]
struct RawBalance<'a> {
    #[serde(borrow)]
    asset: Option<Cow<'a, str>>,
    #[serde(borrow)]
    assetname: Option<Cow<'a, str>>,
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

impl<'a> From<RawBalance<'a>> for Fields<'a> {
    fn from(raw: RawBalance<'a>) -> Self {
        Fields {
            asset: raw.asset,
            name: raw.assetname,
            balance: raw.balance.map(RawValue::get),
            free: raw.free.map(RawValue::get),
            locked: raw.locked.map(RawValue::get),
            order_fund: raw.order_fund.map(RawValue::get),
            request_fund: raw.request_fund.map(RawValue::get),
            precision: raw.precision.map(RawValue::get),
        }
    }
}

/// Parses the envelope's `data` array into balances, naming the asset and
/// field of anything that is missing or not a number.
pub fn parse_balances(data: &str) -> Result<Balances<'_>> {
    let raw: Vec<RawBalance> = serde_json::from_str(data).map_err(|e| {
        Error::Response(format!(
            "`data` is not a list of assets: {}",
            json_problem(&e)
        ))
    })?;
    let mut list = Balances::with_capacity(data, raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        list.push(&Fields::from(raw).to_balance(i)?)?;
    }
    Ok(list)
}

/// The usual answer, `{"data": [...], "success": true, ...}`, read in one
/// pass. `None` when the body is anything else (an error envelope, another
/// shape, not JSON, or JSON this reader leaves to serde, such as escapes):
/// the caller then takes the slower road that says exactly what is wrong.
///
/// The balances come in one or more consecutive parts (a large answer is
/// read on two threads), in the API's order.
pub fn parse_listing(body: &str) -> Option<Result<Vec<Balances<'_>>>> {
    scan::listing(body)
}

impl<'a> Fields<'a> {
    /// The checked balance of the `index`th asset (from 0). The checks
    /// return small values and the messages are made only on failure, as
    /// this runs for every asset of the account.
    fn to_balance(&self, index: usize) -> Result<Balance<'a>> {
        let asset = match &self.asset {
            Some(code) if !code.trim().is_empty() => code,
            _ => return Err(no_code(index)),
        };
        let required = |field: &str, raw: Option<&'a str>| match raw {
            Some(raw) => amount(raw).ok_or_else(|| not_a_number(asset, field, raw)),
            None => Err(missing(asset, field)),
        };
        let optional = |field: &str, raw: Option<&'a str>| {
            raw.map(|r| amount(r).ok_or_else(|| not_a_number(asset, field, r)))
                .transpose()
        };
        Ok(Balance {
            balance: required("balance", self.balance)?,
            free: required("free", self.free)?,
            locked: required("locked", self.locked)?,
            order_fund: optional("orderFund", self.order_fund)?,
            request_fund: optional("requestFund", self.request_fund)?,
            precision: self
                .precision
                .map(|raw| precision(raw).ok_or_else(|| not_whole(asset, raw)))
                .transpose()?,
            name: self.name.clone(),
            asset: asset.clone(),
        })
    }
}

#[cold]
fn no_code(index: usize) -> Error {
    Error::Response(format!("asset #{} has no `asset` code", index + 1))
}

#[cold]
fn missing(asset: &str, field: &str) -> Error {
    Error::Response(format!(
        "asset {} has no `{field}`",
        crate::term::sanitize(asset)
    ))
}

#[cold]
fn not_a_number(asset: &str, field: &str, text: &str) -> Error {
    Error::Response(format!(
        "asset {} has a `{field}` that is not a decimal number: {}",
        crate::term::sanitize(asset),
        crate::term::sanitize(&crate::term::clip(text, 60))
    ))
}

#[cold]
fn not_whole(asset: &str, text: &str) -> Error {
    Error::Response(format!(
        "asset {} has a `precision` that is not a whole number: {}",
        crate::term::sanitize(asset),
        crate::term::sanitize(&crate::term::clip(text, 60))
    ))
}

/// An amount from the JSON text of a string or number, read from its text.
fn amount(text: &str) -> Option<Amount<'_>> {
    // The usual case first: a quoted plain decimal, borrowed as it is.
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
        && is_plain(inner)
    {
        return Some(Amount(Cow::Borrowed(inner)));
    }
    if text.starts_with('"') {
        // A string without escapes is its own content between the quotes;
        // one with escapes (never seen, but valid JSON) is decoded.
        match text.get(1..text.len() - 1) {
            Some(inner) if !inner.contains('\\') => Amount::parse(inner).ok(),
            _ => serde_json::from_str::<String>(text)
                .ok()
                .and_then(|s| Amount::parse(&s).ok().map(Amount::into_owned)),
        }
    } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Amount::parse(text).ok()
    } else {
        None
    }
}

/// `precision` from the JSON text of an integer or a string of digits.
fn precision(text: &str) -> Option<u32> {
    text.trim_matches('"').parse::<u32>().ok()
}

/// A short description of a JSON syntax error.
pub fn json_problem(e: &serde_json::Error) -> String {
    if e.is_eof() {
        format!("the JSON ends early, the body looks truncated ({e})")
    } else {
        e.to_string()
    }
}

/// Which assets to keep.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep only assets whose total balance is not zero.
    pub non_zero: bool,
    /// Keep only these asset codes (upper case); empty keeps all.
    pub assets: Vec<String>,
}

impl Filter {
    /// Whether to keep the `index`th balance of `list`.
    pub fn keeps(&self, list: &Balances<'_>, index: usize) -> bool {
        (!self.non_zero || !list.balance(index).is_zero())
            && (self.assets.is_empty()
                || self
                    .assets
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(list.asset(index))))
    }

    /// The requested asset codes that the account does not have at all.
    pub fn unknown_assets<'b>(
        &self,
        lists: impl Iterator<Item = &'b Balances<'b>> + Clone,
    ) -> Vec<&str> {
        self.assets
            .iter()
            .filter(|a| {
                !lists
                    .clone()
                    .any(|list| (0..list.len()).any(|i| list.asset(i).eq_ignore_ascii_case(a)))
            })
            .map(String::as_str)
            .collect()
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
            "", " ", "-", ".", "abc", "1.2.3", "1,234.5", "1.234,5", "1e", "1e+", "1e999", "NaN",
            "inf", "0x10", "1_000", "--1", "1 2",
        ] {
            assert_eq!(p(bad), "ERR", "{bad:?}");
        }
    }

    #[test]
    fn keeps_digits_beyond_decimal_range() {
        let long = "98765432109876.543210987654321098765";
        assert_eq!(p(long), long);
        assert_eq!(Amount::parse(long).map(|a| a.to_decimal()), Ok(None));
        assert_eq!(
            Amount::parse("1.5").map(|a| a.to_decimal()),
            Ok(Some(Decimal::new(15, 1)))
        );
    }

    #[test]
    fn truncates_toward_zero_at_precision() {
        let t = |s: &str, n| Amount::parse(s).map(|a| a.truncated(n)).unwrap_or_default();
        assert_eq!(t("9.7502186644553258", 8), "9.75021866");
        assert_eq!(t("27223.7283250757643288", 2), "27223.72");
        assert_eq!(t("0.999", 2), "0.99");
        assert_eq!(t("-0.999", 2), "-0.99");
        assert_eq!(t("-0.001", 2), "0.00");
        assert_eq!(t("5", 2), "5.00");
        assert_eq!(t("5.1", 0), "5");
        assert_eq!(t("0,0000000000000000", 8), "0.00000000");
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

    mod properties {
        use super::*;
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
                // Where rust_decimal can hold the value, both agree exactly.
                if let Ok(d) = Decimal::from_str_exact(&expected) {
                    prop_assert_eq!(amount.to_decimal(), Some(d));
                }
            }

            #[test]
            fn exponent_forms_match_rust_decimal(
                mantissa in 0u64..1_000_000_000_000,
                scale in 0u32..16,
                exp in -12i64..12,
            ) {
                let m = Decimal::new(mantissa as i64, scale);
                let text = format!("{m}e{exp}");
                let amount = Amount::parse(&text).expect("exponent form parses");
                let expected = if exp >= 0 {
                    m * Decimal::from(10u64.pow(exp as u32))
                } else {
                    m / Decimal::from(10u64.pow(exp.unsigned_abs() as u32))
                };
                prop_assert_eq!(amount.to_decimal().map(|d| d.normalize()), Some(expected.normalize()));
            }

            #[test]
            fn truncated_len_is_the_length_of_truncated(
                text in "-?(0|[1-9][0-9]{0,6})(\\.[0-9]{1,12})?",
                places in 0u32..16,
            ) {
                let amount = Amount::parse(&text).expect("plain decimal");
                prop_assert_eq!(amount.truncated_len(places), amount.truncated(places).len());
            }

            #[test]
            fn no_input_panics(text in "\\PC{0,64}") {
                let _ = Amount::parse(&text).map(|a| a.truncated(8));
            }

            #[test]
            fn truncation_never_exceeds_the_value(
                int in "(0|[1-9][0-9]{0,10})",
                frac in "[0-9]{0,16}",
                places in 0u32..12,
            ) {
                let text = if frac.is_empty() { int.clone() } else { format!("{int}.{frac}") };
                let amount = Amount::parse(&text).expect("parses");
                let shown = Decimal::from_str_exact(&amount.truncated(places)).expect("decimal");
                let exact = amount.to_decimal().expect("fits");
                prop_assert!(shown <= exact && exact - shown < Decimal::new(1, places));
            }
        }
    }
}
