//! `btcturk-bal doctor`: checks, one by one, what a refused or failing run
//! comes down to (the config file, the key pair, the network and TLS, the
//! clock, a signed request, the public ticker) and prints a line for each:
//! `ok`, or what is wrong and the fix. The exit code is the first failing
//! check's. The secret is never printed.

use std::fmt::Write as _;

use crate::api::{ApiSettings, Client, Route, route};
use crate::balance;
use crate::clock;
use crate::config::{Described, Inputs, SecretSetting};
use crate::error::{Error, Result};
use crate::output;
use crate::term::Log;
use crate::text::sanitize;
use crate::valuation::Prices;

/// The report being written, and the exit code of the first failure.
#[derive(Default)]
struct Report {
    text: String,
    first_failure: Option<u8>,
}

impl Report {
    fn ok(&mut self, check: &str, detail: &str) {
        let _ = writeln!(self.text, "ok       {check}: {detail}");
    }

    fn fail(&mut self, check: &str, error: &Error) {
        let _ = writeln!(self.text, "FAILED   {check}: {error}");
        if let Some(hint) = error.hint() {
            let _ = writeln!(self.text, "         fix: {hint}");
        }
        self.first_failure.get_or_insert(error.code());
    }

    fn problem(&mut self, check: &str, detail: &str, fix: &str, code: u8) {
        let _ = writeln!(self.text, "PROBLEM  {check}: {detail}");
        let _ = writeln!(self.text, "         fix: {fix}");
        self.first_failure.get_or_insert(code);
    }

    fn skipped(&mut self, check: &str, why: &str) {
        let _ = writeln!(self.text, "skipped  {check}: {why}");
    }
}

/// Runs every check with the settings a balances run would use. Returns
/// the exit code of the first failing check (0 when all pass).
pub fn run(inputs: Result<Inputs>, log: Log) -> Result<u8> {
    let mut report = Report::default();
    let settings = keys(&mut report, inputs);
    match &settings {
        Some((settings, sources)) => network(&mut report, settings, sources, log),
        None => report.skipped(
            "network, clock, signed request, ticker",
            "they need the settings above",
        ),
    }
    output::print(report.text.as_bytes())?;
    Ok(report.first_failure.unwrap_or(0))
}

/// Checks 1 and 2: the config file and where each setting came from; the
/// secret decodes and the base URL is allowed. The settings, and where
/// the key and secret came from.
fn keys(report: &mut Report, inputs: Result<Inputs>) -> Option<(ApiSettings, String)> {
    let inputs = match inputs {
        Ok(inputs) => inputs,
        Err(e) => {
            report.fail("config file", &e);
            return None;
        }
    };
    let file = match (&inputs.config.path, inputs.file_found) {
        (Some(path), true) => format!("{} (mode {})", path.display(), mode(path)),
        (Some(path), false) => format!(
            "{} (none; the environment must hold the keys)",
            path.display()
        ),
        (None, _) => "(no config directory)".into(),
    };
    let profile = inputs.selected_profile().value;
    let sources = match inputs.describe(&profile, true) {
        Ok(d) => sources(&d),
        Err(e) => {
            report.fail("config file", &e);
            return None;
        }
    };
    report.ok(
        "config file",
        &format!("{file}, profile {}; {sources}", sanitize(&profile)),
    );
    match inputs.api_settings(&profile, true) {
        Ok(settings) => {
            report.ok(
                "key pair",
                &format!("the secret decodes; base URL {}", settings.base_url),
            );
            Some((settings, sources))
        }
        Err(e) => {
            report.fail("key pair", &e);
            None
        }
    }
}

