//! Money: the one decimal type, and the one rule for figures. An amount is
//! kept exactly as it was sent (its scale too: `1.50` stays `1.50`, `-0`
//! stays `-0`). An amount a .NET decimal could not hold (more than 28
//! decimal places, or beyond ±79,228,162,514,264,337,593,543,950,335) is no
//! amount the API can send, and is refused. A computed figure (a converted
//! price, a value, a total, a sum or a difference) is exact where it fits,
//! and otherwise rounded half to even to fit; arithmetic is checked, and a
//! result beyond the bound is `None`, never a wrong number. A leaf: every
//! module that reads or computes money goes through here.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// The most decimal places a figure carries.
pub const PLACES: u32 = 28;

/// What a figure can hold, in messages.
pub const BOUND: &str = "at most 28 decimal places, within ±79,228,162,514,264,337,593,543,950,335";

/// An exact decimal, as a .NET decimal holds it: a 96-bit integer and up
/// to 28 decimal places.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Figure(Decimal);

/// Why a text is not a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    NotANumber,
    /// A number, but no .NET decimal holds it.
    Beyond,
}

impl fmt::Display for Unreadable {
    /// What is wrong, after "that": "that is not a decimal number".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::NotANumber => f.write_str("is not a decimal number"),
            Unreadable::Beyond => write!(f, "is past what a .NET decimal holds ({BOUND})"),
        }
    }
}

/// 2^96: the bound of a figure's integer.
const LIMIT: u128 = 1 << 96;

impl Figure {
    pub const ZERO: Figure = Figure(Decimal::ZERO);
    pub const ONE: Figure = Figure(Decimal::ONE);

