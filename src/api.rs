//! The HTTP client: signs and sends requests, retries what is worth
//! retrying, corrects for a drifting clock, and returns each successful
//! answer as a status and bytes (a `Response`), or an `Error`. What the
//! bytes mean is the model's business.

use std::io::Read;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::auth::Credentials;
use crate::clock;
use crate::envelope::{Object, Response};
use crate::error::{ClockNote, Error, Result};
use crate::term::Log;
use crate::text::{clip, sanitize};
use crate::tls;

const BALANCES_PATH: &str = "/api/v1/users/balances";
const SERVER_TIME_PATH: &str = "/api/v2/server/time";
const TICKER_PATH: &str = "/api/v2/ticker";

/// How much of an error answer is read.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// First retry waits 250-500 ms, then doubling, always capped by --max-wait.
const BACKOFF_BASE: Duration = Duration::from_millis(500);

/// The address family requests may use. BtcTurk binds a key to the
/// addresses registered with it, so a key bound to an IPv4 address is
/// refused (401) when a dual-stack machine reaches the API over IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IpVersion {
    /// IPv4 only.
    #[value(name = "4")]
    V4,
    /// IPv6 only.
    #[value(name = "6")]
    V6,
    /// Either, in the order the resolver gives.
    Any,
}

impl IpVersion {
    /// `4`, `6` or `any`, exactly as the flag takes them, as the
    /// environment and the config file give it.
    pub fn parse(text: &str) -> Option<IpVersion> {
        clap::ValueEnum::from_str(text, false).ok()
    }

    pub fn name(self) -> &'static str {
        match self {
            IpVersion::V4 => "4",
            IpVersion::V6 => "6",
            IpVersion::Any => "any",
        }
    }

    fn family(self) -> ureq::config::IpFamily {
        match self {
            IpVersion::V4 => ureq::config::IpFamily::Ipv4Only,
            IpVersion::V6 => ureq::config::IpFamily::Ipv6Only,
            IpVersion::Any => ureq::config::IpFamily::Any,
        }
    }

    /// Whether a connection to `addr` is allowed.
    pub fn allows(self, addr: &std::net::SocketAddr) -> bool {
        match self {
            IpVersion::V4 => addr.is_ipv4(),
            IpVersion::V6 => addr.is_ipv6(),
            IpVersion::Any => true,
        }
    }
}

/// How to reach the API for one profile, validated.
#[derive(Debug)]
pub struct ApiSettings {
    /// The profile's name, for row labels and messages.
    pub profile: String,
    pub credentials: Credentials,
    /// Scheme and host (`https://HOST[:PORT]`), checked by config.
    pub base_url: String,
    pub timeout: Duration,
    pub ip_version: IpVersion,
    pub retries: u32,
    pub max_wait: Duration,
    pub max_response_bytes: u64,
}

pub struct Client<'a> {
    agent: ureq::Agent,
    settings: &'a ApiSettings,
    log: Log,
    /// Added to the local clock for each stamp: the API's clock minus ours.
    clock_offset_ms: i64,
    clock_corrected: bool,
    last_stamp: i64,
}

/// What one attempt's failure means for the retry loop.
enum Failure {
    /// Worth another attempt; `retry_after` is the server's requested pause.
    Retry {
        error: Error,
        retry_after: Option<Duration>,
    },
    /// 401: maybe the clock; checked once per run.
    Unauthorized {
        detail: String,
    },
    Fatal(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Fatal(e)
    }
}

/// An answer and the headers the retry loop reads.
struct Reply {
    response: Response,
    location: Option<String>,
    retry_after: Option<Duration>,
}

/// The server-time answer, `{"serverTime": 1613292018131, ...}`: a bare
/// object, no envelope.
#[derive(Deserialize)]
struct ServerTime<'a> {
    #[serde(rename = "serverTime", borrow)]
    server_time: Option<&'a RawValue>,
}

/// The times a server clock can tell, in Unix ms: from 2001 (no API's
/// clock is older) to the end of 9999.
const SERVER_TIMES: std::ops::RangeInclusive<i64> = 978_307_200_000..=253_402_300_799_999;

