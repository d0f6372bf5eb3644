//! A balance run: fetch (every profile, and the ticker, side by side),
//! parse, build the report, render it, write it; or the same on a timer
//! with `--watch`.

use std::io::Write;
use std::time::Duration;

use crate::api::Client;
use crate::balance;
use crate::clock;
use crate::config::Settings;
use crate::envelope::Response;
use crate::error::{Error, Result, exit};
use crate::output::{self, Destination, Document, Written};
use crate::render;
use crate::report::{self, Account};
use crate::term::Log;
use crate::text::sanitize;
use crate::valuation::Prices;

pub fn run(settings: &Settings, log: Log) -> Result<()> {
    for note in &settings.notes {
        log.warn(note);
    }
    let mut fetcher = Fetcher::new(settings, log);
    match settings.watch {
        None => {
            let round = fetcher.fetch()?;
            let (accounts, prices) = round.parse()?;
            let doc = render(settings, log, &accounts, prices.as_ref())?;
            output::write(&settings.destination, &doc, &|line| log.note(line)).map(drop)
        }
        Some(every) => watch(settings, log, &mut fetcher, every),
    }
}

/// The answers of one round: each profile's balances (named with
/// `--all-profiles`), and the ticker when valuing.
struct Round {
    balances: Vec<(Option<String>, Response)>,
    ticker: Option<Response>,
}

impl Round {
    /// The accounts' balances, borrowing their text from the answers, and
    /// the prices. Not retried: the API said this.
    fn parse(&self) -> Result<(Vec<Account<'_>>, Option<Prices>)> {
        let accounts = self
            .balances
            .iter()
            .map(|(profile, response)| {
                let balances =
                    balance::parse(response).map_err(|e| e.in_profile(profile.as_deref()))?;
                Ok(Account {
                    profile: profile.clone(),
                    balances,
                })
            })
            .collect::<Result<_>>()?;
        let prices = self.ticker.as_ref().map(Prices::parse).transpose()?;
        Ok((accounts, prices))
    }
}

/// The API clients of a run, kept across `--watch` rounds so that a clock
/// correction and open connections carry over.
struct Fetcher<'a> {
    settings: &'a Settings,
    balances: Vec<Client<'a>>,
    ticker: Option<Client<'a>>,
}

impl<'a> Fetcher<'a> {
    fn new(settings: &'a Settings, log: Log) -> Self {
        Fetcher {
            settings,
            balances: settings
                .profiles
                .iter()
                .map(|p| Client::new(p, log))
                .collect(),
            // Prices are public: the first profile's URL and timeout serve.
            ticker: settings
                .view
                .value_in
                .and(settings.profiles.first())
                .map(|p| Client::new(p, log)),
        }
    }

    /// Every profile's balances and the ticker side by side, so the wall
    /// time is that of the slowest request: the first profile's request on
    /// this thread, the others on scoped threads. Any failure fails all.
    fn fetch(&mut self) -> Result<Round> {
        let named = self.settings.all_profiles;
        let fetch = move |client: &mut Client| {
            let profile = named.then(|| client.profile().to_owned());
            let response = client
                .balances()
                .map_err(|e| e.in_profile(profile.as_deref()))?;
            Ok((profile, response))
        };
        std::thread::scope(|scope| {
            let ticker = self
                .ticker
                .as_mut()
                .map(|c| scope.spawn(move || c.ticker()));
            let (first, others) = self
                .balances
                .split_first_mut()
                .ok_or_else(|| Error::Response("no profile to fetch".into()))?;
            let others: Vec<_> = others
                .iter_mut()
                .map(|client| scope.spawn(move || fetch(client)))
                .collect();
            let mut balances = vec![fetch(first)?];
            for handle in others {
                balances.push(joined(handle)?);
            }
            let ticker = ticker.map(joined).transpose()?;
            Ok(Round { balances, ticker })
        })
    }
}