    /// An amount as the API or a dump writes it: `27223.72`, `27223,72`
    /// (the API page's comma form), `0`, `-1.5`, `-0`, or a JSON-number
    /// form like `1e-8`; kept with its scale. Thousands separators are
    /// refused: `1.234,5` is ambiguous. However long the text, it is read
    /// in one pass, with no arithmetic past the first digit beyond the
    /// bound: a million digits cost a scan, never a division.
    pub fn parse(text: &str) -> Result<Figure, Unreadable> {
        let s = text.trim_ascii().as_bytes();
        let (negative, s) = match s.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, s),
        };
        let (mantissa, exponent) = match s.iter().position(|b| matches!(b, b'e' | b'E')) {
            Some(at) => (&s[..at], exponent(&s[at + 1..])?),
            None => (s, 0),
        };
        // One pass: the digits as an integer (in a u64 for the first 19,
        // as nearly every amount is; then a u128 until it passes the
        // bound), and how many follow the point.
        let (mut head, mut value, mut beyond) = (0_u64, 0_u128, false);
        let (mut digits, mut places, mut point) = (0_i64, 0_i64, false);
        for &b in mantissa {
            match b {
                b'0'..=b'9' if digits < 19 => {
                    head = head * 10 + u64::from(b - b'0');
                    digits += 1;
                    places += i64::from(point);
                }
                b'0'..=b'9' => {
                    if digits == 19 {
                        value = u128::from(head);
                    }
                    if !beyond {
                        value = value * 10 + u128::from(b - b'0');
                        beyond = value >= LIMIT;
                    }
                    digits += 1;
                    places += i64::from(point);
                }
                b'.' | b',' if !point => point = true,
                _ => return Err(Unreadable::NotANumber),
            }
        }
        if digits == 0 {
            return Err(Unreadable::NotANumber);
        }
        if digits <= 19 {
            value = u128::from(head);
        }
        // The value is `value` × 10^-scale; a negative scale moves the
        // point right (1.5e3 is 1500).
        let scale = places - exponent;
        for _ in scale..0 {
            value *= 10;
            beyond |= value >= LIMIT;
            if beyond || value == 0 {
                break;
            }
        }
        let scale = u32::try_from(scale.max(0)).unwrap_or(u32::MAX);
        if beyond || scale > PLACES {
            return Err(Unreadable::Beyond);
        }
        let mantissa = i128::try_from(value).map_err(|_| Unreadable::Beyond)?;
        let mut d =
            Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| Unreadable::Beyond)?;
        d.set_sign_negative(negative);
        Ok(Figure(d))
    }

    /// A computed result: trailing zeros dropped (they carry nothing), and
    /// no negative zero.
    fn computed(value: Option<Decimal>) -> Option<Figure> {
        value.map(|d| Figure(d.normalize()))
    }

    /// `self × other`; `None` past the bound.
    pub fn times(&self, other: &Figure) -> Option<Figure> {
        Figure::computed(self.0.checked_mul(other.0))
    }

    /// `self ÷ divisor`; `None` for a zero divisor or past the bound.
    pub fn over(&self, divisor: &Figure) -> Option<Figure> {
        Figure::computed(self.0.checked_div(divisor.0))
    }

    /// `self - other`; `None` past the bound.
    pub fn minus(&self, other: &Figure) -> Option<Figure> {
        Figure::computed(self.0.checked_sub(other.0))
    }

    /// The exact sum, rounded once; `None` past the bound.
    pub fn sum<'a>(figures: impl IntoIterator<Item = &'a Figure>) -> Option<Figure> {
        let mut sum = Sum::default();
        figures.into_iter().for_each(|f| sum.add(f));
        sum.figure()
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// The figure with exactly `places` decimals, rounded half to even, as
    /// a person is shown money. A zero has no sign.
    pub fn rounded(&self, places: u32) -> String {
        let mut rounded = self
            .0
            .round_dp_with_strategy(places, RoundingStrategy::MidpointNearestEven);
        if rounded.is_zero() {
            rounded.set_sign_negative(false);
        }
        // Already rounded: the precision only pads.
        format!("{rounded:.places$}", places = places as usize)
    }

    /// The figure rounded half to even to at most `places` decimals,
    /// without trailing zeros (a price).
    pub fn rounded_trimmed(&self, places: u32) -> String {
        let text = self.rounded(places);
        match text.contains('.') {
            true => text.trim_end_matches('0').trim_end_matches('.').to_owned(),
            false => text,
        }
    }

    /// Where the figure lies from `low` to `high`, in `steps` equal steps
    /// (0 to `steps`, rounded half to even), for a chart.
    pub fn step(&self, (low, high): (&Figure, &Figure), steps: u32) -> i64 {
        let at = || {
            let range = high.0.checked_sub(low.0)?;
            let share = self.0.checked_sub(low.0)?.checked_div(range)?;
            share.checked_mul(Decimal::from(steps))?.round().to_i64()
        };
        match high == low {
            true => i64::from(steps / 2),
            false => at().unwrap_or(0),
        }
    }
}

/// An exponent's text (`-8`, `+2`), clamped far past any figure's range.
fn exponent(text: &[u8]) -> Result<i64, Unreadable> {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (-1, rest),
        Some((b'+', rest)) => (1, rest),
        _ => (1, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Unreadable::NotANumber);
    }
    let size = digits
        .iter()
        .try_fold(0_i64, |n, &b| {
            n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
        })
        .map_or(999_999, |n| n.min(999_999));
    Ok(sign * size)
}

/// A figure's text, on the stack.
struct Text {
    bytes: [u8; 44],
    len: usize,
}

impl Text {
    fn as_str(&self) -> &str {
        // Only ASCII digits, a sign and a point are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl Figure {
    /// Plain decimal text, never an exponent, with the figure's scale and
    /// sign (`1.50`, `-0`). Written here: rust_decimal's own Display costs
    /// about 180 ns a figure, a quarter of a 50,000-asset run's time.
    fn text(&self) -> Text {
        // The integer's digits, right-aligned in a buffer of zeros; u128
        // division is a software routine, so two u64 halves (the integer
        // is below 2^96, its high half below 10^10).
        let mut digits = [b'0'; 40];
        let mut at = digits.len();
        let magnitude = self.0.mantissa().unsigned_abs();
        let split = 10_u128.pow(19);
        let (high, low) = ((magnitude / split) as u64, (magnitude % split) as u64);
        let mut push = |mut n: u64, width: usize| {
            let end = at;
            while n > 0 || end - at < width {
                at -= 1;
                digits[at] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        match high {
            0 => push(low, 1),
            high => {
                push(low, 19);
                push(high, 1);
            }
        }
        // At least one digit before the point: the buffer's zeros.
        let scale = self.0.scale() as usize;
        at = at.min(digits.len() - scale - 1);
        let (int, frac) = digits[at..].split_at(digits.len() - at - scale);
        let mut text = Text {
            bytes: [0; 44],
            len: 0,
        };
        let sign: &[u8] = if self.0.is_sign_negative() { b"-" } else { b"" };
        let point: &[u8] = if scale > 0 { b"." } else { b"" };
        for part in [sign, int, point, frac] {
            text.bytes[text.len..text.len + part.len()].copy_from_slice(part);
            text.len += part.len();
        }
        text
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.text().as_str())
    }
}

impl fmt::Debug for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Figure({self})")
    }
}

