//! Exact figures and the one rule for computed ones. An amount as the API
//! sent it (or a dump wrote it) is kept digit for digit, whatever its
//! length. A computed figure (a converted price, a value, a total, a sum or
//! a difference) is exact when its exact result has at most 28 significant
//! digits, and otherwise rounded half to even at the 28th: no figure the
//! tool writes has more. A leaf: every module that computes with money
//! goes through here.

use std::cmp::Ordering;
use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive, Zero};

/// The most significant digits of a computed figure.
pub const DIGITS: u64 = 28;

/// An exact decimal. Arithmetic on figures returns computed figures,
/// rounded by the rule.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Figure(BigDecimal);

impl Figure {
    pub fn zero() -> Figure {
        Figure(BigDecimal::from(0))
    }

    pub fn one() -> Figure {
        Figure(BigDecimal::from(1))
    }

    /// Plain decimal text (`-12.50`, as `Amount` holds it), exactly.
    pub fn exact(text: &str) -> Option<Figure> {
        let plain = text.strip_prefix('-').unwrap_or(text);
        let digits = plain.bytes().filter(|b| b.is_ascii_digit()).count();
        let dots = plain.bytes().filter(|&b| b == b'.').count();
        // Only plain text: BigDecimal would also read exponents and signs.
        if digits == 0 || digits + dots != plain.len() || dots > 1 {
            return None;
        }
        BigDecimal::from_str(text).ok().map(Figure)
    }

    /// A computed result under the rule: at most 28 significant digits,
    /// rounded half to even; trailing zeros dropped (they carry nothing).
    fn computed(value: BigDecimal) -> Figure {
        let value = match NonZeroU64::new(DIGITS) {
            Some(digits) if value.digits() > DIGITS => {
                value.with_precision_round(digits, RoundingMode::HalfEven)
            }
            _ => value,
        };
        Figure(value.normalized())
    }

    pub fn times(&self, other: &Figure) -> Figure {
        Figure::computed(&self.0 * &other.0)
    }

    /// `self ÷ divisor` to 28 significant digits, however small; `None`
    /// for a zero divisor.
    pub fn over(&self, divisor: &Figure) -> Option<Figure> {
        (!divisor.is_zero()).then(|| Figure::computed(&self.0 / &divisor.0))
    }

    /// `self × factor ÷ divisor`, rounded once.
    pub fn times_over(&self, factor: &Figure, divisor: &Figure) -> Option<Figure> {
        (!divisor.is_zero()).then(|| Figure::computed(&self.0 * &factor.0 / &divisor.0))
    }

    pub fn minus(&self, other: &Figure) -> Figure {
        Figure::computed(&self.0 - &other.0)
    }

    /// The exact sum, rounded once.
    pub fn sum<'a>(figures: impl IntoIterator<Item = &'a Figure>) -> Figure {
        let mut sum = Sum::default();
        figures.into_iter().for_each(|f| sum.add(f));
        sum.figure()
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// The figure with exactly `places` decimals, rounded half to even, as
    /// a computed figure (a price, a value, a total) is shown to a person.
    /// A zero has no sign.
    pub fn rounded(&self, places: u32) -> String {
        let text = self
            .0
            .with_scale_round(i64::from(places), RoundingMode::HalfEven)
            .to_plain_string();
        match text.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_owned(),
            _ => text,
        }
    }

    /// The figure rounded half to even to at most `places` decimals,
    /// without trailing zeros (a price).
    pub fn rounded_trimmed(&self, places: u32) -> String {
        without_trailing_zeros(self.rounded(places))
    }

    /// Where the figure lies from `low` to `high`, in `steps` equal steps
    /// (0 to `steps`, rounded half to even), for a chart.
    pub fn step(&self, (low, high): (&Figure, &Figure), steps: u32) -> i64 {
        let range = &high.0 - &low.0;
        if range.is_zero() {
            return i64::from(steps / 2);
        }
        ((&self.0 - &low.0) * BigDecimal::from(steps) / range)
            .with_scale_round(0, RoundingMode::HalfEven)
            .to_i64()
            .unwrap_or(0)
    }
}

