//! A list of balances kept compact: each text is a span of the response
//! body (or, rarely, of the list's own text), so an asset costs 68 bytes
//! however long its texts are. On a large account the list is written
//! once and read a few times, and its size is most of the run's cost:
//! every page of fresh memory is a page fault (hence huge pages, see
//! `huge`).

use std::borrow::Cow;
use std::ops::Range;

use bytemuck::{Pod, Zeroable};

use super::{Amount, Balance};
use crate::error::{Error, Result};
use crate::huge::Array;
use crate::term::printable_ascii;

/// Marks a span of `Balances::extra` rather than of the body.
const IN_EXTRA: u32 = 1 << 31;

/// Starts loading the cache line of `at`, without waiting for it: a hint
/// that never faults. Elsewhere than on x86-64, a read that waits.
#[cfg(target_arch = "x86_64")]
fn prefetch<T>(at: &T) {
    safe_arch::prefetch_t0(at);
}

#[cfg(not(target_arch = "x86_64"))]
fn prefetch<T: Copy>(at: &T) {
    std::hint::black_box(*at);
}

/// A text's offset as a span holds it.
fn offset(n: usize) -> Option<u32> {
    u32::try_from(n).ok().filter(|n| n & IN_EXTRA == 0)
}

/// Where a text lies: `start..end` of the body, or of `extra` when
/// `start` carries `IN_EXTRA`.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// An absent optional text.
    const NONE: Span = Span {
        start: u32::MAX,
        end: u32::MAX,
    };
}

/// A balance as stored: plain data, so that a large list's records can
/// lie in huge pages (see `huge`).
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Record {
    asset: Span,
    name: Span,
    balance: Span,
    free: Span,
    locked: Span,
    order_fund: Span,
    request_fund: Span,
    /// The precision, if `has_precision` is 1.
    precision: u32,
    shape: Shape,
    has_precision: u8,
    /// (No byte of a plain-data type may be padding.)
    _unused: [u8; 2],
}

impl Record {
    fn new(texts: [Span; 7], precision: Option<u32>, shape: Shape) -> Record {
        let [asset, name, balance, free, locked, order_fund, request_fund] = texts;
        Record {
            asset,
            name,
            balance,
            free,
            locked,
            order_fund,
            request_fund,
            precision: precision.unwrap_or(0),
            shape,
            has_precision: u8::from(precision.is_some()),
            _unused: [0; 2],
        }
    }

    fn precision(&self) -> Option<u32> {
        (self.has_precision == 1).then_some(self.precision)
    }
}

/// What a table needs to know of a balance's texts to measure them, noted
/// as they are stored, while they are at hand: measuring a large table
/// then reads only the records, not the texts.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
pub struct Shape {
    /// The code's and the name's lengths, if printable ASCII (a column a
    /// byte) and under 255; else `UNKNOWN`.
    texts: [u8; 2],
    /// The total's, free and locked amounts' digits before the point, if
    /// not negative (a negative amount can lose its sign when truncated)
    /// and under 255; else `UNKNOWN`.
    ints: [u8; 3],
}

const UNKNOWN: u8 = u8::MAX;

impl Shape {
    /// The shape of a code, a name (`""` for none) and the total, free and
    /// locked amounts.
    pub(super) fn of(asset: &str, name: &str, amounts: [&str; 3]) -> Shape {
        let int = |a: &str| {
            let digits = a.bytes().position(|b| b == b'.').unwrap_or(a.len());
            Shape::int(a.starts_with('-'), digits)
        };
        Shape::new([asset, name].map(str::as_bytes), amounts.map(int))
    }

    /// The shape of a code and a name, and of the amounts' digits before
    /// the point (see `int`).
    pub(super) fn new(texts: [&[u8]; 2], ints: [u8; 3]) -> Shape {
        let text = |t: &[u8]| match u8::try_from(t.len()) {
            Ok(len) if len != UNKNOWN && printable_ascii(t) => len,
            _ => UNKNOWN,
        };
        Shape {
            texts: texts.map(text),
            ints,
        }
    }

    /// What a shape keeps of an amount with `digits` digits before the
    /// point.
    pub(super) fn int(negative: bool, digits: usize) -> u8 {
        match u8::try_from(digits) {
            Ok(len) if len != UNKNOWN && !negative => len,
            _ => UNKNOWN,
        }
    }
}

