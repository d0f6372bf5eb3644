//! Portfolio value: prices from the public ticker, and each asset's price in
//! the chosen currency, through the other quote currency when no direct
//! pair exists.

use std::collections::HashMap;

use clap::ValueEnum;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::balance::amount;
use crate::envelope::{Object, Response};
use crate::error::{Error, Result};
use crate::figure::{Figure, Unreadable};
use crate::text::{clip, sanitize};

/// The currencies a portfolio can be valued in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Currency {
    #[value(name = "TRY")]
    Try,
    #[value(name = "USDT")]
    Usdt,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Try => "TRY",
            Currency::Usdt => "USDT",
        }
    }

    /// The other quote currency, for routes without a direct pair.
    pub fn other(self) -> Currency {
        match self {
            Currency::Try => Currency::Usdt,
            Currency::Usdt => Currency::Try,
        }
    }
}

/// Last prices in TRY and in USDT (the only quote currencies valuing
/// uses), by asset code in upper case: "BTC" → [BTC/TRY, BTC/USDT].
#[derive(Debug, Default)]
pub struct Prices {
    last: HashMap<String, [Option<Figure>; 2]>,
    /// The pairs (`A/TRY`) whose last price no figure holds: they price
    /// nothing, rather than spoil the run.
    pub unusable: Vec<String>,
}

/// Where a currency's price sits in `Prices::last`.
fn slot(currency: Currency) -> usize {
    match currency {
        Currency::Try => 0,
        Currency::Usdt => 1,
    }
}

/// A ticker entry; only what pricing needs. Prices are JSON numbers, read
/// from their text.
#[derive(Deserialize)]
struct RawPair<'a> {
    #[serde(rename = "numeratorSymbol")]
    numerator: Option<String>,
    #[serde(rename = "denominatorSymbol")]
    denominator: Option<String>,
    /// "BTC_TRY": both sides, where a record lacks the symbols.
    #[serde(rename = "pairNormalized")]
    pair_normalized: Option<String>,
    #[serde(borrow)]
    last: Option<&'a RawValue>,
}

impl RawPair<'_> {
    /// The pair's two sides: its symbols, else its normalized name.
    fn sides(&self) -> Option<(String, String)> {
        match (&self.numerator, &self.denominator) {
            (Some(num), Some(den)) => Some((num.clone(), den.clone())),
            _ => self
                .pair_normalized
                .as_deref()?
                .split_once('_')
                .map(|(num, den)| (num.to_owned(), den.to_owned())),
        }
    }
}

impl Prices {
    /// The prices of a ticker answer (`GET /api/v2/ticker`). Pairs without
    /// sides or a last price are skipped: they price nothing.
    pub fn parse(response: &Response) -> Result<Prices> {
        let pairs: Vec<Object<RawPair>> = response.data("ticker `data` is not a list of pairs")?;
        Self::from_pairs(pairs.into_iter().map(|Object(pair)| pair).collect())
    }

    /// How many assets have a price.
    pub fn len(&self) -> usize {
        self.last.len()
    }

    fn from_pairs(pairs: Vec<RawPair>) -> Result<Prices> {
        let mut last = HashMap::with_capacity(pairs.len());
        let mut unusable = Vec::new();
        for pair in pairs {
            let (Some((num, den)), Some(raw)) = (pair.sides(), pair.last) else {
                continue;
            };
            if raw.get() == "null" {
                continue;
            }
            let name = format!("{}/{}", sanitize(&num), sanitize(&den));
            let price = match amount(raw.get()) {
                Ok(price) => price,
                Err(Unreadable::Beyond) => {
                    unusable.push(name);
                    continue;
                }
                Err(why) => {
                    return Err(Error::Response(format!(
                        "ticker pair {name} has a `last` price that {why}: {}",
                        sanitize(&clip(raw.get(), 60))
                    )));
                }
            };
            // A pair without trades in 24 hours reports every price as 0:
            // no price, not a price of nothing.
            if price.is_zero() {
                continue;
            }
            let den = den.to_ascii_uppercase();
            let Some(quote) = [Currency::Try, Currency::Usdt]
                .into_iter()
                .find(|c| c.code() == den)
            else {
                continue;
            };
            last.entry(num.to_ascii_uppercase()).or_insert([None, None])[slot(quote)] = Some(price);
        }
        Ok(Prices { last, unusable })
    }
}

