//! The local time zone that history's periods are counted in: `TZ` as the
//! C library reads it (an IANA name, a TZif file's path, a POSIX rule; a
//! leading `:` ignored; empty is UTC), else the system's. What `TZ` holds
//! is checked before it is read: a file must be a regular one of at most
//! 1 MiB, so `/dev/zero` or a FIFO costs nothing, and a `TZ` that names no
//! zone is said, never silently taken as UTC.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;

use jiff::tz::TimeZone;

use crate::text::{clip, sanitize};

/// Far more than any TZif file (the largest are a few KiB).
const MAX_TZIF: u64 = 1024 * 1024;

/// The local zone, or UTC and the warning that says why.
pub fn local() -> (TimeZone, Option<String>) {
    let Some(tz) = std::env::var_os("TZ") else {
        // The system's /etc/localtime; a machine without one (a
        // container) is in UTC, as the C library has it.
        return (TimeZone::try_system().unwrap_or(TimeZone::UTC), None);
    };
    match from_tz(&tz) {
        Ok(zone) => (zone, None),
        Err(why) => (
            TimeZone::UTC,
            Some(format!(
                "TZ={:?} {why}: periods are counted in UTC",
                sanitize(&clip(&tz.to_string_lossy(), 60))
            )),
        ),
    }
}

/// The zone `TZ` names, or why it names none.
fn from_tz(tz: &OsStr) -> Result<TimeZone, &'static str> {
    let text = tz.to_str().ok_or("is not UTF-8")?;
    if text.is_empty() {
        return Ok(TimeZone::UTC);
    }
    // Longer than any zone name, path or rule: not one.
    if text.len() > 255 {
        return Err("is not a time zone this machine knows");
    }
    let name = text.strip_prefix(':').unwrap_or(text);
    if name.starts_with('/') {
        return from_file(Path::new(name));
    }
    jiff::tz::db()
        .get(name)
        .or_else(|_| TimeZone::posix(name))
        .map_err(|_| "is not a time zone this machine knows")
}

/// The zone in the TZif file at `path`, checked before it is opened.
fn from_file(path: &Path) -> Result<TimeZone, &'static str> {
    let meta = std::fs::metadata(path).map_err(|_| "names no file")?;
    if !meta.is_file() {
        return Err("names no regular file");
    }
    if meta.len() > MAX_TZIF {
        return Err("names a file too large to be a time zone");
    }
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_TZIF).read_to_end(&mut data))
        .map_err(|_| "names a file that cannot be read")?;
    // The zone's name is what follows zoneinfo/ in its path, if anything.
    let text = path.to_string_lossy();
    let name = text.rsplit_once("zoneinfo/").map_or(&*text, |(_, n)| n);
    TimeZone::tzif(name, &data).map_err(|_| "names a file that is not a time zone")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_paths_and_rules() {
        let offset_in_june = |tz: &str| {
            let zone = from_tz(OsStr::new(tz)).expect(tz);
            let june: jiff::Timestamp = "2026-06-30T12:00:00Z".parse().expect("time");
            zone.to_offset(june).seconds()
        };
        assert_eq!(offset_in_june(""), 0);
        assert_eq!(offset_in_june("EST5EDT,M3.2.0,M11.1.0"), -4 * 3600);
        assert_eq!(offset_in_june("<+03>-3"), 3 * 3600);
        if Path::new("/usr/share/zoneinfo/Europe/Istanbul").exists() {
            assert_eq!(offset_in_june("Europe/Istanbul"), 3 * 3600);
            assert_eq!(offset_in_june(":Europe/Istanbul"), 3 * 3600);
            assert_eq!(
                offset_in_june("/usr/share/zoneinfo/Europe/Istanbul"),
                3 * 3600
            );
        }
        for (tz, why) in [
            ("Europe/Istambul", "is not a time zone this machine knows"),
            ("Europe/Istanbul ", "is not a time zone this machine knows"),
            ("../../../dev/zero", "is not a time zone this machine knows"),
            ("/dev/zero", "names no regular file"),
            ("/nonexistent/zone", "names no file"),
            ("/etc/passwd", "names a file that is not a time zone"),
        ] {
            assert_eq!(from_tz(OsStr::new(tz)).err(), Some(why), "{tz}");
        }
        assert!(from_tz(OsStr::new(&"A".repeat(300))).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_tz_text_is_a_zone_or_a_reason(text in "\\PC{0,40}") {
                let _ = from_tz(OsStr::new(&text));
            }
        }
    }
}