/// A balance's table cells, where its record knows their widths (the
/// usual case): a table then measures and writes them without reading
/// the texts for their widths or sanitizing them.
#[derive(Clone, Copy)]
pub struct Plain<'a> {
    /// The code and the name (`""` for none): printable ASCII, a column a
    /// byte.
    pub texts: [&'a str; 2],
    /// The total, free and locked amounts, none negative, each with its
    /// number of digits before the point.
    pub amounts: [(&'a str, usize); 3],
    /// The decimals shown, the amounts truncated or zero-padded to them;
    /// `None` for the amounts as they are.
    pub places: Option<usize>,
}

impl Plain<'_> {
    /// The columns each cell takes: the code, the name, the total, free
    /// and locked amounts.
    pub fn widths(&self) -> [usize; 5] {
        let amounts = self.amounts.map(|(text, int)| (text.len(), int));
        cell_widths(self.texts.map(str::len), amounts, self.places)
    }
}

/// The columns plain cells take (see `Plain`): the code's and the name's
/// lengths, and each amount's with its digits before the point, shown with
/// `places` decimals.
fn cell_widths(
    texts: [usize; 2],
    amounts: [(usize, usize); 3],
    places: Option<usize>,
) -> [usize; 5] {
    let [asset, name] = texts;
    let [balance, free, locked] = amounts.map(|(len, int)| match places {
        None => len,
        Some(0) => int,
        Some(places) => int + 1 + places,
    });
    [asset, name, balance, free, locked]
}

/// A balance's texts as stored, for a writer that copies them out as
/// they are (JSON) without making a `Balance` of them.
#[derive(Clone, Copy)]
pub struct Texts<'a> {
    pub asset: &'a str,
    pub name: Option<&'a str>,
    /// The total, free and locked amounts.
    pub amounts: [&'a str; 3],
    /// The order fund and the request fund.
    pub funds: [Option<&'a str>; 2],
    pub precision: Option<u32>,
}

/// Balances that borrow their text from `body`; each is read back as a
/// `Balance` (see `get`).
pub struct Balances<'a> {
    body: &'a str,
    /// Text that is not in the body as such: decoded escapes, amounts
    /// rewritten to plain decimals.
    extra: String,
    records: Array<Record>,
}

impl<'a> Balances<'a> {
    /// An empty list for balances borrowing from `body`, with room for
    /// `capacity` of them.
    pub fn with_capacity(body: &'a str, capacity: usize) -> Self {
        Balances {
            body,
            extra: String::new(),
            records: Array::with_capacity(capacity),
        }
    }

    /// Adds a balance. Text that lies in the body is kept as a span of it;
    /// any other text is copied.
    pub fn push(&mut self, b: &Balance<'_>) -> Result<()> {
        let optional = |list: &mut Self, text: Option<&str>| match text {
            Some(text) => list.span(text),
            None => Ok(Span::NONE),
        };
        let texts = [
            self.span(&b.asset)?,
            optional(self, b.name.as_deref())?,
            self.span(b.balance.as_str())?,
            self.span(b.free.as_str())?,
            self.span(b.locked.as_str())?,
            optional(self, b.order_fund.as_ref().map(Amount::as_str))?,
            optional(self, b.request_fund.as_ref().map(Amount::as_str))?,
        ];
        let shape = Shape::of(
            &b.asset,
            b.name.as_deref().unwrap_or(""),
            [&b.balance, &b.free, &b.locked].map(Amount::as_str),
        );
        self.records.push(Record::new(texts, b.precision, shape));
        Ok(())
    }

    fn span(&mut self, text: &str) -> Result<Span> {
        let body = self.body.as_bytes().as_ptr_range();
        let at = text.as_ptr();
        let (start, base) = if body.start <= at
            && at <= body.end
            && text.len() <= body.end as usize - at as usize
        {
            (at as usize - body.start as usize, 0)
        } else {
            self.extra.push_str(text);
            (self.extra.len() - text.len(), IN_EXTRA)
        };
        let offset =
            |n| offset(n).ok_or_else(|| Error::Response("the answer is too large to read".into()));
        Ok(Span {
            start: offset(start)? | base,
            end: offset(start + text.len())? | base,
        })
    }

    /// Adds a balance whose texts all lie in the body, given as byte ranges
    /// of it: the asset, name, balance, free, locked, order fund and request
    /// fund. `None` (and nothing added) if an offset is beyond what a span
    /// holds.
    pub(super) fn push_ranges(
        &mut self,
        texts: [Range<usize>; 7],
        precision: Option<u32>,
        shape: Shape,
    ) -> Option<()> {
        let span = |r: Range<usize>| {
            Some(Span {
                start: offset(r.start)?,
                end: offset(r.end)?,
            })
        };
        let mut spans = [Span::NONE; 7];
        for (span_of, range) in spans.iter_mut().zip(texts) {
            *span_of = span(range)?;
        }
        self.records.push(Record::new(spans, precision, shape));
        Some(())
    }

    /// The same balances on `body`: for a list whose spans were pushed
    /// (with `push_ranges`) before the body was whole.
    pub(super) fn with_body(self, body: &str) -> Balances<'_> {
        Balances {
            body,
            extra: self.extra,
            records: self.records,
        }
    }

    fn text(&self, span: Span) -> &str {
        let (text, start, end) = if span.start & IN_EXTRA == 0 {
            (self.body, span.start, span.end)
        } else {
            (&*self.extra, span.start & !IN_EXTRA, span.end & !IN_EXTRA)
        };
        &text[start as usize..end as usize]
    }

    fn optional(&self, span: Span) -> Option<&str> {
        (span.start != Span::NONE.start).then(|| self.text(span))
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The `index`th balance. Panics if there is none, as slices do.
    pub fn get(&self, index: usize) -> Balance<'_> {
        let t = self.texts(index);
        let amount = |text| Amount(Cow::Borrowed(text));
        let [balance, free, locked] = t.amounts.map(amount);
        let [order_fund, request_fund] = t.funds.map(|f| f.map(amount));
        Balance {
            asset: Cow::Borrowed(t.asset),
            name: t.name.map(Cow::Borrowed),
            balance,
            free,
            locked,
            order_fund,
            request_fund,
            precision: t.precision,
        }
    }

    /// The `index`th balance's texts (see `Texts`). Panics if there is
    /// none, as slices do.
    pub fn texts(&self, index: usize) -> Texts<'_> {
        let r = &self.records[index];
        Texts {
            asset: self.text(r.asset),
            name: self.optional(r.name),
            amounts: [r.balance, r.free, r.locked].map(|span| self.text(span)),
            funds: [r.order_fund, r.request_fund].map(|span| self.optional(span)),
            precision: r.precision(),
        }
    }

    /// The `index`th balance's table cells (see `Plain`), with its amounts
    /// truncated to its precision, at most `max_places`; `None` where the
    /// record does not know their widths.
    pub fn plain(&self, index: usize, max_places: u32) -> Option<Plain<'_>> {
        let r = &self.records[index];
        let known = |n: u8| (n != UNKNOWN).then_some(usize::from(n));
        known(r.shape.texts[0])?;
        let name = match r.name.start {
            u32::MAX => "",
            _ => known(r.shape.texts[1]).map(|_| self.text(r.name))?,
        };
        let amount = |span: Span, int: u8| Some((self.text(span), known(int)?));
        Some(Plain {
            texts: [self.text(r.asset), name],
            amounts: [
                amount(r.balance, r.shape.ints[0])?,
                amount(r.free, r.shape.ints[1])?,
                amount(r.locked, r.shape.ints[2])?,
            ],
            places: r.precision().map(|p| p.min(max_places) as usize),
        })
    }

    /// The widths of what `plain` gives (see `Plain::widths`), from the record
    /// alone: a large table is measured without reading the texts.
    pub fn plain_widths(&self, index: usize, max_places: u32) -> Option<[usize; 5]> {
        let r = &self.records[index];
        let known = |n: u8| (n != UNKNOWN).then_some(usize::from(n));
        let asset = known(r.shape.texts[0])?;
        let name = match r.name.start {
            u32::MAX => 0,
            _ => known(r.shape.texts[1])?,
        };
        // (Both ends of a span in `extra` carry the mark: it cancels.)
        let amount = |span: Span, int: u8| Some(((span.end - span.start) as usize, known(int)?));
        let amounts = [
            amount(r.balance, r.shape.ints[0])?,
            amount(r.free, r.shape.ints[1])?,
            amount(r.locked, r.shape.ints[2])?,
        ];
        let places = r.precision().map(|p| p.min(max_places) as usize);
        Some(cell_widths([asset, name], amounts, places))
    }

    /// Starts loading the `index`th balance's record into the cache,
    /// without waiting for it (see `Report::rows_in`).
    pub fn prefetch_record(&self, index: usize) {
        if let Some(r) = self.records.get(index) {
            // A record spans two cache lines more often than not.
            prefetch(&r.asset);
            prefetch(&r.shape);
        }
    }

    /// Reads the `index`th balance's record (best loaded already, see
    /// `prefetch_record`) and starts loading its texts in the body.
    pub fn prefetch_texts(&self, index: usize) {
        let Some(r) = self.records.get(index) else {
            return;
        };
        let body = self.body.as_bytes();
        for span in [
            r.asset,
            r.name,
            r.balance,
            r.free,
            r.locked,
            r.order_fund,
            r.request_fund,
        ] {
            if let Some(byte) = body.get(span.start as usize) {
                prefetch(byte);
            }
        }
    }

    /// The `index`th asset code alone (for sorting).
    pub fn asset(&self, index: usize) -> &str {
        self.text(self.records[index].asset)
    }

    /// The `index`th total balance alone (for sorting).
    pub fn balance(&self, index: usize) -> Amount<'_> {
        Amount(Cow::Borrowed(self.text(self.records[index].balance)))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Balance<'_>> + Clone {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Balances that own all their text (for tests and benchmarks).