/// An asset's price in the chosen currency, and how to value a balance.
#[derive(Debug, Clone, PartialEq)]
pub enum Quote {
    /// Units of the currency per unit of the asset: a pair's last price as
    /// the API sent it, or 1 for the currency itself.
    Direct(Figure),
    /// Through the other quote currency: the asset's price in it, and
    /// USDT/TRY to multiply by (into TRY) or divide by (into USDT).
    Through {
        price: Figure,
        usdt_try: Figure,
        into: Currency,
    },
}

impl Quote {
    /// The price of one unit, a computed figure for a route; `None` past
    /// what a figure holds.
    pub fn price(&self) -> Option<Figure> {
        match self {
            Quote::Direct(price) => Some(*price),
            Quote::Through {
                price,
                usdt_try,
                into: Currency::Try,
            } => price.times(usdt_try),
            Quote::Through {
                price,
                usdt_try,
                into: Currency::Usdt,
            } => price.over(usdt_try),
        }
    }

    /// The value of `amount` units, by the rule of computed figures: into
    /// USDT the division comes last (`amount × price ÷ USDT/TRY`), so that
    /// the one step that rounds in practice rounds once. `None` past what
    /// a figure holds.
    pub fn value(&self, amount: &Figure) -> Option<Figure> {
        match self {
            Quote::Through {
                price,
                usdt_try,
                into: Currency::Usdt,
            } => amount.times(price)?.over(usdt_try),
            _ => amount.times(&self.price()?),
        }
    }
}

