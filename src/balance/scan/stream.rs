//! The usual answer read while it arrives.
//!
//! A large answer takes a while to arrive, and reading it after the fact
//! adds that much again. So its `data` array is read as it comes in, one
//! region at a time, on a thread of its own: when the last byte is in, so
//! are nearly all the assets. Only the usual layout is taken here (the
//! envelope opening with `{"data":[`, every asset one that
//! `Scanner::usual` reads); at anything else this reader stops, and the
//! body is read the usual way once it is whole, which also reports any
//! error. So it can make an answer faster, never different.

use super::{Envelope, Scanner};
use crate::balance::Balances;

/// What comes next in the body.
#[derive(Clone, Copy, PartialEq)]
enum Next {
    /// `{"data":[`.
    Start,
    /// An asset.
    Asset,
    /// `,` and an asset, or `]`.
    Separator,
    /// The rest of the envelope, from this offset of the body (just after
    /// the array's `]`); not read here.
    Rest(usize),
    /// Something this reader does not take.
    Stopped,
}

/// The assets read so far, and where the reading is.
pub struct Stream {
    /// Spans of the body still arriving.
    assets: Balances<'static>,
    /// The length of the body so far: where the next region starts.
    at: usize,
    next: Next,
}

impl Stream {
    /// A reader expecting about `assets` assets.
    pub fn new(assets: usize) -> Self {
        Stream {
            assets: Balances::with_capacity("", assets),
            at: 0,
            next: Next::Start,
        }
    }

    /// Reads the next region of the body. Regions are consecutive, from
    /// the first byte; each but the last ends with the `}` of an asset (or
    /// with what the sender took for one: if it is not, reading stops).
    pub fn feed(&mut self, region: &[u8]) {
        if !matches!(self.next, Next::Rest(_) | Next::Stopped) && self.read(region).is_none() {
            self.next = Next::Stopped;
        }
        self.at += region.len();
    }

    fn read(&mut self, region: &[u8]) -> Option<()> {
        // A region begins and ends at ASCII bytes, so it is UTF-8 if the
        // body is.
        let text = std::str::from_utf8(region).ok()?;
        let mut s = Scanner {
            text,
            bytes: region,
            pos: 0,
        };
        loop {
            match self.next {
                Next::Start => {
                    s.expect(br#"{"data":["#)?;
                    self.next = match s.expect(b"]") {
                        Some(()) => Next::Rest(self.at + s.pos),
                        None => Next::Asset,
                    };
                }
                Next::Asset => {
                    let usual = s.usual()?;
                    self.assets.push_usual(usual, self.at)?;
                    self.next = Next::Separator;
                }
                Next::Separator if s.pos == region.len() => return Some(()),
                Next::Separator => {
                    self.next = match s.expect(b",") {
                        Some(()) => Next::Asset,
                        None => {
                            s.expect(b"]")?;
                            Next::Rest(self.at + s.pos)
                        }
                    };
                }
                Next::Rest(_) | Next::Stopped => return Some(()),
            }
        }
    }

    /// The assets, if the whole array was read.
    pub fn finish(self) -> Option<Prescan> {
        match self.next {
            Next::Rest(rest) => Some(Prescan {
                assets: self.assets,
                rest,
            }),
            _ => None,
        }
    }
}

/// The assets of a body read while it arrived, waiting for the whole body.
pub struct Prescan {
    assets: Balances<'static>,
    /// Where the envelope goes on after the `data` array.
    rest: usize,
}

impl Prescan {
    /// The assets, now that `body` (the whole of what was read) is known
    /// to be UTF-8: `None` unless the envelope goes on to end as the usual
    /// success, in which case the body is for the usual reader.
    pub fn finish(self, body: &str) -> Option<Balances<'_>> {
        let mut s = Scanner {
            text: body,
            bytes: body.as_bytes(),
            pos: self.rest,
        };
        let mut envelope = Envelope::default();
        s.more_members(|s, key| envelope.member(s, key))?;
        envelope
            .ends_in_success(&mut s)
            .then(|| self.assets.with_body(body))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::listing;
    use super::super::tests::{flat, large, usual_asset, widths};
    use super::*;