impl serde::Serialize for Figure {
    /// A JSON string of the exact text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text().as_str())
    }
}

/// A sum being added up exactly, rounded once at the end: the whole units
/// and the 10^-28 parts are kept apart, each in an `i128` (a billion
/// figures at the bound add up within it).
#[derive(Default)]
pub struct Sum {
    whole: i128,
    parts: i128,
    overflowed: bool,
}

/// 10^28: one whole unit in `Sum::parts`.
const UNIT: i128 = 10_i128.pow(PLACES);

impl Sum {
    pub fn add(&mut self, figure: &Figure) {
        let (mantissa, scale) = (figure.0.mantissa(), figure.0.scale());
        // In i64 where it fits (a real amount): i128 division is slow.
        let (whole, parts) = match i64::try_from(mantissa) {
            Ok(m) if scale <= 18 => {
                let one = 10_i64.pow(scale);
                (i128::from(m / one), i128::from(m % one))
            }
            _ => {
                let one = 10_i128.pow(scale);
                (mantissa / one, mantissa % one)
            }
        };
        let parts = parts * 10_i128.pow(PLACES - scale);
        let whole = self.whole.checked_add(whole);
        match whole.zip(self.parts.checked_add(parts)) {
            Some((whole, parts)) => {
                self.whole = whole + parts / UNIT;
                self.parts = parts % UNIT;
            }
            None => self.overflowed = true,
        }
    }

    /// The sum, exact where it fits, else rounded half to even at the most
    /// places that fit; `None` past the bound.
    pub fn figure(&self) -> Option<Figure> {
        if self.overflowed {
            return None;
        }
        // Give both the sign of the whole sum.
        let (mut whole, mut parts) = (self.whole, self.parts);
        if whole > 0 && parts < 0 {
            (whole, parts) = (whole - 1, parts + UNIT);
        } else if whole < 0 && parts > 0 {
            (whole, parts) = (whole + 1, parts - UNIT);
        }
        (0..=PLACES).rev().find_map(|scale| {
            let step = 10_i128.pow(PLACES - scale);
            let (kept, rest) = (parts / step, parts % step);
            let mut value = whole.checked_mul(10_i128.pow(scale))?.checked_add(kept)?;
            let away = match (2 * rest.abs()).cmp(&step) {
                Ordering::Greater => true,
                Ordering::Equal => value % 2 != 0,
                Ordering::Less => false,
            };
            if away {
                value += rest.signum();
            }
            let d = Decimal::try_from_i128_with_scale(value, scale).ok()?;
            Some(Figure(d.normalize()))
        })
    }
}