/// The longest response head (status line and headers) accepted.
const MAX_HEAD: usize = 64 << 10;

impl<'a> Client<'a> {
    pub fn new(settings: &'a ApiSettings, log: Log) -> Self {
        // Proxies come from HTTPS_PROXY, HTTP_PROXY or ALL_PROXY (and
        // NO_PROXY), as curl reads them; but plain http is only ever a
        // loopback address, which must not cross the network to a proxy.
        let proxy = if settings.base_url.starts_with("http://") {
            None
        } else {
            ureq::Proxy::try_from_env()
        };
        let mut config = ureq::Agent::config_builder().proxy(proxy);
        if settings.base_url.starts_with("https://") {
            config = config.tls_config(tls::config());
        }
        let agent = config
            .timeout_global(Some(settings.timeout))
            .ip_family(settings.ip_version.family())
            // Error statuses carry the API's message and Retry-After.
            .http_status_as_error(false)
            // A redirect would re-send X-PCK and X-Signature to its Location.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("btcturk-bal/", env!("CARGO_PKG_VERSION")))
            // ureq zero-fills both buffers on every connection, 128 KiB
            // each by default: a quarter of a fresh process's page faults.
            // A request is a few hundred bytes. The input buffer must hold
            // more than the longest head allowed, or an oversized head
            // looks like a dropped connection instead of being named.
            .output_buffer_size(16 << 10)
            .max_response_header_size(MAX_HEAD)
            .input_buffer_size(MAX_HEAD + (16 << 10))
            .build()
            .into();
        Client {
            agent,
            settings,
            log,
            clock_offset_ms: 0,
            clock_corrected: false,
            last_stamp: 0,
        }
    }

    /// The API's clock minus this machine's, in ms (`doctor`).
    pub fn clock_offset(&mut self) -> Result<i64> {
        self.server_clock_offset()
    }

    /// Whether a request was accepted only with the API's clock.
    pub fn corrected_clock(&self) -> bool {
        self.clock_corrected
    }

    /// The config profile this client signs for.
    pub fn profile(&self) -> &str {
        &self.settings.profile
    }

    /// `GET /api/v1/users/balances`, signed, with retries: a 2xx answer.
    pub fn balances(&mut self) -> Result<Response> {
        let result = self.with_retries(|client, attempt| {
            let reply = client.send(BALANCES_PATH, true, attempt)?;
            check_status(&reply)?;
            Ok(reply.response)
        });
        if result.is_ok() && self.clock_corrected {
            self.log.warn(&format!(
                "{}; this run corrected for it, but sync the clock (for example enable NTP)",
                clock::describe_skew(self.clock_offset_ms)
            ));
        }
        result
    }

