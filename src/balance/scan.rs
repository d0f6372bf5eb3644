//! The usual balances answer, read by hand in one pass over the body.
//!
//! serde reads a 50,000-asset answer at a few hundred MB/s; this reader
//! goes several times faster by knowing the shape: an envelope object, its
//! `data` array of flat asset objects, plain strings and numbers. It only
//! accepts valid JSON, and gives up (`None`) on anything it does not handle
//! itself (escapes in a string, an error envelope, a value nested deeper
//! than `MAX_DEPTH`, any syntax error), leaving the body to serde, which
//! reads it again and names what is wrong. So it can make an answer faster,
//! never different: the tests hold it to serde's result on generated
//! bodies.

use std::borrow::Cow;
use std::ops::Range;

use super::list::Shape;
use super::{Balances, Fields};
use crate::error::Result;

mod stream;

pub use stream::{Finish, Prescan, Regions, Stream};

/// Deeper values (in fields nobody reads) are left to serde.
const MAX_DEPTH: usize = 64;

/// Whether an asset code is blank (white space only, as `str::trim` sees
/// it); `None` if it is not UTF-8. (A plain JSON string holds no control
/// characters, so of ASCII only spaces can be white space in it.)
fn blank(code: &[u8]) -> Option<bool> {
    if code.is_ascii() {
        return Some(code.iter().all(|&b| b == b' '));
    }
    Some(std::str::from_utf8(code).ok()?.trim().is_empty())
}

/// Where the plain run of a JSON string starting at `from` ends: the first
/// closing quote, escape, or control character (which JSON does not allow
/// raw). Eight bytes at a time, as most of a body is strings.
fn string_stop(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // High bit set in the bytes of `x` that are below `n` (exact for the
    // lowest such byte, which is the one wanted).
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let stop = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let x = u64::from_le_bytes(chunk.try_into().ok()?);
        let hits = below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            | below(x, 0x20);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    (at..bytes.len()).find(|&i| stop(bytes[i]))
}

/// See the module's documentation. An asset that fails its checks (a
/// missing field, an amount that is not a number) is reported only once the
/// whole body has been read as valid JSON, as serde's road would.
pub(super) fn listing(body: &str) -> Option<Result<Vec<Balances<'_>>>> {
    let mut s = Scanner {
        text: body,
        bytes: body.as_bytes(),
        pos: 0,
    };
    let mut data = None;
    let mut envelope = Envelope::default();
    s.object(|s, key| match key {
        "data" if data.is_none() => {
            data = Some(s.assets()?);
            Some(())
        }
        _ => envelope.member(s, key),
    })?;
    if !envelope.ends_in_success(&mut s) {
        return None;
    }
    data
}

/// The envelope's members other than `data`, as far as they tell whether
/// it reports success.
#[derive(Default)]
struct Envelope<'a> {
    success: Option<&'a str>,
    error: Option<&'a str>,
}

impl<'a> Envelope<'a> {
    /// Reads the member `key` (`data` is the caller's); `None` for a member
    /// given twice, which serde refuses.
    fn member(&mut self, s: &mut Scanner<'a>, key: &str) -> Option<()> {
        match key {
            "success" if self.success.is_none() => self.success = Some(s.literal()?),
            "error" if self.error.is_none() => self.error = Some(s.literal()?),
            "data" | "success" | "error" => return None,
            _ => s.skip_value(1)?,
        }
        Some(())
    }

    /// Whether, with `s` just past the envelope, nothing but white space
    /// follows and the envelope is a success: `"success": false` or any
    /// `error` but null is an error envelope.
    fn ends_in_success(&self, s: &mut Scanner) -> bool {
        s.ws();
        s.pos == s.bytes.len()
            && matches!(self.success, None | Some("true" | "null"))
            && matches!(self.error, None | Some("null"))
    }
}

/// Some consecutive elements of the `data` array.
struct Part<'a> {
    /// The elements before the first that fails its checks.
    balances: Balances<'a>,
    /// How many elements were read.
    count: usize,
    /// The first element that fails its checks, numbered from this part's
    /// start, kept to be reported once the whole array is known valid.
    failed: Option<(usize, Fields<'a>)>,
    /// Whether reading stopped at the split point.
    stopped: bool,
}

