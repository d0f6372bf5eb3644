//! The HTTP client: signs and sends requests, retries what is worth
//! retrying, corrects for a drifting clock, and turns each status and
//! envelope into a typed result or an `Error`.

use std::cell::Cell;
use std::io::Read;
use std::ops::Range;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::balance::{self, Balances, Finish, Prescan, Regions, Stream};
use crate::clock;
use crate::config::ApiSettings;
use crate::error::{ClockNote, Error, Result};
use crate::huge;
use crate::term::{self, Log, sanitize};
use crate::valuation::{self, Prices};

const BALANCES_PATH: &str = "/api/v1/users/balances";
const SERVER_TIME_PATH: &str = "/api/v2/server/time";
const TICKER_PATH: &str = "/api/v2/ticker";

/// The API accepts a stamp within ±5 s of its clock; beyond 2 s a correction
/// is worth one more signed request.
const SKEW_TOLERANCE_MS: i64 = 2_000;

/// First retry waits 250-500 ms, then doubling, always capped by --max-wait.
const BACKOFF_BASE: Duration = Duration::from_millis(500);

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

/// A 2xx balances answer, not yet parsed.
pub struct Body {
    reply: Reply,
}

impl Body {
    /// The assets, borrowing their text from the body: in one pass when the
    /// envelope is the usual success, else through `envelope_data` for a
    /// message that names the problem. Not retried: the API said this.
    ///
    /// The assets come in consecutive parts (see `balance::parse_listing`).
    pub fn balances(&self) -> Result<Vec<Balances<'_>>> {
        let text = std::str::from_utf8(&self.reply.body).ok();
        if let Some(text) = text
            && let Some(prescan) = self.reply.prescan.take()
            && let Some(parts) = prescan.finish(text)
        {
            return Ok(parts);
        }
        let fast = text.and_then(balance::parse_listing);
        match fast {
            Some(result) => result,
            None => balance::parse_balances(envelope_data(&self.reply)?.get()).map(|b| vec![b]),
        }
    }
}

/// A response read in full (through the size limit).
struct Reply {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
    retry_after: Option<Duration>,
    body: Bytes,
    /// The assets, if they were read as the body arrived; taken once.
    prescan: Cell<Option<Prescan>>,
}

/// A body's bytes: in a vector, or for a large balances answer in memory
/// mapped for it (see `read_body`), the range of it that holds them.
enum Bytes {
    Vec(Vec<u8>),
    Map(memmap2::MmapMut, Range<usize>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Vec(v) => v,
            Bytes::Map(map, range) => &map[range.clone()],
        }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes::Vec(v)
    }
}

/// The API's envelope, and the other error shapes it is known to send, in
/// one lenient struct: which fields are present tells which shape it is.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    success: Option<bool>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
    #[serde(borrow)]
    code: Option<&'a RawValue>,
    #[serde(borrow)]
    details: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<ErrorObject<'a>>,
}

#[derive(Deserialize)]
struct ErrorObject<'a> {
    #[serde(borrow)]
    code: Option<&'a RawValue>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerTime {
    server_time: i64,
}

