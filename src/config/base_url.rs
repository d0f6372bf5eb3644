//! The base URL's rules: `https://HOST[:PORT]` and nothing more (the tool
//! adds the API's paths itself), plain `http://` only for a loopback host.
//! What is wrong is said in words, never by quoting the value: a secret
//! pasted under `base_url` must not reach the screen.

use std::net::IpAddr;

/// What is wrong with a base URL, and the fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub problem: &'static str,
    pub fix: &'static str,
}

const HOST_ONLY: &str = "give the scheme and host only, such as https://api.btcturk.com; the tool adds the API's paths itself";

const fn problem(problem: &'static str, fix: &'static str) -> Problem {
    Problem { problem, fix }
}

/// The base URL as requests use it (`https://HOST[:PORT]`, the scheme in
/// lower case), or what is wrong with it.
pub fn parse(text: &str) -> Result<String, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(problem(
            "it is empty",
            "give https://HOST, or leave the setting out for https://api.btcturk.com",
        ));
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(problem(
            "it has no scheme",
            "begin it with https://, as in https://api.btcturk.com",
        ));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(end);
    if authority.contains('@') {
        return Err(problem(
            "it has user info (a name or password before @)",
            "take NAME:PASSWORD@ out of the base URL: the API takes no login there, and the URL is shown in messages",
        ));
    }
    if after.contains('#') {
        return Err(problem("it has a fragment (#...)", HOST_ONLY));
    }
    if after.contains('?') {
        return Err(problem("it has a query (?...)", HOST_ONLY));
    }
    if !after.trim_end_matches('/').is_empty() {
        return Err(problem("it has a path after the host", HOST_ONLY));
    }
    if authority.is_empty() {
        return Err(problem("it has no host", HOST_ONLY));
    }
    let scheme = scheme.to_ascii_lowercase();
    let url = format!("{scheme}://{authority}");
    let bad_host = || {
        problem(
            "its host or port is not valid",
            "give a host name or address, and a port of digits if any",
        )
    };
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad_host())?;
    let host = uri.host().unwrap_or_default();
    let port = authority
        .get(host.len()..)
        .map(|rest| rest.strip_prefix(':').unwrap_or(rest));
    match port {
        Some("") => {}
        Some(port)
            if port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok_and(|p| p > 0) => {}
        _ => return Err(bad_host()),
    }
    match scheme.as_str() {
        "https" => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        "http" => Err(problem(
            "plain http is refused for hosts other than loopback",
            "use https://HOST; plain http:// is only allowed for 127.0.0.1, ::1 and localhost",
        )),
        _ => Err(problem(
            "its scheme is not https",
            "use https://HOST; plain http:// is only allowed for 127.0.0.1, ::1 and localhost",
        )),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// At most the first four characters of a value, to show which value is
/// meant without showing it.
pub fn preview(text: &str) -> String {
    format!("\"{}\"", crate::text::preview(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_alone_is_taken() {
        for (given, used) in [
            ("https://api.btcturk.com/", "https://api.btcturk.com"),
            ("HTTPS://api.btcturk.com", "https://api.btcturk.com"),
            (
                " https://api.btcturk.com:8443 ",
                "https://api.btcturk.com:8443",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.9.0.1", "http://127.9.0.1"),
            ("http://[::1]:9/", "http://[::1]:9"),
            ("http://localhost:1", "http://localhost:1"),
        ] {
            assert_eq!(parse(given).as_deref(), Ok(used), "{given}");
        }
    }

    #[test]
    fn each_refusal_names_the_part() {
        let why = |u: &str| parse(u).map_err(|p| p.problem).expect_err(u);
        assert_eq!(why("sk_live_0123456789abcdef"), "it has no scheme");
        assert_eq!(why(" "), "it is empty");
        assert_eq!(
            why("https://user:password@api.btcturk.com"),
            "it has user info (a name or password before @)"
        );
        assert_eq!(
            why("https://api.btcturk.com/api/v1"),
            "it has a path after the host"
        );
        assert_eq!(why("https://api.btcturk.com/?x=1"), "it has a query (?...)");
        assert_eq!(
            why("https://api.btcturk.com#frag"),
            "it has a fragment (#...)"
        );
        assert_eq!(why("https://"), "it has no host");
        assert_eq!(why("https://exa mple.com"), "its host or port is not valid");
        assert_eq!(why("https://host:port"), "its host or port is not valid");
        for http in [
            "http://api.btcturk.com",
            "http://10.0.0.1",
            "http://127.0.0.1.example.com",
        ] {
            assert_eq!(
                why(http),
                "plain http is refused for hosts other than loopback"
            );
        }
        assert_eq!(why("ftp://127.0.0.1"), "its scheme is not https");
    }

    #[test]
    fn a_preview_shows_four_characters() {
        assert_eq!(preview("sk_live_secret"), "\"sk_l…\"");
        assert_eq!(preview("é\u{1b}[2J"), "\"é\\u{1b}[2…\"");
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_url_or_a_problem(text in "\\PC{0,60}") {
            if let Ok(url) = parse(&text) {
                proptest::prop_assert!(url.starts_with("http"));
            }
            let _ = preview(&text);
        }
    }
}