impl Prices {
    /// How `asset` is priced in `currency`: the direct pair, else through
    /// the other quote currency and USDT/TRY. `None`: no route.
    pub fn quote(&self, asset: &str, currency: Currency) -> Option<Quote> {
        let asset = asset.to_ascii_uppercase();
        let last = |asset: &str, q: Currency| match asset == q.code() {
            true => Some(Figure::ONE),
            false => self.last.get(asset).and_then(|p| p[slot(q)]),
        };
        if let Some(price) = last(&asset, currency) {
            return Some(Quote::Direct(price));
        }
        Some(Quote::Through {
            price: last(&asset, currency.other())?,
            usdt_try: self.last.get("USDT").and_then(|p| p[slot(Currency::Try)])?,
            into: currency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticker(data: &str) -> Result<Prices> {
        let response = Response {
            status: 200,
            content_type: None,
            body: format!(r#"{{"success":true,"data":{data}}}"#).into_bytes(),
        };
        Prices::parse(&response)
    }

    fn prices(data: &str) -> Prices {
        ticker(data).expect("ticker")
    }

    const TICKER: &str = r#"[
        {"pair":"BTCTRY","numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":2712345},
        {"pair":"BTCUSDT","numeratorSymbol":"BTC","denominatorSymbol":"USDT","last":79152.5},
        {"pair":"USDTTRY","numeratorSymbol":"USDT","denominatorSymbol":"TRY","last":34.25},
        {"pair":"XRPUSDT","numeratorSymbol":"XRP","denominatorSymbol":"USDT","last":0.5123},
        {"pair":"SHIBTRY","numeratorSymbol":"SHIB","denominatorSymbol":"TRY","last":0.000685},
        {"pair":"NOPRICE","numeratorSymbol":"NOP","denominatorSymbol":"TRY","last":null}
    ]"#;

    #[test]
    fn routes() {
        let p = prices(TICKER);
        let d = |s: &str| Figure::parse(s).expect("decimal");
        let price = |a: &str, c| p.quote(a, c).and_then(|q| q.price());
        assert_eq!(price("btc", Currency::Try), Some(d("2712345")));
        assert_eq!(price("BTC", Currency::Usdt), Some(d("79152.5")));
        assert_eq!(price("XRP", Currency::Try), Some(d("17.546275")));
        assert_eq!(
            price("SHIB", Currency::Usdt)
                .map(|p| p.to_string())
                .as_deref(),
            Some("0.00002")
        );
        assert_eq!(price("TRY", Currency::Try), Some(Figure::ONE));
        assert_eq!(price("USDT", Currency::Usdt), Some(Figure::ONE));
        assert_eq!(price("USDT", Currency::Try), Some(d("34.25")));
        assert_eq!(
            price("TRY", Currency::Usdt)
                .map(|p| p.to_string())
                .as_deref(),
            Some("0.0291970802919708029197080292")
        );
        assert_eq!(price("NOP", Currency::Try), None);
        assert_eq!(price("ZZZ", Currency::Usdt), None);
    }

    #[test]
    fn a_zero_price_is_no_price_and_names_may_come_from_the_pair() {
        let p = prices(
            r#"[{"pairNormalized":"DEAD_TRY","last":0.0,"timestamp":1579996808957.0},
                {"pairNormalized":"DEAD_USDT","last":0},
                {"pairNormalized":"ABC_TRY","last":2.5},
                {"pairNormalized":"USDT_TRY","last":"34"}]"#,
        );
        let price = |a: &str, c| p.quote(a, c).and_then(|q| q.price()).map(|p| p.to_string());
        assert_eq!(price("DEAD", Currency::Try), None);
        assert_eq!(price("DEAD", Currency::Usdt), None);
        assert_eq!(price("ABC", Currency::Try).as_deref(), Some("2.5"));
        // 2.5 / 34 = 0.0735294117647058823529411764|70588…: 28 places.
        assert_eq!(
            price("ABC", Currency::Usdt).as_deref(),
            Some("0.0735294117647058823529411765")
        );
    }

    #[test]
    fn dividing_routes_divide_last() {
        let p = prices(TICKER);
        let quote = p.quote("TRY", Currency::Usdt).expect("route");
        // 1000.50 / 34.25 = 29.211678832116788321167883211|678…, not
        // 1000.50 × (1 / 34.25) with its rounding; 27 places fit.
        assert_eq!(
            quote
                .value(&Figure::parse("1000.50").expect("decimal"))
                .map(|d| d.to_string())
                .as_deref(),
            Some("29.211678832116788321167883212")
        );
    }

    #[test]
    fn prices_are_read_from_their_text() {
        // 0.1 + 0.2 style values that f64 would not hold exactly.
        let p = prices(
            r#"[{"numeratorSymbol":"A","denominatorSymbol":"TRY","last":0.30000000000000004441}]"#,
        );
        let price = p.quote("A", Currency::Try).and_then(|q| q.price());
        assert_eq!(
            price.map(|d| d.to_string()).as_deref(),
            Some("0.30000000000000004441")
        );
    }

    #[test]
    fn a_price_that_is_not_a_number_is_named() {
        let err = ticker(r#"[{"numeratorSymbol":"A","denominatorSymbol":"TRY","last":"n/a"}]"#)
            .expect_err("bad price")
            .to_string();
        assert!(err.contains("A/TRY") && err.contains("n/a"), "{err}");
    }

    #[test]
    fn a_ticker_record_is_an_object_never_an_array() {
        let err = ticker(r#"[["ZZZ","TRY",null,5]]"#).expect_err("an array");
        assert!(err.to_string().contains("item 1 is a JSON array"), "{err}");
    }

    #[test]
    fn a_price_no_figure_holds_makes_its_pair_unusable() {
        let million = format!("1{}", "0".repeat(1_000_000));
        for last in [
            "0E-9223372036854775808",
            r#""1e-9223372036854775808""#,
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            &million,
        ] {
            let data = format!(
                r#"[{{"numeratorSymbol":"USDT","denominatorSymbol":"TRY","last":{last}}},
                    {{"numeratorSymbol":"BTC","denominatorSymbol":"USDT","last":"2"}},
                    {{"numeratorSymbol":"ETH","denominatorSymbol":"TRY","last":"3"}}]"#
            );
            let p = prices(&data);
            assert_eq!(p.unusable, ["USDT/TRY"]);
            let price = |a: &str, c| p.quote(a, c).and_then(|q| q.price());
            // What it would price, directly or on a route, is not priced;
            // the other pairs are.
            assert_eq!(price("USDT", Currency::Try), None);
            assert_eq!(price("BTC", Currency::Try), None);
            assert_eq!(price("BTC", Currency::Usdt), Figure::parse("2").ok());
            assert_eq!(price("ETH", Currency::Try), Figure::parse("3").ok());
        }
        // An escaped string is read after unescaping, as amounts are.
        let p = prices(r#"[{"numeratorSymbol":"A","denominatorSymbol":"TRY","last":"\u0032.5"}]"#);
        assert_eq!(
            p.quote("A", Currency::Try)
                .and_then(|q| q.price())
                .map(|p| p.to_string())
                .as_deref(),
            Some("2.5")
        );
    }
}
