//! Wall-clock helpers: the request stamp, RFC 3339 times and skew wording.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch by the local clock.
pub fn now_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The current time as RFC 3339 UTC with whole seconds (`2026-11-24T03:34:30Z`),
/// the form jq's `fromdateiso8601` reads.
pub fn rfc3339_now() -> String {
    rfc3339_after(Duration::ZERO).unwrap_or_else(|| "(unknown time)".into())
}

/// The time a report is stamped with (`fetched_at`): now. In debug builds
/// `BTCTURK_BAL_TEST_FETCHED_AT` sets it, so that a test writes dumps an
/// hour apart without waiting an hour.
pub fn fetched_at() -> String {
    #[cfg(debug_assertions)]
    if let Ok(at) = std::env::var("BTCTURK_BAL_TEST_FETCHED_AT") {
        return at;
    }
    rfc3339_now()
}

/// RFC 3339 UTC time `wait` from now, to whole seconds; `None` past the
/// last time there is (a server may ask for any wait).
pub fn rfc3339_after(wait: Duration) -> Option<String> {
    let at = SystemTime::now().checked_add(wait)?;
    jiff::Timestamp::try_from(at)
        .ok()
        .map(|ts| format!("{ts:.0}"))
}

/// The API accepts a stamp within ±5 s of its clock; past 2 s the clock is
/// worth fixing (doctor says so) and a refused request worth signing again
/// with the API's time.
pub const SKEW_TOLERANCE_MS: i64 = 2_000;

/// A span of ms as seconds with tenths, truncated, sign dropped: `20.1`.
pub fn seconds(ms: i64) -> String {
    let abs = ms.unsigned_abs();
    format!("{}.{}", abs / 1000, abs % 1000 / 100)
}

/// "your clock is 20.1 s behind the API's" for a skew in ms (positive: behind).
pub fn describe_skew(skew_ms: i64) -> String {
    let direction = if skew_ms >= 0 { "behind" } else { "ahead of" };
    format!("your clock is {} s {direction} the API's", seconds(skew_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_wording_names_direction_and_tenths() {
        assert_eq!(
            describe_skew(20_140),
            "your clock is 20.1 s behind the API's"
        );
        assert_eq!(
            describe_skew(-3_050),
            "your clock is 3.0 s ahead of the API's"
        );
    }

    #[test]
    fn no_wait_is_too_long_to_word() {
        assert_eq!(rfc3339_after(Duration::MAX), None);
        assert_eq!(rfc3339_after(Duration::from_secs(u64::MAX)), None);
        assert!(rfc3339_after(Duration::from_secs(49)).is_some());
    }

    #[test]
    fn rfc3339_is_utc_whole_seconds() {
        let s = rfc3339_now();
        assert_eq!(s.len(), "2026-11-24T03:34:30Z".len(), "{s}");
        assert!(s.ends_with('Z'), "{s}");
    }
}