/// A scoped thread's result; a panic there goes on here.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Builds and renders one report.
fn render(
    settings: &Settings,
    log: Log,
    accounts: &[Account],
    prices: Option<&Prices>,
) -> Result<Document> {
    for code in settings.view.filter.unknown_assets(accounts) {
        log.warn(&format!("the account has no asset {}", sanitize(code)));
    }
    for pair in prices.iter().flat_map(|p| &p.unusable) {
        log.verbose(|| {
            format!(
                "ticker pair {pair} has a `last` price past what a .NET decimal holds: it prices nothing"
            )
        });
    }
    let report = report::build(accounts, prices, &settings.view, clock::fetched_at())?;
    render::render(&report, &settings.render).map_err(Error::Output)
}

/// Faults that pass: the network, the server's load, a maintenance page.
fn transient(e: &Error) -> bool {
    matches!(
        e.code(),
        exit::UNAVAILABLE | exit::TEMPFAIL | exit::PROTOCOL
    )
}

/// Fetches and shows every `every` until interrupted. On a terminal the
/// screen is redrawn in place with the time of the last good fetch and the
/// last error; elsewhere each good fetch is written out in turn (the CSV
/// header only before the first) or, with `--out`, replaces the file, until
/// stdout's reader goes away. Only
/// lasting faults (keys, configuration, output) end it with an error.
fn watch(settings: &Settings, log: Log, fetcher: &mut Fetcher, every: Duration) -> Result<()> {
    let terminal = settings.to_terminal;
    let mut screen: Option<(Vec<u8>, String)> = None;
    let mut first = true;
    loop {
        // A malformed answer (exit 76) is as passing as a failed fetch.
        let round = fetcher.fetch().and_then(|round| {
            let (accounts, prices) = round.parse()?;
            let doc = render(settings, log, &accounts, prices.as_ref())?;
            if terminal {
                screen = Some((doc.whole(), clock::rfc3339_now()));
                Ok(Written::Whole)
            } else if first || matches!(settings.destination, Destination::Out(_)) {
                // --out: the file replaced whole each round.
                output::write(&settings.destination, &doc, &|line| log.note(line))
            } else {
                output::print(&doc.body)
            }
        });
        let error = match round {
            Ok(Written::ReaderGone) => return Ok(()),
            Ok(Written::Whole) => {
                first = false;
                None
            }
            Err(e) if transient(&e) => Some(e),
            Err(e) => return Err(e),
        };
        if terminal {
            if redraw(screen.as_ref(), error.as_ref(), every)? == Written::ReaderGone {
                return Ok(());
            }
        } else if let Some(e) = &error {
            log.warn(&format!("{e}; trying again in {} s", every.as_secs()));
        }
        std::thread::sleep(pause(every));
    }
}

/// The pause between `--watch` rounds: `every`. In debug builds
/// `BTCTURK_BAL_TEST_WATCH_MS` shortens it, so that a test sees its
/// rounds without waiting seconds for each (what the run says of `every`
/// is unchanged).
fn pause(every: Duration) -> Duration {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("BTCTURK_BAL_TEST_WATCH_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
    {
        return Duration::from_millis(ms);
    }
    every
}

/// One `--watch` frame on the terminal: the last good output and when it
/// was fetched, and the last error.
fn redraw(
    screen: Option<&(Vec<u8>, String)>,
    error: Option<&Error>,
    every: Duration,
) -> Result<Written> {
    let mut frame = b"\x1b[H\x1b[2J".to_vec();
    match screen {
        Some((bytes, at)) => {
            frame.extend_from_slice(bytes);
            let _ = write!(
                frame,
                "Updated {at}, every {} s; Ctrl-C to stop",
                every.as_secs()
            );
        }
        None => frame.extend_from_slice(b"No balances yet"),
    }
    if let Some(e) = error {
        let _ = write!(frame, "\nLast error at {}: {e}", clock::rfc3339_now());
    }
    frame.push(b'\n');
    output::print(&frame)
}
