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

use std::sync::{Condvar, Mutex, PoisonError};

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

    /// A reader taking over from another at offset `at` of the body, just
    /// after an asset (see `Regions::finish`).
    pub fn resume(at: usize, assets: usize) -> Self {
        Stream {
            assets: Balances::with_capacity("", assets),
            at,
            next: Next::Separator,
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
        // Bytes only: the usual asset is read without its text, and the
        // whole body is checked to be UTF-8 before any of it is used (see
        // `Prescan::finish`). Anything that would need the text finds none
        // here, and stops this reader.
        let mut s = Scanner {
            text: "",
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

    /// The assets, if the whole array was read: by this reader, or by it
    /// up to where `then` took over.
    pub fn finish(self, then: Option<Stream>) -> Option<Prescan> {
        match (self.next, then) {
            // (What `then` read came after the array.)
            (Next::Rest(rest), _) => Some(Prescan {
                parts: vec![self.assets],
                rest,
            }),
            (Next::Separator, Some(then)) => match then.next {
                Next::Rest(rest) => Some(Prescan {
                    parts: vec![self.assets, then.assets],
                    rest,
                }),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The regions of a body on their way from the thread reading it to the
/// stream's. When the body is all in, whatever the stream has not reached
/// is shared out: the reading thread reads the later half of it itself.
#[derive(Default)]
pub struct Regions<'b> {
    queue: Mutex<Queue<'b>>,
    ready: Condvar,
}

#[derive(Default)]
struct Queue<'b> {
    regions: Vec<&'b [u8]>,
    /// How many the stream has taken.
    taken: usize,
    /// How many are the stream's: all, until the end is shared out.
    limit: Option<usize>,
    /// Whether the body is all in.
    done: bool,
}

impl<'b> Regions<'b> {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue<'b>> {
        // (Nothing panics while holding the lock.)
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands over the next region.
    pub fn push(&self, region: &'b [u8]) {
        self.queue().regions.push(region);
        self.ready.notify_one();
    }

    /// The stream's next region, waiting for it; `None` when it has read
    /// all of its own.
    pub fn next(&self) -> Option<&'b [u8]> {
        let mut queue = self.queue();
        loop {
            let own = queue.limit.unwrap_or(usize::MAX).min(queue.regions.len());
            if queue.taken < own {
                queue.taken += 1;
                return Some(queue.regions[queue.taken - 1]);
            }
            if queue.done {
                return None;
            }
            queue = self
                .ready
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Marks the body all in, and shares out what the stream has not
    /// reached: the later half of it (if two regions or more are left), as
    /// the offset where it starts and its regions, for the caller to read.
    pub fn finish(&self) -> Option<(usize, Vec<&'b [u8]>)> {
        let mut queue = self.queue();
        queue.done = true;
        let left = queue.regions.len() - queue.taken;
        let shared = (left >= 2).then(|| {
            let limit = queue.taken + left / 2;
            queue.limit = Some(limit);
            let at = queue.regions[..limit].iter().map(|r| r.len()).sum();
            (at, queue.regions[limit..].to_vec())
        });
        drop(queue);
        self.ready.notify_all();
        shared
    }
}

/// Marks the body all in when dropped, so that the stream stops even when
/// reading the body fails.
pub struct Finish<'r, 'b>(pub &'r Regions<'b>);

impl Drop for Finish<'_, '_> {
    fn drop(&mut self) {
        self.0.queue().done = true;
        self.0.ready.notify_all();
    }
}

/// The assets of a body read while it arrived, waiting for the whole body.
pub struct Prescan {
    /// Consecutive parts, in the body's order.
    parts: Vec<Balances<'static>>,
    /// Where the envelope goes on after the `data` array.
    rest: usize,
}

impl Prescan {
    /// The assets, now that `body` (the whole of what was read) is known
    /// to be UTF-8: `None` unless the envelope goes on to end as the usual
    /// success, in which case the body is for the usual reader.
    pub fn finish(self, body: &str) -> Option<Vec<Balances<'_>>> {
        let mut s = Scanner {
            text: body,
            bytes: body.as_bytes(),
            pos: self.rest,
        };
        let mut envelope = Envelope::default();
        s.more_members(|s, key| envelope.member(s, key))?;
        envelope.ends_in_success(&mut s).then(|| {
            self.parts
                .into_iter()
                .map(|part| part.with_body(body))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::listing;
    use super::super::tests::{flat, large, usual_asset, widths};
    use super::*;

    /// The assets of `body` fed in regions cut just after the `}`s picked
    /// by `cuts`, the stream having taken `taken` of them when the body is
    /// all in, with their widths, shown; `None` if the stream stopped.
    fn streamed(body: &str, cuts: &[usize], taken: usize) -> Option<String> {
        let braces: Vec<usize> = (0..body.len())
            .filter(|&i| body.as_bytes()[i] == b'}')
            .map(|i| i + 1)
            .collect();
        let mut ends: Vec<usize> = cuts.iter().map(|c| braces[c % braces.len()]).collect();
        ends.sort_unstable();
        ends.dedup();
        let regions = Regions::default();
        let mut from = 0;
        let count = ends.len() + 1;
        for end in ends {
            regions.push(&body.as_bytes()[from..end]);
            from = end;
        }
        regions.push(&body.as_bytes()[from..]);
        let mut stream = Stream::new(4);
        // (No more than there are: `next` would wait for more.)
        for _ in 0..taken.min(count) {
            if let Some(region) = regions.next() {
                stream.feed(region);
            }
        }
        let then = regions.finish().map(|(at, shared)| {
            let mut then = Stream::resume(at, 4);
            shared.into_iter().for_each(|region| then.feed(region));
            then
        });
        while let Some(region) = regions.next() {
            stream.feed(region);
        }
        let parts = stream.finish(then)?.finish(body)?;
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
        for taken in [0, 1, 100, 200, 201] {
            let streamed = streamed(&body, &cuts, taken).expect("the usual answer is read");
            assert_eq!(Some(streamed), listed(&body), "{taken}");
        }
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
                for taken in 0..3 {
                    assert!(streamed(&body, cuts, taken).is_none(), "{body} {cuts:?}");
                }
            }
        }
        // A cut inside a name that holds a `}` stops the stream.
        let odd = good.replace(r#""assetname":"A""#, r#""assetname":"}""#);
        let body = format!(r#"{{"data":[{odd},{good}]}}"#);
        assert!(streamed(&body, &[0], 0).is_none());
        assert_eq!(streamed(&body, &[1], 0), listed(&body));
    }

    proptest! {
        #[test]
        fn reads_what_it_takes_as_the_whole_body_is_read(
            assets in prop::collection::vec(usual_asset(), 0..8),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
            taken in 0usize..10,
            rest in prop_oneof![
                Just(""),
                Just(r#","success":true,"message":null,"code":0"#),
                Just(r#","success":false"#),
                Just(r#","error":null, "x" : [1,{"y":2}] "#),
            ],
        ) {
            let body = format!(r#"{{"data":[{}]{rest}}}"#, assets.join(","));
            if let Some(streamed) = streamed(&body, &cuts, taken) {
                prop_assert_eq!(Some(streamed), listed(&body), "body: {}", body);
            }
        }
    }
}