/// An asset read by `Scanner::usual`: its texts' ranges (in
/// `Balances::push_ranges`'s order), precision and shape.
struct Usual {
    texts: [Range<usize>; 7],
    precision: u32,
    shape: Shape,
}

impl Balances<'_> {
    /// Adds an asset read by `Scanner::usual` from text that starts `at`
    /// this offset of the body.
    fn push_usual(&mut self, usual: Usual, at: usize) -> Option<()> {
        let texts = usual.texts.map(|r| at + r.start..at + r.end);
        self.push_ranges(texts, Some(usual.precision), usual.shape)
    }
}

/// Where an asset field's value goes.
enum Slot<'s, 'a> {
    Text(&'s mut Option<Cow<'a, str>>),
    Raw(&'s mut Option<&'a str>),
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips white space, then takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.ws();
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    fn text(&self, start: usize, end: usize) -> Option<&'a str> {
        self.text.get(start..end)
    }

    /// An object, calling `member` with each key, the scanner placed at the
    /// value, which `member` must consume.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        self.member(&mut member)?;
        self.more_members(member)
    }

    /// The rest of an object after a member: `,` and a member, as often
    /// as they come, then `}`.
    fn more_members(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        while self.eat(b',') {
            self.member(&mut member)?;
        }
        self.eat(b'}').then_some(())
    }

    /// A key, `:`, and the value, which `member` consumes.
    fn member(&mut self, member: &mut impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.ws();
        let key = self.plain_string()?;
        if !self.eat(b':') {
            return None;
        }
        self.ws();
        member(self, key)
    }

    /// The `data` array: every element an asset object, converted as it is
    /// read. A large array is read in two parts on two threads (see
    /// `split`); the parts are returned as they are, as copying one onto
    /// the other would cost about what the second thread saved.
    fn assets(&mut self) -> Option<Result<Vec<Balances<'a>>>> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(Ok(Vec::new()));
        }
        let parts = match self.split() {
            None => vec![self.elements(None)?],
            Some(split) => {
                let text = self.text;
                std::thread::scope(|scope| {
                    let second = scope.spawn(move || {
                        let mut s = Scanner {
                            text,
                            bytes: text.as_bytes(),
                            pos: split + 1,
                        };
                        s.elements(None).map(|part| (part, s.pos))
                    });
                    let first = self.elements(Some(split));
                    // (A panic there is not passed over: the body goes to
                    // serde, which reads it on its own.)
                    let second = second.join().ok().flatten();
                    let first = first?;
                    if !first.stopped {
                        // The split was not between elements (it fell in a
                        // string): the first part is the whole array.
                        return Some(vec![first]);
                    }
                    // Now known to start at an element, the second part is
                    // the array's own rest: if it is not valid, nor is the
                    // body.
                    let (second, end) = second?;
                    self.pos = end;
                    Some(vec![first, second])
                })?
            }
        };
        // The first asset that fails its checks, numbered in the whole array.
        let mut offset = 0;
        for part in &parts {
            if let Some((index, fields)) = &part.failed
                && let Err(e) = fields.to_balance(offset + index)
            {
                return Some(Err(e));
            }
            offset += part.count;
        }
        Some(Ok(parts.into_iter().map(|p| p.balances).collect()))
    }

    /// Where to split a large array for two threads: the `,` of the first
    /// `},{` past the middle of the body. It may lie inside a string; the
    /// first thread finds out, as it either ends an element exactly there
    /// or passes it.
    fn split(&self) -> Option<usize> {
        const PARALLEL_FROM: usize = 1 << 20;
        let rest = self.bytes.len() - self.pos;
        if rest < PARALLEL_FROM {
            return None;
        }
        let middle = self.pos + rest / 2;
        self.bytes[middle..]
            .windows(3)
            .position(|w| w == b"},{")
            .map(|i| middle + i + 1)
    }

    /// Array elements from here to the closing `]` (taken), or, given
    /// `stop`, up to the element that ends exactly there (the `,` at `stop`
    /// left unread).
    fn elements(&mut self, mut stop: Option<usize>) -> Option<Part<'a>> {
        // About 150 bytes an asset in the real answer: room for all of them
        // at once, as untouched capacity costs no memory.
        let mut part = Part {
            balances: Balances::with_capacity(
                self.text,
                (stop.unwrap_or(self.bytes.len()) - self.pos) / 128,
            ),
            count: 0,
            failed: None,
            stopped: false,
        };
        loop {
            if let Some(usual) = self.usual() {
                if part.failed.is_none() {
                    // (A list too large to hold is serde's to report.)
                    part.balances.push_usual(usual, 0)?;
                }
            } else {
                let fields = self.asset()?;
                if part.failed.is_none() {
                    match fields.to_balance(part.count) {
                        Ok(balance) => part.balances.push(&balance).ok()?,
                        Err(_) => part.failed = Some((part.count, fields)),
                    }
                }
            }
            part.count += 1;
            match stop {
                Some(at) if self.pos == at => {
                    part.stopped = true;
                    return Some(part);
                }
                Some(at) if self.pos > at => stop = None,
                _ => {}
            }
            if !self.eat(b',') {
                return self.eat(b']').then_some(part);
            }
        }
    }

    /// The usual asset, read without looking its keys up: the API's keys
    /// in the API's order with nothing between them, every text a plain
    /// string, every amount a plain decimal, `precision` a whole number
    /// (then an optional whole `timestamp`), as in
    /// `{"asset":"BTC","assetname":"Bitcoin","balance":"1.5","locked":"0",
    /// "free":"1.5","orderFund":"0","requestFund":"0","precision":8}`.
    /// Its texts' ranges (in `Balances::push_ranges`'s order) and its
    /// precision, all as `asset` and `Fields::to_balance` would find them;
    /// `None`, the position unmoved, for anything else, which those read.
    fn usual(&mut self) -> Option<Usual> {
        let start = self.pos;
        let found = self.usual_fields();
        if found.is_none() {
            self.pos = start;
        }
        found
    }

    fn usual_fields(&mut self) -> Option<Usual> {
        self.expect(br#"{"asset":""#)?;
        let asset = self.rest_of_string()?;
        if blank(&self.bytes[asset.clone()])? {
            return None;
        }
        self.expect(br#","assetname":""#)?;
        let name = self.rest_of_string()?;
        self.expect(br#","balance":""#)?;
        let (balance, balance_int) = self.rest_of_amount()?;
        self.expect(br#","locked":""#)?;
        let (locked, locked_int) = self.rest_of_amount()?;
        self.expect(br#","free":""#)?;
        let (free, free_int) = self.rest_of_amount()?;
        self.expect(br#","orderFund":""#)?;
        let (order_fund, _) = self.rest_of_amount()?;
        self.expect(br#","requestFund":""#)?;
        let (request_fund, _) = self.rest_of_amount()?;
        self.expect(br#","precision":"#)?;
        let precision = self.whole_u32()?;
        if self.expect(br#","timestamp":"#).is_some() {
            self.whole()?;
        }
        self.expect(b"}")?;
        let shape = Shape::new(
            [&self.bytes[asset.clone()], &self.bytes[name.clone()]],
            [balance_int, free_int, locked_int],
        );
        let texts = [asset, name, balance, free, locked, order_fund, request_fund];
        Some(Usual {
            texts,
            precision,
            shape,
        })
    }

    /// Takes `literal` if it comes next. (Inlined, the comparison is one
    /// of a constant length, done in a few loads.)
    #[inline(always)]
    fn expect(&mut self, literal: &[u8]) -> Option<()> {
        let found = self.bytes.get(self.pos..self.pos + literal.len())? == literal;
        self.pos += literal.len() * usize::from(found);
        found.then_some(())
    }

    /// The rest of a string without escapes whose opening quote is taken:
    /// its content's range, the closing quote taken.
    fn rest_of_string(&mut self) -> Option<Range<usize>> {
        let end = string_stop(self.bytes, self.pos)?;
        if self.bytes[end] != b'"' {
            return None;
        }
        let content = self.pos..end;
        self.pos = end + 1;
        Some(content)
    }

    /// `rest_of_string`, holding a plain decimal: `is_plain`'s grammar,
    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, checked as the closing quote is
    /// sought. With its range, its digits before the point as `Shape`
    /// keeps them (see `Shape::int`).
    fn rest_of_amount(&mut self) -> Option<(Range<usize>, u8)> {
        let start = self.pos;
        let mut at = start + usize::from(self.peek() == Some(b'-'));
        let digits = |at: usize| {
            self.bytes[at..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map(|n| at + n)
        };
        let int = at;
        at = digits(at)?;
        if at == int || (at - int > 1 && self.bytes[int] == b'0') {
            return None;
        }
        let int_end = at;
        if self.bytes[at] == b'.' {
            let frac = at + 1;
            at = digits(frac)?;
            if at == frac {
                return None;
            }
        }
        let int = Shape::int(start != int, int_end - int);
        if self.bytes[at] != b'"' {
            return None;
        }
        self.pos = at + 1;
        Some((start..at, int))
    }

    /// A whole number by JSON's grammar (`0|[1-9][0-9]*`): its digits.
    fn whole(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        let bytes = self.bytes;
        let mut at = start;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let digits = &bytes[start..at];
        if digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') {
            return None;
        }
        self.pos = at;
        Some(digits)
    }

    /// `whole`, as a `u32`.
    fn whole_u32(&mut self) -> Option<u32> {
        let digits = self.whole()?;
        digits.iter().try_fold(0u32, |n, d| {
            n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
    }

    /// One asset object's fields. A field given twice is left to serde,
    /// which refuses it; a null is absent, as it is to serde.
    fn asset(&mut self) -> Option<Fields<'a>> {
        let mut f = Fields::default();
        let mut seen = 0u8;
        self.object(|s, key| {
            let (bit, slot) = match key {
                "asset" => (0, Slot::Text(&mut f.asset)),
                "assetname" => (1, Slot::Text(&mut f.name)),
                "balance" => (2, Slot::Raw(&mut f.balance)),
                "free" => (3, Slot::Raw(&mut f.free)),
                "locked" => (4, Slot::Raw(&mut f.locked)),
                "orderFund" => (5, Slot::Raw(&mut f.order_fund)),
                "requestFund" => (6, Slot::Raw(&mut f.request_fund)),
                "precision" => (7, Slot::Raw(&mut f.precision)),
                _ => return s.skip_value(2),
            };
            if seen & (1 << bit) != 0 {
                return None;
            }
            seen |= 1 << bit;
            if s.peek() == Some(b'n') {
                return s.literal().filter(|w| *w == "null").map(drop);
            }
            match slot {
                // A string field holding anything but a string is serde's
                // to report.
                Slot::Text(slot) => *slot = Some(Cow::Borrowed(s.plain_string()?)),
                Slot::Raw(slot) => {
                    let start = s.pos;
                    s.skip_value(2)?;
                    *slot = Some(s.text(start, s.pos)?);
                }
            }
            Some(())
        })?;
        Some(f)
    }

    /// `true`, `false` or `null`, as text.
    fn literal(&mut self) -> Option<&'a str> {
        let start = self.pos;
        for word in ["true", "false", "null"] {
            if self.bytes.get(start..)?.starts_with(word.as_bytes()) {
                self.pos += word.len();
                return self.text(start, self.pos);
            }
        }
        None
    }

    /// A string without escapes, its content borrowed from the body.
    fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos + 1;
        let end = string_stop(self.bytes, start)?;
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.pos = end + 1;
        self.text(start, end)
    }

    /// Any JSON value, checked and passed over; `depth` counts the
    /// containers around it.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.plain_string().map(drop),
            b'-' | b'0'..=b'9' => self.number(),
            b't' | b'f' | b'n' => self.literal().map(drop),
            b'{' if depth < MAX_DEPTH => self.object(|s, _| s.skip_value(depth + 1)),
            b'[' if depth < MAX_DEPTH => {
                self.pos += 1;
                if self.eat(b']') {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.skip_value(depth + 1)?;
                    if !self.eat(b',') {
                        return self.eat(b']').then_some(());
                    }
                }
            }
            _ => None,
        }
    }

    /// A number by JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        self.pos += usize::from(self.peek() == Some(b'-'));
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;
    use crate::balance::{Balance, RawBalance};

    /// The oracle: the same answer read by serde in one pass.
    fn by_serde(body: &str) -> Option<Result<Vec<Balance<'_>>>> {
        #[derive(Deserialize)]
        struct Listing<'a> {
            #[serde(borrow)]
            data: Vec<RawBalance<'a>>,
            success: Option<bool>,
            error: Option<serde::de::IgnoredAny>,
        }
        let listing: Listing = serde_json::from_str(body).ok()?;
        if listing.success == Some(false) || listing.error.is_some() {
            return None;
        }
        Some(
            listing
                .data
                .into_iter()
                .enumerate()
                .map(|(i, raw)| Fields::from(raw).to_balance(i))
                .collect(),
        )
    }

    fn shown(r: Option<Result<Vec<Balance<'_>>>>) -> Option<Result<String, String>> {
        r.map(|r| r.map(|v| format!("{v:?}")).map_err(|e| e.to_string()))
    }

    /// The parts as one list, shown.
    pub(super) fn flat(r: Option<Result<Vec<Balances<'_>>>>) -> Option<Result<String, String>> {
        Some(match r? {
            Ok(parts) => Ok(format!(
                "{:?}",
                parts.iter().flat_map(Balances::iter).collect::<Vec<_>>()
            )),
            Err(e) => Err(e.to_string()),
        })
    }

    /// Whatever the scanner accepts, serde reads the same way.
    fn agrees(body: &str) -> std::result::Result<(), TestCaseError> {
        if let Some(fast) = listing(body) {
            if let Ok(parts) = &fast {
                prop_assert_eq!(widths(parts), noted_widths(parts), "body: {}", body);
            }
            prop_assert_eq!(flat(Some(fast)), shown(by_serde(body)), "body: {}", body);
        }
        Ok(())
    }

    /// Each balance's widths as its record knows them.
    pub(super) fn widths(parts: &[Balances<'_>]) -> Vec<Option<[usize; 5]>> {
        let all = parts.iter().flat_map(|p| (0..p.len()).map(move |i| (p, i)));
        all.map(|(p, i)| {
            let widths = p.plain(i, 30).map(|plain| plain.widths());
            // Known from the record alone, the same.
            assert_eq!(p.plain_widths(i, 30), widths);
            widths
        })
        .collect()
    }

    /// The same, as a list noting them from the texts knows them.
    fn noted_widths(parts: &[Balances<'_>]) -> Vec<Option<[usize; 5]>> {
        let copies: Vec<Balances> = parts.iter().map(|p| p.iter().collect()).collect();
        widths(&copies)
    }

    const REAL: &str = r#"{"data":[{"asset":"TRY","assetname":"Türk Lirası","balance":"27223.7283250757643288","locked":"0","free":"27223.7283250757643288","orderFund":"0","requestFund":"0","precision":2,"timestamp":1763952000000}],"success":true,"message":null,"code":0}"#;

    #[test]
    fn finds_the_end_of_a_string_run() {
        for (text, end) in [
            ("abc\"", Some(3)),
            ("", None),
            ("abcdefgh", None),
            ("abcdefghij\\k", Some(10)),
            ("abcdefg\n", Some(7)),
            ("Türk Lirası!!!!!!\"", Some(19)),
            ("\u{7f}\u{80}\u{ff}xxxxxxxxx\"", Some(14)),
            ("\"xxxxxxxxxxx", Some(0)),
        ] {
            assert_eq!(string_stop(text.as_bytes(), 0), end, "{text:?}");
            let stop = |b: &u8| *b == b'"' || *b == b'\\' || *b < 0x20;
            assert_eq!(end, text.bytes().position(|b| stop(&b)), "{text:?}");
        }
    }

    #[test]
    fn reads_the_real_shape_itself() {
        let fast = flat(listing(REAL)).expect("the usual answer is read here");
        assert_eq!(Some(fast), shown(by_serde(REAL)));
    }

    #[test]
    fn leaves_error_envelopes_and_oddities_to_serde() {
        for body in [
            r#"{"data":[],"success":false}"#,
            r#"{"data":[],"error":{"code":1}}"#,
            r#"{"data":null,"success":true}"#,
            r#"{"success":true}"#,
            r#"{"data":[],"data":[]}"#,
            r#"{"data":[{"asset":"A\u0042"}]}"#,
            r#"{"data":[{"asset":"A","asset":"B"}]}"#,
            r#"{"data":[{"asset":"A","balance":null,"balance":"1"}]}"#,
            r#"{"data":[]} x"#,
            r#"{"data":[1]}"#,
            "\u{feff}{\"data\":[]}",
        ] {
            assert!(listing(body).is_none(), "{body}");
        }
    }

    #[test]
    fn reports_a_bad_asset_as_serde_does() {
        let body = r#"{"data":[{"asset":"X","balance":"1","free":"1"},{"asset":"Y","balance":true}],"success":true}"#;
        let fast = flat(listing(body)).expect("valid JSON is read here");
        assert_eq!(Some(fast.clone()), shown(by_serde(body)));
        assert!(fast.is_err_and(|e| e.contains("asset X has no `locked`")));
    }

    /// An answer of `n` assets (about 200 bytes each), the one at `missing`
    /// without its code, `extra` after the array.
    pub(super) fn large(n: usize, missing: &[usize], extra: &str) -> String {
        let assets: Vec<String> = (0..n)
            .map(|i| {
                let code = if missing.contains(&i) {
                    String::new()
                } else {
                    format!(r#""asset":"A{i}","#)
                };
                format!(
                    r#"{{{code}"assetname":"Asset {i}","balance":"{i}.5","locked":"0","free":"{i}.5","orderFund":"0","requestFund":"0","precision":8,"timestamp":1763952000000}}"#
                )
            })
            .collect();
        format!(
            r#"{{"data":[{}]{extra},"success":true,"message":null,"code":0}}"#,
            assets.join(",")
        )
    }

    #[test]
    fn reads_a_large_answer_in_two_parts_as_serde_reads_it_whole() {
        let body = large(10_000, &[], "");
        assert!(body.len() > 1 << 20);
        let parts = listing(&body).expect("read here").expect("valid");
        assert_eq!(parts.len(), 2, "read on two threads");
        assert_eq!(parts.iter().map(Balances::len).sum::<usize>(), 10_000);
        assert_eq!(flat(Some(Ok(parts))), shown(by_serde(&body)));
    }

    #[test]
    fn numbers_a_bad_asset_across_parts() {
        for missing in [&[8_000][..], &[3_000, 8_000], &[9_999]] {
            let body = large(10_000, missing, "");
            let fast = flat(listing(&body)).expect("read here");
            assert_eq!(Some(fast.clone()), shown(by_serde(&body)));
            let first = missing[0] + 1;
            assert!(
                fast.is_err_and(|e| e.contains(&format!("asset #{first} has no `asset` code")))
            );
        }
    }

    #[test]
    fn a_split_inside_a_string_reads_in_one_part() {
        // The first `},{` past the middle of the body is inside the name.
        let (before, after) = ("x".repeat(800_000), "y".repeat(700_000));
        let body = format!(
            r#"{{"data":[{{"asset":"A","assetname":"{before}}},{{{after}","balance":"1","locked":"0","free":"1"}},{{"asset":"B","balance":"2","locked":"0","free":"2"}}],"success":true}}"#
        );
        let parts = listing(&body).expect("read here").expect("valid");
        assert_eq!(parts.len(), 1);
        assert_eq!(flat(Some(Ok(parts))), shown(by_serde(&body)));
    }

    #[test]
    fn a_large_answer_broken_after_the_split_is_left_to_serde() {
        for broken in [
            large(10_000, &[], "]"),
            large(10_000, &[], ",{\"asset\":\"Z\""),
            large(10_000, &[], "").replace("\"A9000\",", "\"A9000\" "),
        ] {
            assert!(listing(&broken).is_none());
            assert!(by_serde(&broken).is_none());
        }
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(r#""1.5""#.to_owned()),
            Just(r#""27223,72""#.to_owned()),
            Just(r#""0""#.to_owned()),
            Just(r#""-0.5""#.to_owned()),
            Just(r#""1e-8""#.to_owned()),
            Just(r#""abc""#.to_owned()),
            Just(r#""1\u0030""#.to_owned()),
            Just(r#""x\"y""#.to_owned()),
            Just(r#""Türk Lirası""#.to_owned()),
            Just("12".to_owned()),
            Just("-0".to_owned()),
            Just("1.25e3".to_owned()),
            Just("01".to_owned()),
            Just("1.".to_owned()),
            Just("-".to_owned()),
            Just("true".to_owned()),
            Just("null".to_owned()),
            Just("nul".to_owned()),
            Just("[]".to_owned()),
            Just(r#"{"a":[1,{"b":null}],"c":"d"}"#.to_owned()),
            Just("[1,,2]".to_owned()),
            "[a-zA-Z0-9 .,]{0,8}".prop_map(|s| format!("\"{s}\"")),
        ]
    }

    fn asset() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("asset"),
            Just("assetname"),
            Just("balance"),
            Just("free"),
            Just("locked"),
            Just("orderFund"),
            Just("requestFund"),
            Just("precision"),
            Just("timestamp"),
            Just("other"),
        ];
        prop::collection::vec((key, value(), " {0,1}"), 0..10).prop_map(|members| {
            let members: Vec<String> = members
                .into_iter()
                .map(|(k, v, ws)| format!("{ws}\"{k}\"{ws}:{ws}{v}"))
                .collect();
            format!("{{{}}}", members.join(","))
        })
    }

    /// A plausible asset: every required field a plain amount.
    fn good_asset() -> impl Strategy<Value = String> {
        ("[A-Z]{1,5}", "[0-9]{1,5}(\\.[0-9]{1,8})?", 0u32..10).prop_map(|(code, amount, p)| {
            format!(
                r#"{{"asset":"{code}","assetname":"{code} coin","balance":"{amount}","locked":"0","free":"{amount}","orderFund":"0","requestFund":"0","precision":{p}}}"#
            )
        })
    }

    /// An asset in the API's own layout, with values at and past the edges
    /// of what `Scanner::usual` takes.
    pub(super) fn usual_asset() -> impl Strategy<Value = String> {
        // Mostly good values, so that a whole asset is often usual but for one.
        let code = prop_oneof![
            20 => "[A-Z]{1,5}",
            1 => Just(String::new()),
            1 => Just(" ".to_owned()),
            1 => Just("  ".to_owned()),
            // Blank, though not ASCII.
            1 => Just("\u{3000}".to_owned()),
            1 => Just(r"A\u0042".to_owned()),
            1 => Just("Türk".to_owned()),
        ];
        let amount = || {
            prop_oneof![
                40 => "-?[0-9]{1,3}(\\.[0-9]{1,4})?".prop_map(|a| format!("\"{a}\"")),
                1 => Just(r#""27223,72""#.to_owned()),
                1 => Just(r#""1e-8""#.to_owned()),
                1 => Just(r#""x""#.to_owned()),
                1 => Just(r#""1.""#.to_owned()),
                1 => Just(r#""01""#.to_owned()),
                1 => Just(r#""-""#.to_owned()),
                1 => Just(r#"".5""#.to_owned()),
                1 => Just(r#""""#.to_owned()),
                1 => Just("12".to_owned()),
            ]
        };
        let whole = || {
            prop_oneof![
                20 => (0u64..20).prop_map(|n| n.to_string()),
                1 => Just("08".to_owned()),
                1 => Just("4294967295".to_owned()),
                1 => Just("4294967296".to_owned()),
                1 => Just("99999999999999999999999".to_owned()),
                1 => Just("-1".to_owned()),
                1 => Just("1.0".to_owned()),
                1 => Just(r#""8""#.to_owned()),
                1 => Just("null".to_owned()),
            ]
        };
        (
            code,
            (amount(), amount(), amount(), amount(), amount()),
            whole(),
            prop::option::of(whole()),
        )
            .prop_map(|(code, (balance, locked, free, order, request), precision, stamp)| {
                let stamp = stamp.map(|s| format!(r#","timestamp":{s}"#)).unwrap_or_default();
                format!(
                    r#"{{"asset":"{code}","assetname":"{code} coin","balance":{balance},"locked":{locked},"free":{free},"orderFund":{order},"requestFund":{request},"precision":{precision}{stamp}}}"#
                )
            })
    }

    /// Each edge value in each field of an asset in the API's layout, the
    /// rest of it usual.
    #[test]
    fn each_edge_of_the_api_layout_agrees_with_serde() {
        let texts = &[
            r#""""#,
            r#"" ""#,
            r#""A\u0042""#,
            r#""Türk""#,
            r#""x\"y""#,
            "null",
            "1",
        ][..];
        let amounts = &[
            r#""27223,72""#,
            r#""1e-8""#,
            r#""x""#,
            r#""""#,
            r#""1.""#,
            r#""01""#,
            r#""-""#,
            r#"".5""#,
            r#""-0""#,
            r#""-0.50""#,
            r#""0.0000000000000001""#,
            "12",
            "null",
        ][..];
        let wholes = &[
            "0",
            "08",
            "4294967295",
            "4294967296",
            "99999999999999999999999",
            "-1",
            "1.0",
            r#""8""#,
            "null",
            "1e2",
        ][..];
        // Each field: its key, its usual value, its edge values.
        let fields = [
            ("asset", r#""BTC""#, texts),
            ("assetname", r#""Bitcoin""#, texts),
            ("balance", r#""1.5""#, amounts),
            ("locked", r#""0""#, amounts),
            ("free", r#""1.5""#, amounts),
            ("orderFund", r#""0""#, amounts),
            ("requestFund", r#""0""#, amounts),
            ("precision", "8", wholes),
            ("timestamp", "1763952000000", wholes),
        ];
        for (field, (_, _, edges)) in fields.iter().enumerate() {
            for edge in *edges {
                let members: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, (key, usual, _))| {
                        format!(r#""{key}":{}"#, if i == field { edge } else { usual })
                    })
                    .collect();
                let body = format!(r#"{{"data":[{{{}}}],"success":true}}"#, members.join(","));
                // (Escapes are left to serde.)
                if let Some(fast) = flat(listing(&body)) {
                    assert_eq!(Some(fast), shown(by_serde(&body)), "{body}");
                }
            }
        }
    }

    fn envelope(assets: Vec<String>, success: &str, extra: &str) -> String {
        format!(
            "{{ \"data\" : [{}],\n\"success\":{success}{extra},\"message\":null,\"code\":0}}",
            assets.join(", ")
        )
    }

    proptest! {
        #[test]
        fn agrees_with_serde_on_generated_answers(
            assets in prop::collection::vec(prop_oneof![asset(), good_asset()], 0..6),
            success in prop_oneof![Just("true"), Just("false"), Just("null"), Just("\"yes\"")],
            extra in prop_oneof![Just(""), Just(",\"error\":null"), Just(",\"error\":{}"), Just(",\"x\":[[[]]]")],
        ) {
            agrees(&envelope(assets, success, extra))?;
        }

        #[test]
        fn agrees_with_serde_on_answers_in_the_api_layout(
            assets in prop::collection::vec(usual_asset(), 1..6),
        ) {
            agrees(&envelope(assets, "true", ""))?;
        }

        #[test]
        fn agrees_with_serde_on_damaged_answers(
            assets in prop::collection::vec(good_asset(), 1..4),
            cut in any::<prop::sample::Index>(),
            byte in prop_oneof![Just(b'"'), Just(b','), Just(b'}'), Just(b']'), Just(b'\\'), Just(b'x'), Just(0x01), Just(b' ')],
            truncate in any::<bool>(),
        ) {
            let mut body = envelope(assets, "true", "").into_bytes();
            let at = cut.index(body.len());
            if truncate {
                body.truncate(at);
            } else {
                body[at] = byte;
            }
            if let Ok(body) = String::from_utf8(body) {
                agrees(&body)?;
            }
        }

        #[test]
        fn reads_plausible_answers_itself(
            assets in prop::collection::vec(good_asset(), 0..6),
        ) {
            let body = envelope(assets, "true", "");
            prop_assert!(listing(&body).is_some(), "left to serde: {}", body);
            agrees(&body)?;
        }
    }
}