    /// `GET /api/v2/ticker`: public, unsigned, with retries: a 2xx answer.
    pub fn ticker(&mut self) -> Result<Response> {
        self.with_retries(|client, attempt| {
            let reply = client.send(TICKER_PATH, false, attempt)?;
            check_status(&reply).map_err(|failure| match failure {
                // No key is involved, so no clock to correct.
                Failure::Unauthorized { detail } => Failure::Fatal(Error::Auth {
                    status: 401,
                    detail,
                    clock: ClockNote::Unknown(None),
                    over_ipv6: None,
                }),
                other => other,
            })?;
            Ok(reply.response)
        })
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries run out.
    fn with_retries<T>(
        &mut self,
        mut attempt: impl FnMut(&mut Self, &str) -> Result<T, Failure>,
    ) -> Result<T> {
        let attempts = self.settings.retries + 1;
        let mut n = 1;
        loop {
            let label = format!("attempt {n} of {attempts}");
            let failure = match attempt(self, &label) {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            match failure {
                Failure::Fatal(error) => return Err(error),
                Failure::Unauthorized { detail } => self.after_unauthorized(detail)?,
                Failure::Retry { error, retry_after } => {
                    let error = with_retry_after(error, retry_after);
                    if retry_after.is_some_and(|wait| wait > self.settings.max_wait)
                        || n >= attempts
                    {
                        return Err(error);
                    }
                    let wait = retry_after
                        .unwrap_or_else(|| backoff(n))
                        .min(self.settings.max_wait);
                    n += 1;
                    // Tenths of a second, rounded, in whole numbers.
                    let tenths = (wait.as_millis() + 50) / 100;
                    self.log.note(&format!(
                        "{error}; retrying in {}.{} s (attempt {n} of {attempts})",
                        tenths / 10,
                        tenths % 10
                    ));
                    std::thread::sleep(wait);
                }
            }
        }
    }

    /// After a 401: compare clocks with the API once. A skew beyond the
    /// tolerance earns one corrected request (Ok), anything else is the
    /// final authentication error. So no run sends more than two
    /// unauthorized requests.
    fn after_unauthorized(&mut self, detail: String) -> Result<()> {
        // Whether the refused request went over IPv6, found out once, as
        // doctor finds it: keys are mostly bound to IPv4 addresses.
        let over_ipv6 = route(self.settings)
            .map(|r| r.local.ip())
            .filter(std::net::IpAddr::is_ipv6)
            .map(|from| (from, self.settings.ip_version == IpVersion::V6));
        let auth = |clock| Error::Auth {
            status: 401,
            detail: detail.clone(),
            clock,
            over_ipv6,
        };
        if self.clock_corrected {
            return Err(auth(ClockNote::Skewed(self.clock_offset_ms)));
        }
        // A server time that is no time is a malformed answer, never a
        // correction; one that could not be had leaves the clock unknown.
        let (response, middle) = match self.server_time_answer() {
            Ok(answer) => answer,
            Err(e) => return Err(auth(ClockNote::Unknown(Some(e.to_string())))),
        };
        let offset = server_time(&response).map_err(|e| match e {
            Error::Response(what) => Error::Response(format!(
                "{what} (asked after the API refused the key: 401{detail})"
            )),
            other => other,
        })? - middle;
        if offset.abs() <= clock::SKEW_TOLERANCE_MS {
            return Err(auth(ClockNote::Fine(offset)));
        }
        self.log.verbose(|| {
            format!(
                "{}; signing again with the API's time",
                clock::describe_skew(offset)
            )
        });
        self.clock_offset_ms = offset;
        self.clock_corrected = true;
        // Stamps stay increasing only within one clock: a clock that was
        // ahead must be allowed to step back.
        self.last_stamp = 0;
        Ok(())
    }

    /// The API's clock minus ours, in ms, from the public server-time call,
    /// measured against the middle of the round trip.
    fn server_clock_offset(&mut self) -> Result<i64> {
        let (response, middle) = self.server_time_answer()?;
        Ok(server_time(&response)? - middle)
    }

    /// The server-time call's 2xx answer, and this clock's time in the
    /// middle of its round trip.
    fn server_time_answer(&mut self) -> Result<(Response, i64)> {
        let before = clock::now_ms();
        let reply = self
            .send(SERVER_TIME_PATH, false, "clock check")
            .map_err(|f| match f {
                Failure::Retry { error, .. } | Failure::Fatal(error) => error,
                Failure::Unauthorized { .. } => Error::Response("server time refused".into()),
            })?;
        let after = clock::now_ms();
        let response = reply.response;
        if !(200..300).contains(&response.status) {
            return Err(Error::Response(format!(
                "server time answered {}",
                response.status_text()
            )));
        }
        // Within SERVER_TIMES or a few ms of now, a server time and this
        // middle subtract without overflow.
        Ok((response, before.midpoint(after)))
    }

    /// A fresh stamp for every request, strictly increasing within the run.
    fn next_stamp(&mut self) -> i64 {
        let stamp = clock::now_ms()
            .saturating_add(self.clock_offset_ms)
            .max(self.last_stamp.saturating_add(1));
        self.last_stamp = stamp;
        stamp
    }

    /// Sends one GET and reads the whole body through the size limit.
    fn send(&mut self, path: &str, signed: bool, attempt: &str) -> Result<Reply, Failure> {
        let url = format!("{}{path}", self.settings.base_url);
        let mut request = self
            .agent
            .get(&url)
            .header("Content-Type", "application/json");
        if signed {
            let creds = &self.settings.credentials;
            let signed = creds.sign(self.next_stamp());
            self.log.verbose(|| {
                format!(
                    "> GET {url} ({attempt})\n  X-PCK: {}\n  X-Stamp: {}\n  X-Signature: [redacted]",
                    creds.key_hint(),
                    signed.stamp
                )
            });
            request = request
                .header("X-PCK", creds.key())
                .header("X-Stamp", signed.stamp.to_string())
                .header("X-Signature", signed.signature);
        } else {
            self.log.verbose(|| format!("> GET {url} ({attempt})"));
        }

        let started = Instant::now();
        let response = request
            .call()
            .map_err(|e| transport_failure(e, &url, self.settings))?;
        let reply = read_reply(response, self.settings)
            .map_err(|e| body_failure(e, &url, self.settings))?;
        self.log.verbose(|| {
            let r = &reply.response;
            format!(
                "< {} {}, {} bytes in {} ms, for GET {url}",
                r.status_text(),
                sanitize(r.content_type.as_deref().unwrap_or("(no content type)")),
                r.body.len(),
                started.elapsed().as_millis()
            )
        });
        Ok(reply)
    }
}

/// The status, the headers the retry loop reads, and the whole body
/// through the size limit.
fn read_reply(
    mut response: ureq::http::Response<ureq::Body>,
    settings: &ApiSettings,
) -> Result<Reply, ureq::Error> {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = response.status().as_u16();
    let content_type = header("content-type");
    let location = header("location");
    let retry_after = header("retry-after").and_then(|v| retry_after(&v));
    let mut body = Vec::new();
    if (200..300).contains(&status) {
        let limit = settings.max_response_bytes;
        // Room for the whole body up front when its length is announced;
        // the limit still holds, as the reader enforces it.
        let announced = response.body().content_length().unwrap_or(0).min(limit);
        body.reserve(announced as usize + 1);
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .reader()
            .read_to_end(&mut body)?;
    } else {
        // An error answer says what it has to say in its first bytes; a
        // huge one is still the error its status says.
        response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(ERROR_BODY_BYTES)
            .read_to_end(&mut body)?;
    }
    Ok(Reply {
        response: Response {
            status,
            content_type,
            body,
        },
        location,
        retry_after,
    })
}

/// The wait a `Retry-After` asks for: seconds, or an HTTP date (RFC 9110,
/// `Sun, 06 Nov 1994 08:49:37 GMT`), which proxies and CDNs may send. A
/// date already past asks for no wait; a number of seconds too large to
/// hold asks for the longest wait there is.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = at.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// The API's clock in Unix ms from a server-time answer, or what is wrong
/// with the answer, in words.
fn server_time(response: &Response) -> Result<i64> {
    let fail = |what: String| Error::Response(format!("the server time {what}"));
    let parsed = std::str::from_utf8(&response.body).ok().and_then(|text| {
        serde_json::from_str::<Object<ServerTime>>(text.trim_start_matches(crate::text::BOM)).ok()
    });
    let Some(Object(time)) = parsed else {
        return Err(fail(format!(
            "is not {{\"serverTime\": ms}}: the API answered {}",
            response.describe_body()
        )));
    };
    let raw = time
        .server_time
        .ok_or_else(|| fail("answer has no serverTime".into()))?;
    raw.get()
        .parse::<i64>()
        .ok()
        .filter(|ms| SERVER_TIMES.contains(ms))
        .ok_or_else(|| {
            fail(format!(
                "answer's serverTime {} is not a time in milliseconds since 1970",
                sanitize(&clip(raw.get(), 40))
            ))
        })
}

/// What a status other than 2xx means for the retry loop.
fn check_status(reply: &Reply) -> Result<(), Failure> {
    let response = &reply.response;
    let status = response.status;
    Err(match status {
        200..=299 => return Ok(()),
        300..=399 => Failure::Fatal(Error::Redirect {
            status,
            location: sanitize(reply.location.as_deref().unwrap_or("(no Location)")),
        }),
        401 => Failure::Unauthorized {
            detail: auth_detail(response),
        },
        403 => Failure::Fatal(Error::Auth {
            status,
            detail: auth_detail(response),
            clock: ClockNote::Unknown(None),
            over_ipv6: None,
        }),
        429 => Failure::Retry {
            error: Error::RateLimited {
                detail: response.describe(),
                retry_after: None,
            },
            retry_after: reply.retry_after,
        },
        500..=599 => Failure::Retry {
            error: Error::ServerFault {
                status: response.status_text(),
                detail: response.describe(),
            },
            retry_after: reply.retry_after,
        },
        _ => Failure::Fatal(Error::Response(format!(
            "status {}: {}",
            response.status_text(),
            response.describe()
        ))),
    })
}

/// ": message" of a refusal whose body carries one.
fn auth_detail(response: &Response) -> String {
    response
        .message()
        .map(|m| format!(": {m}"))
        .unwrap_or_default()
}

fn with_retry_after(error: Error, wait: Option<Duration>) -> Error {
    match error {
        Error::RateLimited { detail, .. } => Error::RateLimited {
            detail,
            retry_after: wait,
        },
        other => other,
    }
}

/// Exponential backoff with "equal jitter": half fixed, half random.
fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_BASE.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let half = full / 2;
    let spread = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(random_u64() % spread.saturating_add(1))
}

/// A random number from the standard library's per-process random hash
/// keys; enough to spread retries, no crate needed.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// The addresses a connection to the API uses.
pub struct Route {
    pub local: SocketAddr,
    pub peer: SocketAddr,
}

impl Route {
    pub fn describe(&self) -> String {
        let family = if self.peer.is_ipv6() { "IPv6" } else { "IPv4" };
        format!(", over {family} from {} to {}", self.local.ip(), self.peer)
    }
}

/// Connects to the API's host as a request would (the first address of
/// the family allowed, in the resolver's order) to see which family and
/// local address it uses. ureq does not say; `None` when it cannot be
/// found out, which the checks after it then report in their own words.
pub fn route(settings: &ApiSettings) -> Option<Route> {
    // Through a proxy, the connection is the proxy's business.
    if settings.base_url.starts_with("https://") && ureq::Proxy::try_from_env().is_some() {
        return None;
    }
    let uri: ureq::http::Uri = settings.base_url.parse().ok()?;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    let peer = (host, port)
        .to_socket_addrs()
        .ok()?
        .find(|a| settings.ip_version.allows(a))?;
    let stream = TcpStream::connect_timeout(&peer, settings.timeout).ok()?;
    Some(Route {
        local: stream.local_addr().ok()?,
        peer,
    })
}

/// The host of `url` could not be resolved (to an address of the family
/// allowed).
fn unresolved(url: &str, ip_version: IpVersion) -> Error {
    let host = url
        .parse::<ureq::http::Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned());
    // An address, not a name: nothing was looked up, it is of the other
    // family.
    if let Ok(addr) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        && ip_version != IpVersion::Any
    {
        return Error::OtherFamily {
            addr: addr.to_string(),
            family: if addr.is_ipv4() { "IPv4" } else { "IPv6" },
            ip_version: ip_version.name(),
        };
    }
    Error::Unresolved {
        host,
        ip_version: Some(ip_version)
            .filter(|v| *v != IpVersion::Any)
            .map(IpVersion::name),
    }
}

