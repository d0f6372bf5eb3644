//! What the API answered (status, content type, bytes) and the one reader
//! of its envelope, `{"data": ..., "success": ..., "message": ..., "code": ...}`,
//! with the other error shapes it is known to send. The transport hands
//! answers over as a `Response`; the model reads `data` from it here.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::error::{ClockNote, Error, Result};
use crate::text::{clip, sanitize};

/// A JSON object read as `T`. Anything else is an error: serde's derive
/// would read an array into a struct's fields by position
/// (`["BTC","Bitcoin","1.5"]` as an asset holding 1.5).
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Fields<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(Fields(std::marker::PhantomData))
            .map(Object)
    }
}

/// An answer read in full.
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// The API's envelope, and the other error shapes it is known to send, in
/// one lenient struct: which fields are present tells which shape it is.
/// Only `data` has a type; the others are read as they come.
#[derive(Deserialize)]
struct Envelope<'a, D> {
    data: Option<D>,
    #[serde(borrow)]
    success: Option<&'a RawValue>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
    #[serde(borrow)]
    code: Option<&'a RawValue>,
    #[serde(borrow)]
    details: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
}

const NOT_ENVELOPE: &str = "expected the API's envelope with a `data` list";

#[derive(Deserialize)]
struct ErrorObject<'a> {
    #[serde(borrow)]
    code: Option<&'a RawValue>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
}

impl Response {
    /// The body without a UTF-8 byte order mark, which some proxies add.
    fn json(&self) -> &[u8] {
        crate::text::strip_bom(&self.body)
    }

    /// Whether the body is a JSON object, as every envelope is. (serde
    /// would read an array into the envelope's fields by position.)
    fn is_object(&self) -> bool {
        self.json().trim_ascii_start().starts_with(b"{")
    }

    /// The body as text: JSON is UTF-8 throughout, also in the fields
    /// this tool skips.
    fn text(&self) -> Option<&str> {
        std::str::from_utf8(self.json()).ok()
    }

    fn envelope(&self) -> Option<Envelope<'_, IgnoredAny>> {
        let text = self.text().filter(|_| self.is_object())?;
        serde_json::from_str(text).ok()
    }

    /// The `data` of a success envelope read as `D`, in one pass over the
    /// body; for any other answer, what is wrong with it. `not_d` begins
    /// the message when `data` is not a `D` ("`data` is not a list of
    /// assets").
    pub fn data<'a, D: Deserialize<'a>>(&'a self, not_d: &str) -> Result<D> {
        // Checked as UTF-8 once, so that serde need not check each string.
        if self.is_object()
            && let Some(text) = self.text()
            && let Ok(envelope) = serde_json::from_str::<Envelope<D>>(text)
            && problem(&envelope).is_none()
            && let Some(data) = envelope.data
        {
            return Ok(data);
        }
        // Not the usual answer: read it again step by step to say why.
        let raw = self.raw_data()?;
        serde_json::from_str(raw.get())
            .map_err(|e| Error::Response(format!("{not_d}: {}", shape_problem(raw, &e))))
    }

    /// The text of a success envelope's `data`, or what is wrong.
    fn raw_data(&self) -> Result<&RawValue> {
        let envelope: Envelope<&RawValue> = self.parse_envelope()?;
        if let Some(problem) = problem(&envelope) {
            return Err(Error::Response(problem));
        }
        match envelope.data {
            Some(data) if data.get() != "null" => Ok(data),
            // A success without data that says why, as the API has sent
            // for a refused stamp: {"success": true, "message":
            // "Unauthorized - Invalid Nonce", "code": 1037}.
            _ => Err(match text_of(envelope.message) {
                Some(m) if m.starts_with("Unauthorized") => Error::Auth {
                    status: self.status,
                    detail: format!(": {m}"),
                    clock: ClockNote::Unknown(None),
                    over_ipv6: None,
                },
                Some(m) => Error::Response(format!("the API answered without a `data` list: {m}")),
                None => Error::Response(format!("{NOT_ENVELOPE}, got an answer without one")),
            }),
        }
    }

    fn parse_envelope<'a, D: Deserialize<'a>>(&'a self) -> Result<Envelope<'a, D>> {
        let body = self.json();
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::Response(format!(
                "the API answered {} with an empty body",
                self.status_text()
            )));
        }
        let Some(body) = self.text() else {
            return Err(Error::Response(format!(
                "the API answered {} with a body that is not JSON ({}, {} bytes): it is not UTF-8 text",
                self.status_text(),
                self.content_type(),
                self.body.len()
            )));
        };
        if !self.is_object()
            && let Ok(value) = serde_json::from_str::<&RawValue>(body)
        {
            return Err(Error::Response(format!(
                "{NOT_ENVELOPE}, got {}",
                kind(value)
            )));
        }
        serde_json::from_str::<Envelope<D>>(body).map_err(|e| {
            Error::Response(if e.is_eof() {
                TRUNCATED.into()
            } else if e.classify() == serde_json::error::Category::Data {
                format!("{NOT_ENVELOPE}: {}", without_position(&e))
            } else if self.is_html() {
                format!(
                    "the API answered with an HTML page (status {}, {}), not JSON: a maintenance or error page",
                    self.status_text(),
                    self.content_type()
                )
            } else {
                format!(
                    "the API answered {} with a body that is not JSON ({}, {} bytes)",
                    self.status_text(),
                    self.content_type(),
                    self.body.len()
                )
            })
        })
    }

    /// Whether the body is a web page, as a CDN's error or maintenance
    /// page is.
    fn is_html(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
            || self.json().trim_ascii_start().starts_with(b"<")
    }

    /// The most useful words about an error answer: the other error
    /// shape's code and message, the API's `details` or `message`, or what
    /// the body is.
    pub fn describe(&self) -> String {
        if let Some(envelope) = self.envelope() {
            if envelope.error.is_some()
                && let Some(problem) = problem(&envelope)
            {
                return problem;
            }
            if let Some(text) = text_of(envelope.details).or_else(|| text_of(envelope.message)) {
                return text;
            }
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            "no details given".into()
        } else {
            self.describe_body()
        }
    }

    /// What the body is, in words: "an empty body", "an HTML page of 512
    /// bytes", "a text/plain body of 4 bytes".
    pub fn describe_body(&self) -> String {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            "an empty body".into()
        } else if self.is_html() {
            format!("an HTML page of {} bytes", self.body.len())
        } else {
            let kind = self.content_type();
            let article = crate::text::article(&kind);
            format!("{article} {kind} body of {} bytes", self.body.len())
        }
    }

    /// The `message` of a refusal, if the body carries one (older servers
    /// sent `{"message": "Unauthorized - Invalid Nonce", ...}`).
    pub fn message(&self) -> Option<String> {
        self.envelope().and_then(|e| text_of(e.message))
    }

    /// `200 OK`: the status with its reason phrase.
    pub fn status_text(&self) -> String {
        status_text(self.status)
    }

    fn content_type(&self) -> String {
        self.content_type
            .as_deref()
            .map(sanitize)
            .unwrap_or_else(|| "no content type".into())
    }
}

