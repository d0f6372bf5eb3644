//! Times and spans: `--since`, `--until` and `--at` as the user writes
//! them, and the moment each stands for once the last snapshot is known;
//! the periods of `--every`, in a time zone.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// A period of `--every`, as the local calendar counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Period {
    Day,
    /// Monday to Sunday (ISO 8601 weeks).
    Week,
    Month,
    Year,
}

impl Period {
    /// Which period `at` falls in, in `tz`: the same number for every
    /// moment of one period, a larger one for a later period.
    pub(super) fn of(self, at: Timestamp, tz: &TimeZone) -> i64 {
        let date = tz.to_datetime(at).date();
        let (year, month) = (i64::from(date.year()), i64::from(date.month()));
        match self {
            Period::Day => year * 1000 + i64::from(date.day_of_year()),
            Period::Week => {
                let week = date.iso_week_date();
                i64::from(week.year()) * 100 + i64::from(week.week())
            }
            Period::Month => year * 12 + month,
            Period::Year => year,
        }
    }

    /// The period `at` falls in, as people write it: `2026-06-30` for a
    /// day, `2026-W27` for an ISO week, `2026-06` for a month, `2026`.
    pub(super) fn label(self, at: Timestamp, tz: &TimeZone) -> String {
        let date = tz.to_datetime(at).date();
        match self {
            Period::Day => date.to_string(),
            Period::Week => {
                let week = date.iso_week_date();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
            Period::Month => format!("{:04}-{:02}", date.year(), date.month()),
            Period::Year => format!("{:04}", date.year()),
        }
    }

    /// The first moment after the period `at` falls in (the next one's
    /// start, in `tz`); `None` past the last day there is.
    pub(super) fn end(self, at: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let date = tz.to_datetime(at).date();
        let next = match self {
            Period::Day => date.tomorrow().ok()?,
            Period::Week => {
                let monday = date
                    .checked_sub(
                        jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset())),
                    )
                    .ok()?;
                monday.checked_add(jiff::Span::new().days(7)).ok()?
            }
            Period::Month => date
                .first_of_month()
                .checked_add(jiff::Span::new().months(1))
                .ok()?,
            Period::Year => date
                .first_of_year()
                .checked_add(jiff::Span::new().years(1))
                .ok()?,
        };
        tz.to_timestamp(next.to_datetime(jiff::civil::Time::midnight()))
            .ok()
    }
}

/// A time limit: a moment, a local time or day (in the zone periods are
/// counted in), or a span back from the last snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// A time with its offset (`2026-06-30T03:00:00Z`, `...+03:00`).
    At(Timestamp),
    /// A time without one (`2026-06-30T03:00`): a local time.
    Local(jiff::civil::DateTime),
    /// A date: its first moment, or with `end_of_day` its last, locally.
    Day(jiff::civil::Date, bool),
    Back(SignedDuration),
}

/// The longest span back accepted: a century holds any account's story,
/// and keeps every time it reaches within what a timestamp can hold.
const MAX_SPAN_DAYS: i64 = 36_525;

impl When {
    /// `2026-11-24T03:00:00Z`, `2026-11-24` (`end_of_day` for an inclusive
    /// upper bound), or `7d`, `24h`, `30m`, `2w` back from the last snapshot.
    pub fn parse(text: &str, end_of_day: bool) -> std::result::Result<When, String> {
        let text = text.trim();
        // Quoted in messages, which need not repeat a huge value whole.
        let shown = crate::text::clip(text, 40);
        let beyond = || format!("{shown:?} is beyond the times btcturk-bal can handle");
        if let Ok(at) = text.parse::<Timestamp>() {
            return Ok(When::At(at));
        }
        // A day whose moments every zone can tell: two days either side
        // are still times there are.
        let within = |date: jiff::civil::Date| {
            let two = jiff::Span::new().days(2);
            [date.checked_sub(two), date.checked_add(two)]
                .into_iter()
                .all(|d| {
                    d.ok().is_some_and(|d| {
                        TimeZone::UTC
                            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                            .is_ok()
                    })
                })
        };
        // (jiff reads a date out of a date and time too: a time first.)
        let has_time = text.contains(['T', 't', ' ']);
        if let Some(date) = text.parse::<jiff::civil::Date>().ok().filter(|_| !has_time) {
            return within(date)
                .then_some(When::Day(date, end_of_day))
                .ok_or_else(beyond);
        }
        if let Ok(local) = text.parse::<jiff::civil::DateTime>() {
            return within(local.date())
                .then_some(When::Local(local))
                .ok_or_else(beyond);
        }
        // Written as a date (2026-...) but none the calendar has: no 13th
        // month, no February 29 in 2025, no hour 24.
        let date_shaped = text.len() >= 5
            && text.as_bytes()[..4].iter().all(u8::is_ascii_digit)
            && text.as_bytes()[4] == b'-';
        if date_shaped {
            return Err(format!(
                "{shown:?} is not a date or time there is (2026-11-24, 2026-11-24T03:00:00Z)"
            ));
        }
        let not_a_time = || {
            format!(
                "{shown:?} is not a time (2026-11-24T03:00:00Z), a date (2026-11-24) or a span (7d, 24h)"
            )
        };
        // The unit is the last character, whatever it is.
        let (at, unit) = text.char_indices().next_back().ok_or_else(not_a_time)?;
        let seconds: i64 = match unit {
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ if text.bytes().any(|b| b.is_ascii_digit()) => {
                return Err(format!(
                    "{shown:?}: a span is a number and m, h, d or w (7d, 24h)"
                ));
            }
            _ => return Err(not_a_time()),
        };
        let digits = &text[..at];
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.is_empty() {
            return Err(if digits.starts_with('-') {
                format!(
                    "{shown:?}: a span counts back from the last snapshot, so it cannot be negative"
                )
            } else {
                not_a_time()
            });
        }
        let longest =
            || format!("{shown:?}: a span reaches back at most {MAX_SPAN_DAYS}d (a hundred years)");
        let n: i64 = digits.parse().map_err(|_| longest())?;
        match n.checked_mul(seconds) {
            Some(secs) if secs <= MAX_SPAN_DAYS * 86_400 => {
                Ok(When::Back(SignedDuration::from_secs(secs)))
            }
            _ => Err(longest()),
        }
    }