/// Numeric order of two optional figures, with none last.
pub fn cmp_largest_first(a: Option<&Figure>, b: Option<&Figure>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn f(text: &str) -> Figure {
        Figure::parse(text).expect("a figure")
    }

    fn p(text: &str) -> String {
        Figure::parse(text).map_or_else(|e| format!("{e:?}"), |f| f.to_string())
    }

    #[test]
    fn amounts_are_kept_as_sent() {
        for (sent, kept) in [
            ("27223.7283250757643288", "27223.7283250757643288"),
            ("27223,7283250757643288", "27223.7283250757643288"),
            ("0,0000000000000000", "0.0000000000000000"),
            ("1.50", "1.50"),
            ("42", "42"),
            ("-3.5", "-3.5"),
            ("+3.5", "3.5"),
            (".5", "0.5"),
            ("5.", "5"),
            ("007.10", "7.10"),
            ("-0", "-0"),
            ("-0.00", "-0.00"),
            ("1e-8", "0.00000001"),
            ("1.50E2", "150"),
            ("1.5e+1", "15"),
            ("12.345e1", "123.45"),
            ("0e0", "0"),
            ("0e-28", "0.0000000000000000000000000000"),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
            (
                "-7.9228162514264337593543950335",
                "-7.9228162514264337593543950335",
            ),
            (
                "7922816251426433759354395033.5e1",
                "79228162514264337593543950335",
            ),
            ("0e999999999999999999999", "0"),
        ] {
            assert_eq!(p(sent), kept, "{sent}");
        }
    }

    #[test]
    fn what_no_net_decimal_holds_is_beyond() {
        for beyond in [
            "79228162514264337593543950336",
            "-79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "1.00000000000000000000000000000",
            "98765432109876.543210987654321098765",
            "1e29",
            "1e-29",
            "1e999999999999999999999",
            "1e-9223372036854775808",
            "0E-9223372036854775808",
        ] {
            assert_eq!(p(beyond), "Beyond", "{beyond}");
        }
        for bad in [
            "", " ", "-", ".", "abc", "1.2.3", "1,234.5", "1.234,5", "1e", "1e+", "NaN", "inf",
            "0x10", "1_000", "--1", "1 2", "1e1.5", "1e5e5",
        ] {
            assert_eq!(p(bad), "NotANumber", "{bad:?}");
        }
    }

    #[test]
    fn a_million_digits_are_refused_at_once() {
        let long = format!("1{}", "0".repeat(1_000_000));
        let places = format!("0.{}", "1".repeat(1_000_000));
        assert_eq!(p(&long), "Beyond");
        assert_eq!(p(&places), "Beyond");
        assert_eq!(p(&format!("{long}e-1000000")), "Beyond");
    }

    #[test]
    fn computed_figures_are_exact_where_they_fit_else_rounded_half_to_even() {
        // 12345678901234.5678901234 × 98765432109876.54321 is exactly
        // 1219326311370217952249651455.433622292332114 (Python's decimal):
        // 43 digits. With one place, 12193263113702179522496514554 < 2^96
        // fits; with two it would not.
        assert_eq!(
            f("12345678901234.5678901234")
                .times(&f("98765432109876.54321"))
                .map(|v| v.to_string())
                .as_deref(),
            Some("1219326311370217952249651455.4")
        );
        // Short results are exact, without trailing zeros.
        assert_eq!(f("0.5").times(&f("3.00")), Some(f("1.5")));
        // Below 1: 28 places. 0.00000001 / 34.25 =
        // 0.00000000029197080291970802919|708…: the 29th place is 9.
        assert_eq!(
            f("0.00000001")
                .over(&f("34.25"))
                .map(|v| v.to_string())
                .as_deref(),
            Some("0.0000000002919708029197080292")
        );
        // Ties at the 28th place: 1e-28 × 0.5 and 3e-28 × 0.5.
        let tiny = f("0.0000000000000000000000000001");
        assert_eq!(tiny.times(&f("0.5")), Some(Figure::ZERO));
        assert_eq!(
            f("0.0000000000000000000000000003").times(&f("0.5")),
            Some(f("0.0000000000000000000000000002"))
        );
        assert_eq!(f("1").over(&Figure::ZERO), None);
        // Past the bound: none, never a wrong number.
        let max = f("79228162514264337593543950335");
        assert_eq!(max.times(&f("2")), None);
        assert_eq!(f("-79228162514264337593543950335").minus(&f("1")), None);
        assert_eq!(max.over(&f("0.5")), None);
        // Computed: no negative zero, no trailing zeros.
        assert_eq!(
            f("-0").times(&f("2")).map(|v| v.to_string()).as_deref(),
            Some("0")
        );
    }

    #[test]
    fn sums_are_exact_and_rounded_once() {
        let sum = |texts: &[&str]| {
            Figure::sum(&texts.iter().map(|t| f(t)).collect::<Vec<_>>()).map(|s| s.to_string())
        };
        assert_eq!(sum(&[]).as_deref(), Some("0"));
        assert_eq!(sum(&["1.50", "2.50", "-4"]).as_deref(), Some("0"));
        assert_eq!(sum(&["0.1", "0.2"]).as_deref(), Some("0.3"));
        // Parts carry into whole units, of either sign.
        assert_eq!(
            sum(&[
                "0.9999999999999999999999999999",
                "0.0000000000000000000000000001"
            ])
            .as_deref(),
            Some("1")
        );
        assert_eq!(sum(&["-1.25", "0.5"]).as_deref(), Some("-0.75"));
        assert_eq!(sum(&["1.25", "-3.5"]).as_deref(), Some("-2.25"));
        // Rounded once: a billion plus 28 places does not fit; the exact
        // sum 1000000000.00000000000000000005 is a tie and rounds to even.
        assert_eq!(
            sum(&[
                "1000000000",
                "0.0000000000000000000000000005",
                "0.0000000000000000000000000000"
            ])
            .as_deref(),
            Some("1000000000")
        );
        // Summed one by one with rounding each time, these two halves
        // would each be lost; exactly, they make a whole step.
        assert_eq!(
            sum(&["7922816251426433759354395033", "0.5", "0.5",]).as_deref(),
            Some("7922816251426433759354395034")
        );
        // Past the bound on the way, within it at the end: still exact.
        assert_eq!(
            sum(&[
                "79228162514264337593543950335",
                "79228162514264337593543950335",
                "-79228162514264337593543950335"
            ])
            .as_deref(),
            Some("79228162514264337593543950335")
        );
        assert_eq!(sum(&["79228162514264337593543950335", "1"]), None);
        // Found by the property below before it was bounded: added step by
        // step, the first two round to 12 places and the total ends in
        // …28|3; the exact sum (Python's decimal) is
        // 5144868038926433.763051475283499999, 13 places fit.
        assert_eq!(
            sum(&[
                "-0.496948524716500001",
                "7922816251426434.26",
                "-2777948212500000"
            ])
            .as_deref(),
            Some("5144868038926433.7630514752835")
        );
    }

    #[test]
    fn rounding_and_steps() {
        assert_eq!(f("1002.509").rounded(2), "1002.51");
        assert_eq!(f("1002.505").rounded(2), "1002.50");
        assert_eq!(f("1002.515").rounded(2), "1002.52");
        assert_eq!(f("-1.239").rounded(2), "-1.24");
        assert_eq!(f("-0.001").rounded(2), "0.00");
        assert_eq!(f("-0").rounded(2), "0.00");
        assert_eq!(f("5").rounded(2), "5.00");
        assert_eq!(f("5.5").rounded(0), "6");
        assert_eq!(f("0.999").rounded(2), "1.00");
        assert_eq!(f("9.7502186644553258").rounded(8), "9.75021866");
        assert_eq!(
            f("79228162514264337593543950335").rounded(2),
            "79228162514264337593543950335.00"
        );
        assert_eq!(f("0.000685123456").rounded_trimmed(8), "0.00068512");
        assert_eq!(f("0.000685125").rounded_trimmed(8), "0.00068512");
        assert_eq!(f("1.5000").rounded_trimmed(8), "1.5");
        assert_eq!(f("-0.000000001").rounded_trimmed(8), "0");
        assert_eq!(f("120").rounded_trimmed(8), "120");
        let (low, high) = (f("0"), f("2699999999999999999999973000"));
        assert_eq!(high.step((&low, &high), 31), 31);
        assert_eq!(low.step((&low, &high), 31), 0);
        assert_eq!(low.step((&low, &low), 31), 15);
        let (low, high) = (
            f("-79228162514264337593543950335"),
            f("79228162514264337593543950335"),
        );
        assert_eq!(high.step((&low, &high), 31), 0, "a range past the bound");
    }

    #[test]
    fn order_is_numeric() {
        let mut v = [
            "10",
            "9.99",
            "-1",
            "0",
            "-0.5",
            "0.10",
            "79228162514264337593543950335",
            "0.1",
            "-0",
        ]
        .map(f)
        .to_vec();
        v.sort();
        let shown: Vec<_> = v.iter().map(Figure::to_string).collect();
        assert_eq!(
            shown,
            [
                "-1",
                "-0.5",
                "0",
                "-0",
                "0.10",
                "0.1",
                "9.99",
                "10",
                "79228162514264337593543950335"
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn plain_decimals_are_kept_exactly(
            negative in proptest::bool::ANY,
            int in "(0|[1-9][0-9]{0,13})",
            frac in proptest::option::of("[0-9]{1,14}"),
            comma in proptest::bool::ANY,
        ) {
            let sign = if negative { "-" } else { "" };
            let dot = frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default();
            let expected = format!("{sign}{int}{dot}");
            let sent = if comma { expected.replace('.', ",") } else { expected.clone() };
            proptest::prop_assert_eq!(p(&sent), expected);
        }

        #[test]
        fn exponent_forms_move_the_point(
            int in "[1-9][0-9]{0,5}",
            frac in "[0-9]{0,6}",
            exp in -12i64..=12,
        ) {
            // Worked out on the digits: `int frac` with the point moved.
            let digits = format!("{int}{frac}");
            let point = int.len() as i64 + exp;
            let expected = if point <= 0 {
                format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
            } else if point as usize >= digits.len() {
                format!("{digits}{}", "0".repeat(point as usize - digits.len()))
            } else {
                format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
            };
            let read = Figure::parse(&format!("{int}.{frac}e{exp}")).expect("in range");
            proptest::prop_assert_eq!(read, f(&expected));
        }

        #[test]
        fn no_text_panics(text in "\\PC{0,64}", places in 0u32..40) {
            if let Ok(figure) = Figure::parse(&text) {
                let _ = (figure.rounded(places), figure.times(&figure), figure.over(&figure));
            }
        }

        #[test]
        fn any_exponent_is_read_or_refused(
            mantissa in "[+-]?[0-9]{0,30}([.,][0-9]{0,30})?",
            e in "[eE]",
            exp in proptest::num::i64::ANY,
        ) {
            let _ = Figure::parse(&format!("{mantissa}{e}{exp}"));
        }

        #[test]
        fn sums_match_exact_addition_and_never_panic(
            parts in proptest::collection::vec((-(1_i64 << 50)..(1_i64 << 50), 0_u32..=10), 0..40),
            extremes in proptest::collection::vec((proptest::num::i128::ANY, 0_u32..=28), 0..6),
        ) {
            // Figures whose every partial sum fits add up exactly in
            // Decimal too: the sums must agree.
            let small: Vec<Figure> = parts
                .iter()
                .map(|&(m, scale)| Figure(Decimal::new(m, scale)))
                .collect();
            let exact = small.iter().try_fold(Decimal::ZERO, |acc, f| acc.checked_add(f.0));
            proptest::prop_assert_eq!(Figure::sum(&small), exact.map(|d| Figure(d.normalize())));
            // Any figures at all: a figure within the bound, or none.
            let any: Vec<Figure> = extremes
                .iter()
                .map(|&(m, scale)| Figure(Decimal::from_i128_with_scale(m % (1_i128 << 96), scale)))
                .chain(small)
                .collect();
            let _ = Figure::sum(&any).map(|f| f.to_string());
        }

        #[test]
        fn text_is_rust_decimal_s_own(
            mantissa in proptest::num::i128::ANY,
            scale in 0_u32..=28,
            negative in proptest::bool::ANY,
        ) {
            let mut d = Decimal::from_i128_with_scale(mantissa % (1_i128 << 96), scale);
            d.set_sign_negative(negative);
            proptest::prop_assert_eq!(Figure(d).to_string(), d.to_string());
        }

        #[test]
        fn rounding_is_within_half_a_step(
            int in "(0|[1-9][0-9]{0,10})",
            frac in "[0-9]{0,16}",
            places in 0u32..12,
        ) {
            let text = if frac.is_empty() { int.clone() } else { format!("{int}.{frac}") };
            let exact = f(&text);
            let shown = f(&exact.rounded(places));
            let half = f(&format!("0.{}5", "0".repeat(places as usize)));
            let off = shown.minus(&exact).expect("small");
            proptest::prop_assert!(off <= half && off >= f("0").minus(&half).expect("small"));
        }
    }
}
