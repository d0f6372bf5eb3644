//! `-o prometheus`: the Prometheus text exposition format (version 0.0.4),
//! for node_exporter's textfile collector. Every family is a gauge under
//! one prefix; samples carry no timestamp (the collector refuses them);
//! values are the exact decimal text, which Prometheus reads as float64.

use std::fmt::Write as _;

use crate::report::{Report, Row};
use crate::text::sanitize;

/// A family's name and its `# HELP` text.
struct Family {
    name: &'static str,
    help: &'static str,
}

const BALANCE: Family = Family {
    name: "btcturk_balance",
    help: "Total balance of an asset (free plus locked), in units of the asset.",
};
const FREE: Family = Family {
    name: "btcturk_balance_free",
    help: "Balance of an asset free to trade or withdraw, in units of the asset.",
};
const LOCKED: Family = Family {
    name: "btcturk_balance_locked",
    help: "Balance of an asset locked in open orders or requests, in units of the asset.",
};
const PRICE: Family = Family {
    name: "btcturk_price",
    help: "Price of one unit of an asset in the currency, from the public ticker.",
};
const VALUE: Family = Family {
    name: "btcturk_value",
    help: "Value of an asset's total balance in the currency (priced assets only).",
};
const PORTFOLIO: Family = Family {
    name: "btcturk_portfolio_value",
    help: "Total value of the priced assets shown, in the currency.",
};
const FETCHED: Family = Family {
    name: "btcturk_fetched_timestamp_seconds",
    help: "Unix time the balances were fetched at.",
};

/// The report as one exposition. `escape`: the output goes to a terminal,
/// where label values from the server are made inert as well.
pub fn render(report: &Report, escape: bool) -> Vec<u8> {
    let mut out = Exposition {
        text: String::with_capacity(400 * report.rows.len() + 800),
        escape,
    };
    // Each (profile, asset) once: an answer listing an asset twice was
    // refused as malformed.
    let rows = &report.rows;
    let currency = report.valuation.as_ref().map(|v| v.currency.code());
    out.family(
        &BALANCE,
        rows.iter()
            .map(|r| (labels(r, None), r.balance.balance.to_string())),
    );
    out.family(
        &FREE,
        rows.iter()
            .map(|r| (labels(r, None), r.balance.free.to_string())),
    );
    out.family(
        &LOCKED,
        rows.iter()
            .map(|r| (labels(r, None), r.balance.locked.to_string())),
    );
    if let Some(currency) = currency {
        let priced = |figure: fn(&Row) -> Option<String>| {
            rows.iter()
                .filter_map(move |r| Some((labels(r, Some(currency)), figure(r)?)))
                .collect::<Vec<_>>()
        };
        out.family(
            &PRICE,
            priced(|r| r.price.as_ref().map(ToString::to_string)),
        );
        out.family(
            &VALUE,
            priced(|r| r.value.as_ref().map(ToString::to_string)),
        );
    }
    if let Some(v) = &report.valuation {
        let currency = ("currency", v.currency.code().to_owned());
        let totals: Vec<_> = if report.by_profile {
            v.profiles
                .iter()
                .map(|(p, total)| {
                    let labels = vec![("profile", p.clone()), currency.clone()];
                    (labels, total.to_string())
                })
                .collect()
        } else {
            vec![(vec![currency], v.total.to_string())]
        };
        out.family(&PORTFOLIO, totals);
    }
    let seconds = report
        .fetched_at
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_second().to_string())
        .unwrap_or_default();
    let stamps: Vec<_> = if report.by_profile {
        let profile = |p: &&str| vec![("profile", (*p).to_owned())];
        report
            .profiles
            .iter()
            .map(|p| (profile(p), seconds.clone()))
            .collect()
    } else {
        vec![(Vec::new(), seconds)]
    };
    out.family(&FETCHED, stamps);
    out.text.into_bytes()
}

/// The labels of a row: its profile (with `--all-profiles`), its asset,
/// and the currency of a price or value.
fn labels(row: &Row, currency: Option<&str>) -> Vec<(&'static str, String)> {
    let mut labels = Vec::with_capacity(3);
    if let Some(profile) = row.profile {
        labels.push(("profile", profile.to_owned()));
    }
    labels.push(("asset", row.balance.asset.to_string()));
    if let Some(currency) = currency {
        labels.push(("currency", currency.to_owned()));
    }
    labels
}

struct Exposition {
    text: String,
    escape: bool,
}

impl Exposition {
    /// One family: its HELP and TYPE lines, then its samples.
    fn family<L, V>(&mut self, family: &Family, samples: impl IntoIterator<Item = (L, V)>)
    where
        L: AsRef<[(&'static str, String)]>,
        V: AsRef<str>,
    {
        let _ = writeln!(self.text, "# HELP {} {}", family.name, family.help);
        let _ = writeln!(self.text, "# TYPE {} gauge", family.name);
        for (labels, value) in samples {
            self.sample(family.name, labels.as_ref(), value.as_ref());
        }
    }

    fn sample(&mut self, name: &str, labels: &[(&str, String)], value: &str) {
        let mut series = name.to_owned();
        if !labels.is_empty() {
            let pairs: Vec<String> = labels
                .iter()
                .map(|(label, v)| format!("{label}=\"{}\"", self.label_value(v)))
                .collect();
            series = format!("{series}{{{}}}", pairs.join(","));
        }
        // Every figure is within float64's range (a figure has at most
        // 29 integer digits); a sample without a value is left out whole.
        if value.is_empty() {
            let _ = writeln!(self.text, "# {series} left out: no value");
        } else {
            let _ = writeln!(self.text, "{series} {value}");
        }
    }

    /// A label value as the format requires: backslash, double quote and
    /// line feed escaped. On a terminal, other control characters too.
    fn label_value(&self, value: &str) -> String {
        let value = if self.escape {
            sanitize(value)
        } else {
            value.to_owned()
        };
        value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exposition() -> Exposition {
        Exposition {
            text: String::new(),
            escape: false,
        }
    }

    #[test]
    fn label_values_are_escaped_as_the_format_requires() {
        let out = exposition();
        assert_eq!(out.label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        assert_eq!(out.label_value("BTC"), "BTC");
        let terminal = Exposition {
            text: String::new(),
            escape: true,
        };
        assert_eq!(terminal.label_value("\u{1b}[31m"), "\\\\u{1b}[31m");
    }

    #[test]
    fn a_sample_without_a_value_is_a_comment_not_a_broken_file() {
        let mut out = exposition();
        out.sample(
            "m",
            &[("asset", "X".into())],
            "-79228162514264337593543950335",
        );
        out.sample("m", &[], "");
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(
            lines,
            [
                "m{asset=\"X\"} -79228162514264337593543950335",
                "# m left out: no value"
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_label_value_stays_on_its_line_and_inside_its_quotes(text in "\\PC{0,30}|[\\\\\"\\n]{0,10}") {
            let out = exposition();
            let escaped = out.label_value(&text);
            proptest::prop_assert!(!escaped.contains('\n'));
            // Every quote is escaped: an odd run of backslashes before it.
            let bytes = escaped.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'"' {
                    let run = bytes[..i].iter().rev().take_while(|c| **c == b'\\').count();
                    proptest::prop_assert!(run % 2 == 1, "{escaped}");
                }
            }
        }
    }
}