    /// Whether the time zone is needed to tell the moment.
    pub fn is_local(self) -> bool {
        matches!(self, When::Local(_) | When::Day(..))
    }

    /// The moment this limit stands for, given the last snapshot's time
    /// and the local zone. A span reaching past the earliest time there is
    /// reaches that time; a local moment past the ends of time, that end.
    pub(super) fn resolve(self, last: Timestamp, tz: &TimeZone) -> Timestamp {
        let local = |at: jiff::civil::DateTime| {
            tz.to_timestamp(at).unwrap_or(if at.year() < 0 {
                Timestamp::MIN
            } else {
                Timestamp::MAX
            })
        };
        let midnight =
            |day: jiff::civil::Date| local(day.to_datetime(jiff::civil::Time::midnight()));
        match self {
            When::At(at) => at,
            When::Local(at) => local(at),
            When::Day(day, false) => midnight(day),
            // The last moment before the next day begins.
            When::Day(day, true) => day
                .tomorrow()
                .map(midnight)
                .ok()
                .and_then(|next| next.checked_sub(SignedDuration::from_nanos(1)).ok())
                .unwrap_or(Timestamp::MAX),
            When::Back(span) => last.checked_sub(span).unwrap_or(Timestamp::MIN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn times_dates_and_spans() {
        let at = |t: &str| match When::parse(t, false) {
            Ok(w) => format!("{:.0}", w.resolve(Timestamp::UNIX_EPOCH, &TimeZone::UTC)),
            other => format!("{other:?}"),
        };
        assert_eq!(at("2026-11-24T03:00:00Z"), "2026-11-24T03:00:00Z");
        assert_eq!(at("2026-11-24"), "2026-11-24T00:00:00Z");
        // Dates and times without an offset are local.
        let istanbul = TimeZone::fixed(jiff::tz::offset(3));
        let local = |t: &str, end| {
            When::parse(t, end)
                .map(|w| format!("{:.0}", w.resolve(Timestamp::UNIX_EPOCH, &istanbul)))
        };
        assert_eq!(local("2026-06-30", true), Ok("2026-06-30T20:59:59Z".into()));
        assert_eq!(
            local("2026-06-30", false),
            Ok("2026-06-29T21:00:00Z".into())
        );
        assert_eq!(
            local("2026-06-30T03:00", false),
            Ok("2026-06-30T00:00:00Z".into())
        );
        assert_eq!(
            local("2026-06-30T03:00Z", false),
            Ok("2026-06-30T03:00:00Z".into())
        );
        assert_eq!(
            When::parse("2026-11-24", true)
                .map(|w| w.resolve(Timestamp::UNIX_EPOCH, &TimeZone::UTC)),
            Ok("2026-11-24T23:59:59.999999999Z".parse().expect("time"))
        );
        assert_eq!(
            When::parse(" 7d ", false),
            Ok(When::Back(SignedDuration::from_hours(7 * 24)))
        );
        assert_eq!(
            When::parse("36525d", false),
            Ok(When::Back(SignedDuration::from_hours(36_525 * 24)))
        );
    }

    #[test]
    fn what_is_not_a_time_or_is_beyond_reach_is_refused_in_words() {
        let err = |t: &str, end| When::parse(t, end).expect_err(t);
        assert!(err("é", false).contains("is not a time"));
        assert!(err("7é", false).contains("a span is a number and m, h, d or w"));
        assert!(err("", false).contains("is not a time"));
        assert!(err("d", false).contains("is not a time"));
        for long in [
            "5000000d",
            "9223372036854775807m",
            "99999999999999999999999h",
            "36526d",
        ] {
            assert!(err(long, false).contains("at most 36525d"), "{long}");
        }
        assert!(err("-5000000d", true).contains("cannot be negative"));
        assert!(err("-1d", true).contains("cannot be negative"));
        assert!(err("9999-12-30", true).contains("beyond the times"));
        assert!(err("9999-12-31", false).contains("beyond the times"));
        for impossible in ["2025-02-29", "2026-13-01", "2026-06-30T24:00", "2026-04-31"] {
            assert_eq!(
                err(impossible, true),
                format!(
                    "{impossible:?} is not a date or time there is (2026-11-24, 2026-11-24T03:00:00Z)"
                )
            );
        }
    }

    #[test]
    fn periods_are_named_and_end_as_people_count_them() {
        let at: Timestamp = "2026-07-31T22:30:00Z".parse().expect("time");
        let utc = TimeZone::UTC;
        let istanbul = TimeZone::fixed(jiff::tz::offset(3));
        let named =
            |p: Period, tz: &TimeZone| (p.label(at, tz), p.end(at, tz).map(|t| format!("{t:.0}")));
        let end = |t: &str| Some(t.to_owned());
        assert_eq!(
            named(Period::Month, &utc),
            ("2026-07".into(), end("2026-08-01T00:00:00Z"))
        );
        // Already August 1 in Istanbul: August's close, ending August 31.
        assert_eq!(
            named(Period::Month, &istanbul),
            ("2026-08".into(), end("2026-08-31T21:00:00Z"))
        );
        assert_eq!(
            named(Period::Day, &utc),
            ("2026-07-31".into(), end("2026-08-01T00:00:00Z"))
        );
        assert_eq!(
            named(Period::Week, &utc),
            ("2026-W31".into(), end("2026-08-03T00:00:00Z"))
        );
        assert_eq!(
            named(Period::Year, &utc),
            ("2026".into(), end("2027-01-01T00:00:00Z"))
        );
        let last = Timestamp::MAX;
        assert_eq!(Period::Year.end(last, &utc), None);
    }

    #[test]
    fn periods_follow_the_local_calendar() {
        let istanbul = TimeZone::fixed(jiff::tz::offset(3));
        let t = |s: &str| s.parse::<Timestamp>().expect("time");
        let of = |p: Period, s: &str, tz: &TimeZone| p.of(t(s), tz);
        // 21:00Z on the 31st is already the 1st in Istanbul.
        assert_eq!(
            of(Period::Month, "2026-01-31T20:59:59Z", &istanbul) + 1,
            of(Period::Month, "2026-01-31T21:00:00Z", &istanbul)
        );
        assert_eq!(
            of(Period::Month, "2026-01-31T21:00:00Z", &TimeZone::UTC),
            of(Period::Month, "2026-01-31T23:59:59Z", &TimeZone::UTC)
        );
        assert!(
            of(Period::Day, "2026-01-31T23:59:59Z", &TimeZone::UTC)
                < of(Period::Day, "2026-02-01T00:00:00Z", &TimeZone::UTC)
        );
        // ISO weeks: 2026-12-31 (a Thursday) is in week 53 of 2026, and
        // 2027-01-03 (a Sunday) too; Monday the 4th starts week 1 of 2027.
        let utc = TimeZone::UTC;
        assert_eq!(
            of(Period::Week, "2026-12-31T12:00:00Z", &utc),
            of(Period::Week, "2027-01-03T12:00:00Z", &utc)
        );
        assert!(
            of(Period::Week, "2027-01-03T23:59:59Z", &utc)
                < of(Period::Week, "2027-01-04T00:00:00Z", &utc)
        );
        assert!(
            of(Period::Year, "2026-12-31T20:59:59Z", &istanbul)
                < of(Period::Year, "2026-12-31T21:00:00Z", &istanbul)
        );
    }

    #[test]
    fn a_span_resolves_without_overflow() {
        let span = When::parse("36525d", false).expect("span");
        assert_eq!(span.resolve(Timestamp::MIN, &TimeZone::UTC), Timestamp::MIN);
    }

    proptest! {
        #[test]
        fn any_text_is_a_time_or_an_error(text in "\\PC{0,40}", end in any::<bool>()) {
            if let Ok(when) = When::parse(&text, end) {
                let _ = when.resolve(Timestamp::MIN, &TimeZone::UTC);
                let _ = when.resolve(Timestamp::MAX, &TimeZone::UTC);
            }
        }

        #[test]
        fn any_time_falls_in_a_period(secs in any::<i64>(), hours in -25i8..=25) {
            let at = Timestamp::from_second(secs % 253_402_300_799).unwrap_or(Timestamp::UNIX_EPOCH);
            let tz = TimeZone::fixed(jiff::tz::offset(hours));
            for period in [Period::Day, Period::Week, Period::Month, Period::Year] {
                let _ = period.of(at, &tz);
                let _ = period.label(at, &tz);
                // A period ends after every moment in it.
                if let Some(end) = period.end(at, &tz) {
                    prop_assert!(end > at);
                }
            }
        }

        #[test]
        fn any_number_and_unit_is_a_span_or_an_error(n in any::<i64>(), unit in "[mhdwx]") {
            if let Ok(when) = When::parse(&format!("{n}{unit}"), false) {
                let _ = when.resolve(Timestamp::MIN, &TimeZone::UTC);
            }
        }
    }
}