/// Where the key and the secret come from, the secret never shown.
fn sources(d: &Described) -> String {
    let key = match &d.api_key {
        Some(k) => {
            format!(
                "api_key {} from {}",
                crate::text::preview(&k.value),
                k.source
            )
        }
        None => "no api_key".into(),
    };
    let secret = match &d.api_secret {
        Some(s) => match &s.value {
            SecretSetting::Value(_) => format!("api_secret [redacted] from {}", s.source),
            SecretSetting::Command(_) => format!("api_secret from the command in {}", s.source),
        },
        None => "no api_secret".into(),
    };
    format!("{key}; {secret}")
}

/// The permission bits of a file, in octal.
fn mode(path: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| format!("{:03o}", m.permissions().mode() & 0o777))
        .unwrap_or_else(|_| "unknown".into())
}

/// Checks 3 to 6: the API answers over TLS, the clock, one signed
/// request, the ticker.
fn network(report: &mut Report, settings: &ApiSettings, sources: &str, log: Log) {
    // Each finding once: the checks below report the clock and retries
    // themselves, so the run's own warnings and notes stay quiet.
    let mut client = Client::new(settings, Log { quiet: true, ..log });
    let route = route(settings);
    let offset = match client.clock_offset() {
        Ok(offset) => {
            let how = if settings.base_url.starts_with("https://") {
                "resolves and answers over TLS, its certificate trusted"
            } else {
                "answers"
            };
            let via = route.as_ref().map(Route::describe).unwrap_or_default();
            report.ok("network", &format!("{} {how}{via}", settings.base_url));
            offset
        }
        Err(e) => {
            report.fail("network", &e);
            report.skipped("clock, signed request, ticker", "the API cannot be reached");
            return;
        }
    };
    let skewed = offset.abs() > clock::SKEW_TOLERANCE_MS;
    if skewed {
        report.problem(
            "clock",
            &clock::describe_skew(offset),
            "sync it (timedatectl set-ntp true, or ntpdate)",
            crate::error::exit::NOPERM,
        );
    } else {
        report.ok(
            "clock",
            &format!("within {} s of the API's", clock::seconds(offset)),
        );
    }
    match client
        .balances()
        .and_then(|r| Ok(balance::parse(&r)?.len()))
    {
        Ok(assets) if client.corrected_clock() => report.ok(
            "signed request",
            &format!(
                "accepted with the API's clock, not this machine's ({assets} assets): fix the clock"
            ),
        ),
        Ok(assets) => report.ok("signed request", &format!("accepted ({assets} assets)")),
        Err(e) => {
            if e.code() == crate::error::exit::NOPERM
                && let Some(route) = route.as_ref().filter(|r| r.local.is_ipv6())
            {
                // The likeliest cause first: keys are bound to addresses,
                // mostly IPv4 ones, and this request did not come from one.
                report.problem(
                    "signed request",
                    &format!(
                        "refused, and it went over IPv6 (from {}); a key bound to an IPv4 address is refused over IPv6",
                        route.local.ip()
                    ),
                    // IPv6 only was asked for: ip_version = 4 is no advice.
                    if settings.ip_version == crate::api::IpVersion::V6 {
                        "register this IPv6 address with the key (IPv6 only was asked for: ip_version 6)"
                    } else {
                        "set ip_version = 4 in the config file (or BTCTURK_IP_VERSION=4, or --ip-version 4), or register this IPv6 address with the key"
                    },
                    e.code(),
                );
            }
            report.fail("signed request", &e);
            if e.code() == crate::error::exit::NOPERM {
                let _ = writeln!(report.text, "         sent: {sources}");
            }
        }
    }
    match client.ticker().and_then(|r| Prices::parse(&r)) {
        Ok(prices) => {
            let n = prices.len();
            let s = if n == 1 { "" } else { "s" };
            let mut line = format!("{n} asset{s} priced (for --value-in)");
            if !prices.unusable.is_empty() {
                line += &format!(
                    "; pricing nothing, their last price past what a .NET decimal holds: {}",
                    prices.unusable.join(", ")
                );
            }
            report.ok("ticker", &line)
        }
        Err(e) => report.fail("ticker", &e),
    }
}