/// A status with its reason phrase, where it has one.
fn status_text(status: u16) -> String {
    match ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// "a JSON array": what a JSON value is, in words.
fn kind(value: &RawValue) -> &'static str {
    match value.get().as_bytes().first() {
        Some(b'n') => "null",
        Some(b't' | b'f') => "true or false",
        Some(b'"') => "a string",
        Some(b'[') => "a JSON array",
        Some(b'{') => "an object",
        _ => "a number",
    }
}

/// The error an envelope reports, if it reports one: the `{"error": {...}}`
/// shape, or `success: false`.
fn problem<D>(envelope: &Envelope<D>) -> Option<String> {
    if let Some(error) = envelope.error.filter(|e| e.get() != "null") {
        let (code, message) = match serde_json::from_str::<Object<ErrorObject>>(error.get()) {
            Ok(Object(object)) => (text_of(object.code), text_of(object.message)),
            Err(_) => (None, text_of(Some(error))),
        };
        return Some(format!(
            "the API reported an error: {}: {}",
            code.unwrap_or_else(|| "(no code)".into()),
            message.unwrap_or_else(|| "(no message)".into())
        ));
    }
    if envelope.success.map(RawValue::get) == Some("false") {
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

/// A JSON value as display text: strings unquoted, anything else as JSON;
/// sanitized and clipped, since it came from the server.
fn text_of(raw: Option<&RawValue>) -> Option<String> {
    let raw = raw?.get();
    if raw == "null" {
        return None;
    }
    let text = serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_owned());
    Some(sanitize(&clip(text.trim(), 300)))
}

const TRUNCATED: &str = "the answer stops in the middle: the body looks truncated";

/// serde's message without its "at line 1 column 5", which says nothing
/// to a user.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// What is wrong with `data` that is not what was wanted, in words where
/// its shape says it: not a list, or an item that is not an object.
fn shape_problem(raw: &RawValue, e: &serde_json::Error) -> String {
    if e.is_eof() {
        return TRUNCATED.into();
    }
    if !raw.get().starts_with('[') {
        return format!("it is {}", kind(raw));
    }
    match serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
        Ok(items) => match items.iter().position(|v| !v.get().starts_with('{')) {
            Some(i) => format!("item {} is {}", i + 1, kind(items[i])),
            None => without_position(e),
        },
        Err(_) => without_position(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn response(status: u16, body: &[u8]) -> Response {
        Response {
            status,
            content_type: Some("application/json".into()),
            body: body.to_vec(),
        }
    }

    fn data(body: &str) -> Result<String, String> {
        let r = response(200, body.as_bytes());
        r.data::<&RawValue>("`data` is not a value")
            .map(|d| d.get().to_owned())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn reads_data_of_a_success_envelope() {
        assert_eq!(data(r#"{"success":true,"data":[1]}"#).as_deref(), Ok("[1]"));
        assert_eq!(data(r#"{"data":[]}"#).as_deref(), Ok("[]"));
        assert_eq!(
            data("\u{feff}{\"data\":[], \"code\":\"SUCCESS\"}").as_deref(),
            Ok("[]")
        );
    }

    #[test]
    fn names_each_kind_of_bad_answer() {
        let bad = |body: &str, words: &str| {
            let err = data(body).expect_err(body);
            assert!(err.contains(words), "{body}: {err}");
        };
        bad("", "the API answered 200 OK with an empty body");
        bad(
            r#"{"success":false,"message":"Something broke","code":1}"#,
            "failure: Something broke [code 1]",
        );
        bad(
            r#"{"error":{"code":"ApiVersionUnspecified","message":"An API version is required"}}"#,
            "error: ApiVersionUnspecified: An API version is required",
        );
        bad(
            r#"{"success":true,"data":null}"#,
            "expected the API's envelope with a `data` list, got an answer without one",
        );
        bad(
            r#"{"success":true,"message":"x","code":1037}"#,
            "the API answered without a `data` list: x",
        );
        bad(
            r#"{"success":true,"message":"Unauthorized - Invalid Nonce","code":1037}"#,
            "authentication rejected by the API (200: Unauthorized - Invalid Nonce)",
        );
        bad(
            r#"{"error":"Down for a while"}"#,
            "reported an error: (no code): Down for a while",
        );
        bad(r#"{"success":true,"data":[{"#, "truncated");
        bad(
            "<html>",
            "the API answered with an HTML page (status 200 OK, application/json), not JSON",
        );
        bad(
            "Service down",
            "200 OK with a body that is not JSON (application/json, 12 bytes)",
        );
        bad(
            "[1,2]",
            "expected the API's envelope with a `data` list, got a JSON array",
        );
        bad(
            r#"[{"a":1},{"b":2}]"#,
            "with a `data` list, got a JSON array",
        );
        bad("\"ok\"", "with a `data` list, got a string");
        bad("[1,", "truncated");
    }

    #[test]
    fn invalid_utf8_anywhere_is_not_json() {
        let body = b"{\"x\":\"\xff\",\"data\":[1]}";
        let err = response(200, body)
            .data::<&RawValue>("`data` is not a value")
            .map(|d| d.get().to_owned())
            .expect_err("not UTF-8");
        assert!(err.to_string().contains("not UTF-8 text"), "{err}");
        // Not even when it carries a refusal's words.
        let body = b"{\"x\":\"\xff\",\"success\":true,\"message\":\"Unauthorized\"}";
        let err = response(200, body)
            .data::<&RawValue>("`data` is not a value")
            .map(|d| d.get().to_owned())
            .expect_err("not UTF-8");
        assert_eq!(err.code(), crate::error::exit::PROTOCOL, "{err}");
    }

    #[test]
    fn names_data_of_the_wrong_shape() {
        let r = response(200, br#"{"success":true,"data":{"a":1}}"#);
        let err = r
            .data::<Vec<u32>>("`data` is not a list of numbers")
            .expect_err("not a list");
        assert_eq!(
            err.to_string(),
            "unexpected response from the API: `data` is not a list of numbers: it is an object"
        );
        let r = response(200, br#"{"data":[{},2]}"#);
        let err = r
            .data::<Vec<serde_json::Map<String, serde_json::Value>>>(
                "`data` is not a list of objects",
            )
            .expect_err("a number");
        assert!(
            err.to_string()
                .ends_with("`data` is not a list of objects: item 2 is a number"),
            "{err}"
        );
        let r = response(200, br#"{"success":false,"message":"no","data":{"a":1}}"#);
        let err = r
            .data::<Vec<u32>>("`data` is not a list of numbers")
            .expect_err("failure");
        assert!(err.to_string().ends_with("failure: no"), "{err}");
    }

    #[test]
    fn describes_error_bodies() {
        let describe = |body: &str| response(429, body.as_bytes()).describe();
        assert_eq!(
            describe(r#"{"message":"TOO_MANY_REQUESTS","details":"Quota exceeded."}"#),
            "Quota exceeded."
        );
        assert_eq!(
            describe(r#"{"message":"Too \u001b many"}"#),
            "Too \\u{1b} many"
        );
        assert_eq!(describe(""), "no details given");
        assert_eq!(describe("<p>"), "an HTML page of 3 bytes");
        assert_eq!(describe("down"), "an application/json body of 4 bytes");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        assert!(data(&"[".repeat(1_000_000)).is_err());
        assert!(data(&format!("{{\"data\":{}", "[".repeat(1_000_000))).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let r = response(status, &body);
            let _ = r.data::<Vec<IgnoredAny>>("`data` is not a list");
            let _ = r.describe();
            let _ = r.message();
        }
    }
}
