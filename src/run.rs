//! A balance run: fetch (every profile, and the ticker, side by side),
//! parse, build the report, render it, write it; or the same on a timer
//! with `--watch`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use crate::api::{Body, Client};
use crate::clock;
use crate::config::Settings;
use crate::error::{Error, Result, exit};
use crate::output::{self, Destination};
use crate::report::{self, Fetched};
use crate::term::{Log, sanitize};
use crate::valuation::Prices;

pub fn run(settings: &Settings, log: Log) -> Result<()> {
    let mut fetcher = Fetcher::new(settings, log);
    match settings.watch {
        None => {
            let (bodies, prices) = fetcher.fetch()?;
            let fetched = parse(&bodies)?;
            show(settings, log, fetched, prices.as_ref())
        }
        Some(every) => watch(settings, log, &mut fetcher, every),
    }
}

/// The answers of one round: each profile's body (named with
/// `--all-profiles`), and the prices when valuing.
type Round = (Vec<(Option<String>, Body)>, Option<Prices>);

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

    /// Every profile's balances and the prices, on scoped threads, so the
    /// wall time is that of the slowest request. Any failure fails all.
    fn fetch(&mut self) -> Result<Round> {
        let named = self.settings.all_profiles;
        std::thread::scope(|scope| {
            let ticker = self
                .ticker
                .as_mut()
                .map(|c| scope.spawn(move || c.prices()));
            let balances: Vec<_> = self
                .balances
                .iter_mut()
                .map(|client| {
                    scope.spawn(move || {
                        let profile = client.profile().to_owned();
                        (profile, client.balances())
                    })
                })
                .collect();
            let mut bodies = Vec::with_capacity(balances.len());
            for handle in balances {
                let (profile, result) = joined(handle);
                let body = result.map_err(|e| in_profile(named.then_some(&profile), e))?;
                bodies.push((named.then_some(profile), body));
            }
            let prices = ticker.map(joined).transpose()?;
            Ok((bodies, prices))
        })
    }
}

/// A scoped thread's result; a panic there goes on here.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// With `--all-profiles`, an error names the profile it happened in.
fn in_profile(profile: Option<&String>, e: Error) -> Error {
    match profile {
        Some(p) => Error::Profile {
            profile: p.clone(),
            source: Box::new(e),
        },
        None => e,
    }
}

/// The assets of each body, borrowing their text from it; a body read in
/// parts gives one entry per part, under the same profile.
fn parse(bodies: &[(Option<String>, Body)]) -> Result<Fetched<'_>> {
    let mut fetched = Vec::with_capacity(bodies.len());
    for (profile, body) in bodies {
        let parts = body
            .balances()
            .map_err(|e| in_profile(profile.as_ref(), e))?;
        fetched.extend(parts.into_iter().map(|part| (profile.clone(), part)));
    }
    Ok(fetched)
}

/// Builds, renders and writes one report.
fn show(settings: &Settings, log: Log, fetched: Fetched, prices: Option<&Prices>) -> Result<()> {
    output::stream(&settings.destination, |at_start, out| {
        render(settings, log, fetched, prices, at_start, out)
    })
}

fn render(
    settings: &Settings,
    log: Log,
    fetched: Fetched,
    prices: Option<&Prices>,
    at_start: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let all = fetched.iter().map(|(_, list)| list);
    for code in settings.view.filter.unknown_assets(all) {
        log.warn(&format!("the account has no asset {}", sanitize(code)));
    }
    let report = report::build(&fetched, prices, &settings.view, clock::rfc3339_now());
    let mut options = settings.render.clone();
    options.header &= at_start;
    options.csv.bom &= at_start;
    crate::render::render(&report, &options, out).map_err(Error::Output)
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
/// last error; elsewhere each good fetch is written out in turn. Only
/// lasting faults (keys, configuration, output) end it.
fn watch(settings: &Settings, log: Log, fetcher: &mut Fetcher, every: Duration) -> Result<()> {
    let terminal =
        matches!(settings.destination, Destination::Stdout) && std::io::stdout().is_terminal();
    let mut screen: Option<(Vec<u8>, String)> = None;
    loop {
        let error = match fetcher.fetch() {
            // A malformed answer (exit 76) is as passing as a failed fetch.
            Ok((bodies, prices)) => match parse(&bodies) {
                Ok(fetched) if terminal => {
                    let mut bytes = Vec::new();
                    render(settings, log, fetched, prices.as_ref(), true, &mut bytes)?;
                    screen = Some((bytes, clock::rfc3339_now()));
                    None
                }
                Ok(fetched) => {
                    show(settings, log, fetched, prices.as_ref())?;
                    None
                }
                Err(e) => Some(e),
            },
            Err(e) if transient(&e) => Some(e),
            Err(e) => return Err(e),
        };
        if terminal {
            let mut frame = b"\x1b[H\x1b[2J".to_vec();
            match &screen {
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
            if let Some(e) = &error {
                let _ = write!(frame, "\nLast error at {}: {e}", clock::rfc3339_now());
            }
            frame.push(b'\n');
            output::write(&Destination::Stdout, |_| Ok(frame))?;
        } else if let Some(e) = &error {
            log.warn(&format!("{e}; trying again in {} s", every.as_secs()));
        }
        std::thread::sleep(every);
    }
}