impl<'a> Client<'a> {
    pub fn new(settings: &'a ApiSettings, log: Log) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            // Error statuses carry the API's message and Retry-After.
            .http_status_as_error(false)
            // A redirect would re-send X-PCK and X-Signature to its Location.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("btcturk-bal/", env!("CARGO_PKG_VERSION")))
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

    /// The config profile this client signs for.
    pub fn profile(&self) -> &str {
        &self.settings.profile
    }

    /// `GET /api/v1/users/balances`, signed, with retries: the body of an
    /// answer whose envelope reports success. The caller parses the assets
    /// from it, borrowing instead of copying.
    pub fn balances(&mut self) -> Result<Body> {
        let result = self.with_retries(|client, attempt| {
            let reply = client.send(BALANCES_PATH, true, attempt)?;
            check_status(&reply)?;
            Ok(Body { reply })
        });
        if result.is_ok() && self.clock_corrected {
            self.log.warn(&format!(
                "{}; this run corrected for it, but sync the clock (for example enable NTP)",
                clock::describe_skew(self.clock_offset_ms)
            ));
        }
        result
    }

    /// `GET /api/v2/ticker`: public, unsigned, with retries.
    pub fn prices(&mut self) -> Result<Prices> {
        self.with_retries(|client, attempt| {
            let reply = client.send(TICKER_PATH, false, attempt)?;
            let data = interpret(&reply).map_err(|failure| match failure {
                // No key is involved, so no clock to correct.
                Failure::Unauthorized { detail } => Failure::Fatal(Error::Auth {
                    status: 401,
                    detail,
                    clock: ClockNote::Unknown(None),
                }),
                other => other,
            })?;
            Ok(valuation::parse_ticker(data)?)
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
                    self.log.note(&format!(
                        "{error}; retrying in {:.1} s (attempt {n} of {attempts})",
                        wait.as_secs_f32()
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
        let auth = |clock| Error::Auth {
            status: 401,
            detail: detail.clone(),
            clock,
        };
        if self.clock_corrected {
            return Err(auth(ClockNote::Skewed(self.clock_offset_ms)));
        }
        match self.server_clock_offset() {
            Ok(offset) if offset.abs() > SKEW_TOLERANCE_MS => {
                self.log.verbose(|| {
                    format!(
                        "{}; signing again with the API's time",
                        clock::describe_skew(offset)
                    )
                });
                self.clock_offset_ms = offset;
                self.clock_corrected = true;
                // Stamps stay increasing only within one clock: a clock that
                // was ahead must be allowed to step back.
                self.last_stamp = 0;
                Ok(())
            }
            Ok(offset) => Err(auth(ClockNote::Fine(offset))),
            Err(e) => Err(auth(ClockNote::Unknown(Some(e.to_string())))),
        }
    }

    /// The API's clock minus ours, in ms, from the public server-time call,
    /// measured against the middle of the round trip.
    fn server_clock_offset(&mut self) -> Result<i64> {
        let before = clock::now_ms();
        let reply = self
            .send(SERVER_TIME_PATH, false, "clock check")
            .map_err(|f| match f {
                Failure::Retry { error, .. } | Failure::Fatal(error) => error,
                Failure::Unauthorized { .. } => Error::Response("server time refused".into()),
            })?;
        let after = clock::now_ms();
        if !(200..300).contains(&reply.status) {
            return Err(Error::Response(format!(
                "server time answered {}",
                status_text(reply.status)
            )));
        }
        let time: ServerTime = serde_json::from_slice(&reply.body).map_err(|e| {
            Error::Response(format!("server time is not {{\"serverTime\": ms}}: {e}"))
        })?;
        Ok(time.server_time - (before + after) / 2)
    }

    /// A fresh stamp for every request, strictly increasing within the run.
    fn next_stamp(&mut self) -> i64 {
        let stamp = (clock::now_ms() + self.clock_offset_ms).max(self.last_stamp + 1);
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
        let mut response = request
            .call()
            .map_err(|e| transport_failure(e, &url, self.settings.timeout))?;
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
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let limit = self.settings.max_response_bytes;
        // Room for the whole body up front when its length is announced (a
        // growing buffer would copy a large answer several times over); the
        // limit still holds, as the reader enforces it.
        let announced = response.body().content_length().unwrap_or(0);
        let mut reader = response.body_mut().with_config().limit(limit).reader();
        let assets = path == BALANCES_PATH && (200..300).contains(&status);
        let (body, prescan) = read_body(&mut reader, announced.min(limit), assets)
            .map_err(|e| body_failure(ureq::Error::from(e), &url, limit, self.settings.timeout))?;
        self.log.verbose(|| {
            format!(
                "< {} {}, {} bytes in {} ms",
                status_text(status),
                content_type.as_deref().unwrap_or("(no content type)"),
                body.len(),
                started.elapsed().as_millis()
            )
        });
        Ok(Reply {
            status,
            content_type,
            location,
            retry_after,
            body,
            prescan: Cell::new(prescan),
        })
    }
}

/// Bodies from this size are read in place with their assets read as
/// they arrive; below it that costs more than it saves.
const STREAM_FROM: u64 = 1 << 20;

/// Reads a whole body, `announced` bytes long if known (0 if not). Room
/// for all of it is made up front: a growing buffer would copy a large
/// answer several times over. A large balances answer (`assets`) is read
/// in place while a second thread reads its assets from what is in so far
/// (`balance::Stream`): handed over up to the last `}` of each read, as
/// consecutive regions that are not written again.
fn read_body(
    reader: &mut impl Read,
    announced: u64,
    assets: bool,
) -> std::io::Result<(Bytes, Option<Prescan>)> {
    if !assets || announced < STREAM_FROM {
        let mut body = Vec::with_capacity(announced.saturating_add(1) as usize);
        reader.read_to_end(&mut body)?;
        return Ok((body.into(), None));
    }
    // Its own mapping rather than a vector, so that Linux can back it with
    // 2 MiB pages (see `huge`): a 10 MB answer then costs a handful of page
    // faults rather than 2,500, and reading its assets in sorted order
    // misses the TLB far less.
    let (mut map, start) = huge::mapping(announced as usize)?;
    let mut received = 0;
    let mut rest: &mut [u8] = &mut map[start..start + announced as usize];
    // About 150 bytes an asset in the real answer.
    let assets = announced as usize / 128;
    let regions = Regions::default();
    let prescan = std::thread::scope(|scope| {
        let stream = scope.spawn(|| {
            let mut stream = Stream::new(assets);
            while let Some(region) = regions.next() {
                stream.feed(region);
            }
            stream
        });
        let finish = Finish(&regions);
        // Bytes received at the start of `rest`, not yet handed over.
        let mut filled = 0;
        loop {
            if filled == rest.len() {
                // All that was announced is in: the body must end here.
                if read_some(reader, &mut [0])? > 0 {
                    return Err(std::io::Error::other(
                        "the answer is longer than its Content-Length",
                    ));
                }
                break;
            }
            let n = read_some(reader, &mut rest[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
            received += n;
            if let Some(last) = rest[filled - n..filled].iter().rposition(|&b| b == b'}') {
                let cut = filled - n + last + 1;
                let (done, tail) = std::mem::take(&mut rest).split_at_mut(cut);
                regions.push(done);
                rest = tail;
                filled -= cut;
            }
        }
        regions.push(&rest[..filled]);
        // What the stream has not reached yet is shared: this thread reads
        // the later half.
        let then = regions.finish().map(|(at, shared)| {
            let mut then = Stream::resume(at, assets / 2);
            for region in shared {
                then.feed(region);
            }
            then
        });
        drop(finish);
        // A panic there only loses the head start: the body is read again.
        Ok(stream.join().ok().and_then(|stream| stream.finish(then)))
    })?;
    Ok((Bytes::Map(map, start..start + received), prescan))
}

/// `Read::read`, tried again when interrupted, as `read_to_end` does.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

/// Maps a response to the envelope's `data`, or to the failure its status
/// and body describe.
fn interpret(reply: &Reply) -> Result<&RawValue, Failure> {
    check_status(reply)?;
    Ok(envelope_data(reply)?)
}

/// What a status other than 2xx means for the retry loop.
fn check_status(reply: &Reply) -> Result<(), Failure> {
    let status = reply.status;
    Err(match status {
        200..=299 => return Ok(()),
        300..=399 => Failure::Fatal(Error::Redirect {
            status,
            location: sanitize(reply.location.as_deref().unwrap_or("(no Location)")),
        }),
        401 => Failure::Unauthorized {
            detail: auth_detail(reply),
        },
        403 => Failure::Fatal(Error::Auth {
            status,
            detail: auth_detail(reply),
            clock: ClockNote::Unknown(None),
        }),
        429 => Failure::Retry {
            error: Error::RateLimited {
                detail: describe(reply),
                retry_after: None,
            },
            retry_after: reply.retry_after,
        },
        500..=599 => Failure::Retry {
            error: Error::ServerFault {
                status: status_text(status),
                detail: describe(reply),
            },
            retry_after: reply.retry_after,
        },
        _ => Failure::Fatal(Error::Response(format!(
            "status {}: {}",
            status_text(status),
            describe(reply)
        ))),
    })
}

/// The `data` of a 2xx answer's envelope, or what is wrong with it.
fn envelope_data(reply: &Reply) -> Result<&RawValue, Error> {
    let envelope = parse_envelope(reply)?;
    if let Some(problem) = envelope_problem(&envelope) {
        return Err(Error::Response(problem));
    }
    match envelope.data {
        Some(data) if data.get() != "null" => Ok(data),
        _ => Err(Error::Response("the answer has no `data` list".into())),
    }
}

fn parse_envelope(reply: &Reply) -> Result<Envelope<'_>, Error> {
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Response(format!(
            "status {} with an empty body",
            status_text(reply.status)
        )));
    }
    serde_json::from_slice::<Envelope>(&reply.body).map_err(|e| {
        if e.is_eof() {
            Error::Response(balance::json_problem(&e))
        } else if e.classify() == serde_json::error::Category::Data {
            Error::Response(format!("the answer is not the documented envelope: {e}"))
        } else {
            Error::Response(format!(
                "status {} with a body that is not JSON ({}, {} bytes; {e})",
                status_text(reply.status),
                content_type(reply),
                reply.body.len()
            ))
        }
    })
}

/// The error an envelope reports, if it reports one: the `{"error": {...}}`
/// shape, or `success: false`.
fn envelope_problem(envelope: &Envelope) -> Option<String> {
    if let Some(error) = &envelope.error {
        return Some(format!(
            "the API reported an error: {}: {}",
            text_of(error.code).unwrap_or_else(|| "(no code)".into()),
            text_of(error.message).unwrap_or_else(|| "(no message)".into())
        ));
    }
    if envelope.success == Some(false) {
        let mut text = format!(
            "the API reported failure: {}",
            text_of(envelope.message).unwrap_or_else(|| "(no message)".into())
        );
        if let Some(details) = text_of(envelope.details) {
            text += &format!(" ({details})");
        }
        if let Some(code) = text_of(envelope.code) {
            text += &format!(" [code {code}]");
        }
        return Some(text);
    }
    None
}

/// The most useful words about an error response: the other error shape's
/// code and message, the API's `details` or `message`, or what the body is.
fn describe(reply: &Reply) -> String {
    if let Ok(envelope) = serde_json::from_slice::<Envelope>(&reply.body) {
        if envelope.error.is_some()
            && let Some(problem) = envelope_problem(&envelope)
        {
            return problem;
        }
        if let Some(text) = text_of(envelope.details).or_else(|| text_of(envelope.message)) {
            return text;
        }
    }
    if reply.body.is_empty() {
        "empty body".into()
    } else {
        format!(
            "a {} body of {} bytes",
            content_type(reply),
            reply.body.len()
        )
    }
}

/// The message of a 401/403, if the body carries one (older servers sent
/// `{"message": "Unauthorized - Invalid Nonce", ...}`).
fn auth_detail(reply: &Reply) -> String {
    serde_json::from_slice::<Envelope>(&reply.body)
        .ok()
        .and_then(|e| text_of(e.message))
        .map(|m| format!(": {m}"))
        .unwrap_or_default()
}

/// A JSON value as display text: strings unquoted, anything else as JSON;
/// sanitized and clipped, since it came from the server.
fn text_of(raw: Option<&RawValue>) -> Option<String> {
    let raw = raw?.get();
    if raw == "null" {
        return None;
    }
    let text = serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_owned());
    Some(sanitize(&term::clip(text.trim(), 300)))
}

fn content_type(reply: &Reply) -> String {
    reply
        .content_type
        .as_deref()
        .map(sanitize)
        .unwrap_or_else(|| "no content type".into())
}

fn status_text(status: u16) -> String {
    match ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
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

/// A failure before any response arrived.
fn transport_failure(e: ureq::Error, url: &str, timeout: Duration) -> Failure {
    use std::io::ErrorKind as K;
    let unreachable = |cause: String| Error::Unreachable {
        url: url.to_owned(),
        cause,
    };
    // rustls reports a rejected certificate through the I/O error of the
    // handshake; only its source tells it from a network failure.
    if let ureq::Error::Io(io) = &e
        && let Some(problem) = rejected_certificate(io)
    {
        return Failure::Fatal(certificate_error(url, problem));
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
        ureq::Error::HostNotFound => Failure::Fatal(unreachable("host not found".into())),
        ureq::Error::Rustls(rustls::Error::InvalidCertificate(problem)) => {
            Failure::Fatal(certificate_error(url, &problem))
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

/// The certificate problem inside a handshake's I/O error, if that is what
/// it is.
fn rejected_certificate(io: &std::io::Error) -> Option<&rustls::CertificateError> {
    match io.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(problem) => Some(problem),
        _ => None,
    }
}

fn certificate_error(url: &str, problem: &rustls::CertificateError) -> Error {
    use rustls::CertificateError as C;
    let cause = match problem {
        C::UnknownIssuer => {
            "issued by an authority the trust store does not know (self-signed?)".into()
        }
        C::Expired | C::ExpiredContext { .. } => "expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "not valid yet (check the clock)".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "not valid for this host name".into()
        }
        C::Revoked => "revoked".into(),
        C::BadSignature => "bad signature".into(),
        other => format!("{other:?}"),
    };
    Error::Certificate {
        url: url.to_owned(),
        cause,
    }
}

/// A failure while reading the body of a response that had begun.
fn body_failure(e: ureq::Error, url: &str, limit: u64, timeout: Duration) -> Failure {
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
    fn backoff_doubles_with_jitter() {
        for attempt in 1..=4 {
            let full = BACKOFF_BASE * (1 << (attempt - 1));
            let wait = backoff(attempt);
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
    }

    fn reply(status: u16, body: &[u8]) -> Reply {
        Reply {
            status,
            content_type: None,
            location: None,
            retry_after: None,
            body: body.to_vec().into(),
            prescan: Cell::new(None),
        }
    }

    /// The full parse of a 200 answer, as `Client::balances` and its
    /// caller do it; the assets' codes and balances.
    fn parse(body: &[u8]) -> Result<Vec<(String, String)>, String> {
        let r = reply(200, body);
        let data = interpret(&r).map_err(|_| "failure".to_string())?;
        let parsed = balance::parse_balances(data.get()).map_err(|e| e.to_string())?;
        Ok(parsed
            .iter()
            .map(|b| (b.asset.to_string(), b.balance.to_string()))
            .collect())
    }

    /// A body that arrives in reads of the given sizes, in turn (0: the
    /// read is interrupted; `usize::MAX`: the connection is reset).
    struct Trickle<'a> {
        body: &'a [u8],
        sizes: std::iter::Cycle<std::slice::Iter<'a, usize>>,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let size = *self.sizes.next().unwrap_or(&1);
            if size == 0 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            if size == usize::MAX {
                return Err(std::io::ErrorKind::ConnectionReset.into());
            }
            let n = size.min(buf.len()).min(self.body.len());
            buf[..n].copy_from_slice(&self.body[..n]);
            self.body = &self.body[n..];
            Ok(n)
        }
    }

    fn read_in(
        body: &[u8],
        sizes: &[usize],
        announced: usize,
    ) -> std::io::Result<(Vec<u8>, Option<Prescan>)> {
        let mut reader = Trickle {
            body,
            sizes: sizes.iter().cycle(),
        };
        read_body(&mut reader, announced as u64, true)
            .map(|(body, prescan)| (body.to_vec(), prescan))
    }

    /// The assets of a body as `Body::balances` gives them, shown.
    fn assets_of(body: Vec<u8>, prescan: Option<Prescan>) -> String {
        let reply = Reply {
            prescan: Cell::new(prescan),
            ..reply(200, &body)
        };
        let body = Body { reply };
        let lists = body.balances().expect("assets");
        let all: Vec<_> = lists.iter().flat_map(Balances::iter).collect();
        format!("{all:?}")
    }

    #[test]
    fn a_large_answer_is_read_whole_with_its_assets() {
        let asset = |i| {
            format!(
                r#"{{"asset":"A{i}","assetname":"Asset {i}","balance":"{i}.5","locked":"0","free":"{i}.5","orderFund":"0","requestFund":"0","precision":8}}"#
            )
        };
        let assets: Vec<String> = (0..12_000).map(asset).collect();
        let body = format!(r#"{{"data":[{}],"success":true}}"#, assets.join(","));
        assert!(body.len() as u64 >= STREAM_FROM);
        let whole = assets_of(body.as_bytes().to_vec(), None);
        for sizes in [
            &[65_536][..],
            &[1, 7, 0, 150, 4096, 131_072],
            &[body.len(), 0],
        ] {
            let (read, prescan) = read_in(body.as_bytes(), sizes, body.len()).expect("read");
            assert_eq!(read, body.as_bytes());
            assert!(prescan.is_some(), "{sizes:?}");
            assert_eq!(assets_of(read, prescan), whole);
        }
        // Shorter than announced: what came, as a plain read would give
        // it, and an error once read, though its assets came whole.
        let short = &body.as_bytes()[..body.len() - 10];
        let (read, prescan) = read_in(short, &[4096], body.len()).expect("read");
        assert!(read == short);
        let reply = Reply {
            prescan: Cell::new(prescan),
            ..reply(200, &read)
        };
        assert!(Body { reply }.balances().is_err());
        // A connection lost midway: the error, and the thread reading
        // assets is not left waiting for the rest.
        let lost = read_in(body.as_bytes(), &[100_000, 100_000, usize::MAX], body.len());
        assert_eq!(
            lost.map(|_| ()).map_err(|e| e.kind()),
            Err(std::io::ErrorKind::ConnectionReset)
        );
        // Longer than announced: an error, not a quiet cut.
        assert!(read_in(body.as_bytes(), &[4096], body.len() - 10).is_err());
    }

    #[test]
    fn a_large_answer_that_is_not_utf8_is_refused_as_when_read_whole() {
        let asset = |i| {
            format!(
                r#"{{"asset":"A{i}","assetname":"Asset {i}","balance":"1","locked":"0","free":"1","orderFund":"0","requestFund":"0","precision":8}}"#
            )
        };
        let assets: Vec<String> = (0..12_000).map(asset).collect();
        let text = format!(r#"{{"data":[{}],"success":true}}"#, assets.join(","));
        // A byte that is not UTF-8 in a name far into the body, which the
        // thread reading assets as they arrive reads as bytes.
        let mut body = text.into_bytes();
        let at = body.len() * 3 / 4;
        let name = at
            + body[at..]
                .windows(6)
                .position(|w| w == b"Asset ")
                .expect("a name");
        body[name] = 0xff;
        let whole = Body {
            reply: reply(200, &body),
        };
        let whole = whole.balances().map(|_| ()).map_err(|e| e.to_string());
        assert!(whole.is_err());
        let (read, prescan) = read_in(&body, &[65_536], body.len()).expect("read");
        assert!(prescan.is_some(), "the stream reads bytes");
        let reply = Reply {
            prescan: Cell::new(prescan),
            ..reply(200, &read)
        };
        let streamed = Body { reply }
            .balances()
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(streamed, whole);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let body = "[".repeat(1_000_000);
        assert!(parse(body.as_bytes()).is_err());
        let body = format!("{{\"data\":{}", "[".repeat(1_000_000));
        assert!(parse(body.as_bytes()).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// JSON values of the kinds an answer could hold, nested a little.
        fn json_value() -> impl Strategy<Value = serde_json::Value> {
            use serde_json::Value;
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                "[0-9.,eE+-]{0,12}".prop_map(Value::from),
                "\\PC{0,12}".prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 32, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6)
                        .prop_map(serde_json::Value::Array),
                    proptest::collection::btree_map(
                        prop_oneof![
                            Just("data".to_string()),
                            Just("success".to_string()),
                            Just("message".to_string()),
                            Just("code".to_string()),
                            Just("error".to_string()),
                            Just("asset".to_string()),
                            Just("balance".to_string()),
                            Just("free".to_string()),
                            Just("locked".to_string()),
                            Just("precision".to_string()),
                            "[a-z]{1,6}",
                        ],
                        inner,
                        0..8,
                    )
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
                let r = reply(status, &body);
                let _ = interpret(&r).map(|d| balance::parse_balances(d.get()).is_ok());
                let _ = describe(&r);
            }

            #[test]
            fn arbitrary_json_never_panics(value in json_value(), status in prop_oneof![Just(200u16), Just(400), Just(429), Just(503)]) {
                let body = serde_json::to_vec(&value).expect("serializes");
                let r = reply(status, &body);
                let _ = interpret(&r).map(|d| balance::parse_balances(d.get()).is_ok());
                let _ = describe(&r);
            }

            #[test]
            fn well_formed_assets_parse(
                assets in proptest::collection::vec(("[A-Z]{2,5}", "(0|[1-9][0-9]{0,12})\\.[0-9]{1,16}"), 0..20)
            ) {
                let data: Vec<_> = assets.iter().map(|(code, amount)| serde_json::json!({
                    "asset": code, "balance": amount, "free": amount, "locked": "0", "precision": 8
                })).collect();
                let body = serde_json::to_vec(&serde_json::json!({"success": true, "data": data})).expect("json");
                let parsed = parse(&body).expect("parses");
                prop_assert_eq!(parsed.len(), assets.len());
                for ((asset, balance), (code, amount)) in parsed.iter().zip(&assets) {
                    prop_assert_eq!(asset, code);
                    prop_assert_eq!(balance, amount);
                }
            }
        }
    }
}