/// A failure before any response arrived.
fn transport_failure(e: ureq::Error, url: &str, settings: &ApiSettings) -> Failure {
    let timeout = settings.timeout;
    use std::io::ErrorKind as K;
    let unreachable = |cause: String| Error::Unreachable {
        url: url.to_owned(),
        cause,
    };
    // A TLS failure is no network failure to retry, and has words of its own.
    if let Some(error) = tls::failure(&e).and_then(|tls| tls::error(url, tls)) {
        return Failure::Fatal(error);
    }
    match e {
        ureq::Error::Timeout(_) => Failure::Retry {
            error: unreachable(format!("no answer within {} s", timeout.as_secs())),
            retry_after: None,
        },
        ureq::Error::ConnectionFailed => Failure::Retry {
            error: unreachable("connection failed".into()),
            retry_after: None,
        },
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::ConnectionReset
                    | K::ConnectionAborted
                    | K::UnexpectedEof
                    | K::BrokenPipe
                    | K::TimedOut
            ) =>
        {
            Failure::Retry {
                error: unreachable(io.to_string()),
                retry_after: None,
            }
        }
        ureq::Error::HostNotFound => Failure::Fatal(unresolved(url, settings.ip_version)),
        // The system resolver's failure, as std reports it.
        ureq::Error::Io(io) if io.to_string().contains("failed to lookup address") => {
            Failure::Fatal(unresolved(url, settings.ip_version))
        }
        ureq::Error::Protocol(p) => {
            Failure::Fatal(Error::Response(format!("not a valid HTTP response: {p}")))
        }
        ureq::Error::LargeResponseHeader(..) => {
            Failure::Fatal(Error::Response("response headers too large".into()))
        }
        other => Failure::Fatal(unreachable(other.to_string())),
    }
}