impl fmt::Display for Figure {
    /// Plain decimal text, never an exponent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_plain_string())
    }
}

impl fmt::Debug for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Figure({self})")
    }
}

fn without_trailing_zeros(text: String) -> String {
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_owned(),
        false => text,
    }
}

/// A sum being added up exactly, rounded once at the end.
#[derive(Default)]
pub struct Sum(BigDecimal);

impl Sum {
    pub fn add(&mut self, figure: &Figure) {
        self.0 += &figure.0;
    }

    pub fn figure(self) -> Figure {
        Figure::computed(self.0)
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

    fn f(text: &str) -> Figure {
        Figure::exact(text).expect("plain decimal")
    }

    #[test]
    fn amounts_are_kept_digit_for_digit() {
        for text in [
            "0.123456789012345678901234567890",
            "1000.50",
            "-0.5",
            "0",
            "98765432109876543210987654321098765",
        ] {
            assert_eq!(f(text).to_string(), text);
        }
        for bad in ["", "-", "1e5", "+1", "1.2.3", "NaN", " 1", "."] {
            assert!(Figure::exact(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn computed_figures_keep_28_significant_digits_rounded_half_to_even() {
        // 12345678901234.5678901234 × 98765432109876.54321: the exact product
        // has 38 digits.
        let value = f("12345678901234.5678901234").times(&f("98765432109876.54321"));
        assert_eq!(value.to_string(), "1219326311370217952249651455");
        // Short results stay exact, without trailing zeros.
        assert_eq!(f("0.5").times(&f("3.00")).to_string(), "1.5");
        // Below 1, still 28 significant digits.
        let usdt = f("0.00000001").over(&f("34.25")).expect("not zero");
        assert_eq!(usdt.to_string(), "0.000000000291970802919708029197080292");
        // Half to even at the 28th digit.
        let tie = f("1234567890123456789012345672.5");
        assert_eq!(
            Figure::sum([&tie]).to_string(),
            "1234567890123456789012345672"
        );
        let tie = f("1234567890123456789012345673.5");
        assert_eq!(
            Figure::sum([&tie]).to_string(),
            "1234567890123456789012345674"
        );
        assert_eq!(f("1").over(&Figure::zero()), None);
    }

    #[test]
    fn rounding_and_steps() {
        // Half to even, as a person is shown money.
        assert_eq!(f("1002.509").rounded(2), "1002.51");
        assert_eq!(f("1002.505").rounded(2), "1002.50");
        assert_eq!(f("1002.515").rounded(2), "1002.52");
        assert_eq!(f("-1.239").rounded(2), "-1.24");
        assert_eq!(f("-0.001").rounded(2), "0.00");
        assert_eq!(f("5").rounded(2), "5.00");
        assert_eq!(f("0.000685123456").rounded_trimmed(8), "0.00068512");
        assert_eq!(f("0.000685125").rounded_trimmed(8), "0.00068512");
        assert_eq!(f("1.5000").rounded_trimmed(8), "1.5");
        assert_eq!(f("-0.000000001").rounded_trimmed(8), "0");
        assert_eq!(f("120").rounded_trimmed(8), "120");
        let (low, high) = (f("0"), f("2699999999999999999999973000"));
        assert_eq!(high.step((&low, &high), 31), 31);
        assert_eq!(low.step((&low, &high), 31), 0);
        assert_eq!(low.step((&low, &low), 31), 15);
    }

    proptest::proptest! {
        #[test]
        fn every_product_and_quotient_has_at_most_28_digits(
            a in "[1-9][0-9]{0,40}(\\.[0-9]{1,40})?",
            b in "[1-9][0-9]{0,20}(\\.[0-9]{1,30})?",
        ) {
            let (a, b) = (f(&a), f(&b));
            for figure in [a.times(&b), a.over(&b).expect("not zero"), a.minus(&b)] {
                proptest::prop_assert!(figure.0.digits() <= DIGITS, "{figure}");
            }
        }
    }
}