impl<'b> FromIterator<Balance<'b>> for Balances<'static> {
    fn from_iter<I: IntoIterator<Item = Balance<'b>>>(iter: I) -> Self {
        let mut list = Balances::with_capacity("", 0);
        for b in iter {
            // Text of a list this small is far below the limit.
            let _ = list.push(&b);
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance<'a>(asset: &'a str, amount: &'a str) -> Balance<'a> {
        let amount = Amount::parse(amount).expect("amount");
        Balance {
            asset: Cow::Borrowed(asset),
            name: None,
            balance: amount.clone(),
            free: amount.clone(),
            locked: amount,
            order_fund: None,
            request_fund: None,
            precision: Some(2),
        }
    }

    #[test]
    fn known_widths_are_the_shown_widths() {
        let amounts = ["0", "1.5", "-1.5", "-0.001", "123.4567890123", "-0", "7"];
        let texts = [
            "BTC",
            "",
            "Türk Lirası",
            "a\u{1b}b",
            "比特币",
            &"x".repeat(300),
        ];
        for (i, amount) in amounts.iter().enumerate() {
            for text in texts {
                for precision in [None, Some(0), Some(2), Some(8), Some(40)] {
                    let mut b = balance(text, amount);
                    b.name = (i % 2 == 0).then_some(Cow::Borrowed(text));
                    b.free = Amount::parse(amounts[(i + 1) % amounts.len()]).expect("amount");
                    b.precision = precision;
                    let list: Balances = std::iter::once(b.clone()).collect();
                    let places = precision.map(|p| p.min(30));
                    let shown = |a: &Amount| match places {
                        Some(p) => a.truncated_len(p),
                        None => a.as_str().len(),
                    };
                    let expected = [
                        b.asset.len(),
                        b.name.as_deref().unwrap_or("").len(),
                        shown(&b.balance),
                        shown(&b.free),
                        shown(&b.locked),
                    ];
                    // Not knowing is always allowed: the texts are measured.
                    assert_eq!(
                        list.plain_widths(0, 30),
                        list.plain(0, 30).map(|p| p.widths()),
                        "{b:?}"
                    );
                    if let Some(plain) = list.plain(0, 30) {
                        assert_eq!(plain.widths(), expected, "{b:?}");
                        let name = b.name.as_deref().unwrap_or("");
                        assert_eq!(plain.texts, [&*b.asset, name], "{b:?}");
                        assert!(plain.texts.iter().all(printable_ascii), "{b:?}");
                        let amounts = [&b.balance, &b.free, &b.locked].map(Amount::as_str);
                        assert_eq!(plain.amounts.map(|(a, _)| a), amounts, "{b:?}");
                    }
                    // The usual ones are known.
                    let usual = |a: &Amount| !a.as_str().starts_with('-');
                    if [&b.balance, &b.free, &b.locked].into_iter().all(usual)
                        && text.len() < 255
                        && printable_ascii(text)
                    {
                        assert!(list.plain(0, 30).is_some(), "{b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn keeps_body_text_as_spans_and_copies_the_rest() {
        let body = r#"{"asset":"BTC","balance":"1.5"} ETH"#;
        let mut list = Balances::with_capacity(body, 2);
        list.push(&balance(&body[10..13], &body[26..29]))
            .expect("push");
        // Not in the body: an amount rewritten by `Amount::parse`, and
        // text from elsewhere.
        list.push(&balance("XRP", "1,25")).expect("push");
        list.push(&balance(&body[32..], "0")).expect("push");
        assert!(list.extra.contains("XRP") && list.extra.contains("1.25"));
        assert!(!list.extra.contains("BTC") && !list.extra.contains("ETH"));
        let shown: Vec<_> = list
            .iter()
            .map(|b| format!("{} {} {:?}", b.asset, b.balance, b.name))
            .collect();
        assert_eq!(shown, ["BTC 1.5 None", "XRP 1.25 None", "ETH 0 None"]);
        assert_eq!(list.get(1), balance("XRP", "1.25"));
        assert_eq!((list.asset(2), list.balance(0).as_str()), ("ETH", "1.5"));
    }
}