/// A failure while reading the body of a response that had begun.
fn body_failure(e: ureq::Error, url: &str, settings: &ApiSettings) -> Failure {
    let (limit, timeout) = (settings.max_response_bytes, settings.timeout);
    match e {
        ureq::Error::BodyExceedsLimit(_) => Failure::Fatal(Error::Response(format!(
            "response too large: more than {} MiB",
            limit / (1024 * 1024)
        ))),
        ureq::Error::Timeout(_) => Failure::Retry {
            error: Error::Unreachable {
                url: url.to_owned(),
                cause: format!("the answer did not finish within {} s", timeout.as_secs()),
            },
            retry_after: None,
        },
        other => Failure::Fatal(Error::Response(format!(
            "the response body was cut off: {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after(" 49 "), Some(Duration::from_secs(49)));
        let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(30);
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&soon)
            .expect("printable");
        let wait = retry_after(&date).expect("a date");
        assert!(
            wait > Duration::from_secs(27) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
        assert_eq!(
            retry_after("18446744073709551615"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            retry_after("99999999999999999999999"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(retry_after("-5"), None);
    }

    fn time_of(body: &str) -> Result<i64, String> {
        server_time(&Response {
            status: 200,
            content_type: Some("text/html".into()),
            body: body.as_bytes().to_vec(),
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn server_time_is_a_plausible_time_or_a_malformed_answer() {
        assert_eq!(
            time_of(r#"{"serverTime": 1613292018131, "serverTime2": "x"}"#),
            Ok(1613292018131)
        );
        for (body, words) in [
            (
                "<html>down</html>",
                "the API answered an HTML page of 17 bytes",
            ),
            (
                r#"{"serverTime":"1613292018131"}"#,
                "serverTime \"1613292018131\" is not a time",
            ),
            (
                r#"{"serverTime":-9223372036854775808}"#,
                "is not a time in milliseconds",
            ),
            (r#"{"serverTime":-1}"#, "is not a time"),
            (r#"{"serverTime":1}"#, "is not a time"),
            (r#"{"serverTime":253402300800000}"#, "is not a time"),
            (r#"{"serverTime":1.6e12}"#, "is not a time"),
            (r#"[1613292018131]"#, "is not {\"serverTime\": ms}"),
            (r#"{"time":1}"#, "has no serverTime"),
        ] {
            let err = time_of(body).expect_err(body);
            assert!(err.contains(words), "{body}: {err}");
            assert!(!err.contains("line 1 column"), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_retry_after_is_a_wait_or_none(text in "\\PC{0,40}") {
            let _ = retry_after(&text);
        }

        #[test]
        fn any_server_time_body_is_a_time_or_an_error(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), n in proptest::prelude::any::<i64>()) {
            let _ = server_time(&Response { status: 200, content_type: None, body });
            let _ = time_of(&format!(r#"{{"serverTime":{n}}}"#));
        }
    }

    #[test]
    fn backoff_doubles_with_jitter() {
        for attempt in 1..=4 {
            let full = BACKOFF_BASE * (1 << (attempt - 1));
            let wait = backoff(attempt);
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
    }
}