    /// The assets of `body` fed in regions cut just after the `}`s picked
    /// by `cuts`, with their widths, shown; `None` if the stream stopped.
    fn streamed(body: &str, cuts: &[usize]) -> Option<String> {
        let braces: Vec<usize> = (0..body.len())
            .filter(|&i| body.as_bytes()[i] == b'}')
            .map(|i| i + 1)
            .collect();
        let mut ends: Vec<usize> = cuts.iter().map(|c| braces[c % braces.len()]).collect();
        ends.sort_unstable();
        ends.dedup();
        let mut stream = Stream::new(4);
        let mut from = 0;
        for end in ends {
            stream.feed(&body.as_bytes()[from..end]);
            from = end;
        }
        stream.feed(&body.as_bytes()[from..]);
        let assets = stream.finish()?.finish(body)?;
        let parts = vec![assets];
        let widths = widths(&parts);
        Some(format!("{:?} {widths:?}", flat(Some(Ok(parts)))))
    }

    /// The same as the whole body is read.
    fn listed(body: &str) -> Option<String> {
        let parts = listing(body)?.ok()?;
        let widths = widths(&parts);
        Some(format!("{:?} {widths:?}", flat(Some(Ok(parts)))))
    }

    #[test]
    fn reads_a_large_answer_as_the_whole_body_is_read() {
        let body = large(10_000, &[], "");
        let cuts: Vec<usize> = (0..200).map(|i| i * 97).collect();
        let streamed = streamed(&body, &cuts).expect("the usual answer is read");
        assert_eq!(Some(streamed), listed(&body));
    }

    #[test]
    fn leaves_other_answers_to_the_whole_body() {
        let good = r#"{"asset":"A","assetname":"A","balance":"1","locked":"0","free":"1","orderFund":"0","requestFund":"0","precision":8}"#;
        for body in [
            format!(r#"{{"data":[{good}],"success":false}}"#),
            format!(r#"{{"data":[{good}],"error":{{"code":1}}}}"#),
            format!(r#"{{"data":[{good}],"data":[]}}"#),
            format!(r#"{{"data":[{good}]}} x"#),
            format!(r#"{{"data":[{good}]"#),
            format!(r#"{{"success":true,"data":[{good}]}}"#),
            format!(r#"{{ "data":[{good}]}}"#),
            format!(r#"{{"data":[{good},{{"asset":"B"}}]}}"#),
            format!(r#"{{"data":[{good} ,{good}]}}"#),
        ] {
            for cuts in [&[][..], &[0], &[1], &[0, 1, 2, 3]] {
                assert!(streamed(&body, cuts).is_none(), "{body} {cuts:?}");
            }
        }
        // A cut inside a name that holds a `}` stops the stream.
        let odd = good.replace(r#""assetname":"A""#, r#""assetname":"}""#);
        let body = format!(r#"{{"data":[{odd},{good}]}}"#);
        assert!(streamed(&body, &[0]).is_none());
        assert_eq!(streamed(&body, &[1]), listed(&body));
    }

    proptest! {
        #[test]
        fn reads_what_it_takes_as_the_whole_body_is_read(
            assets in prop::collection::vec(usual_asset(), 0..8),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
            rest in prop_oneof![
                Just(""),
                Just(r#","success":true,"message":null,"code":0"#),
                Just(r#","success":false"#),
                Just(r#","error":null, "x" : [1,{"y":2}] "#),
            ],
        ) {
            let body = format!(r#"{{"data":[{}]{rest}}}"#, assets.join(","));
            if let Some(streamed) = streamed(&body, &cuts) {
                prop_assert_eq!(Some(streamed), listed(&body), "body: {}", body);
            }
        }
    }
}
