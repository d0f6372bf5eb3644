//! Waiting for the advisory lock (`flock`) that `--append` writes under
//! and `history` reads under: said after a second, given up after a
//! minute, so that an hourly cron job never piles up behind a stuck one.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a run waits before it says it is waiting.
const SAY_AFTER: Duration = Duration::from_secs(1);

/// How long a run waits for a lock before it gives up (exit 75).
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

/// Takes the lock on `file` (`path` in messages), exclusive to write or
/// shared to read, waiting while another process holds it. `waiting` is
/// called once, with the line to show, when the wait passes a second.
/// A file system without locks is used as it is.
pub fn take(file: &File, path: &Path, exclusive: bool, waiting: &dyn Fn(&str)) -> Result<()> {
    let started = Instant::now();
    let give_up = give_up_after();
    let mut said = false;
    loop {
        let taken = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match taken {
            Ok(()) | Err(std::fs::TryLockError::Error(_)) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) => {}
        }
        let waited = started.elapsed();
        if waited >= give_up {
            return Err(Error::Locked {
                path: path.to_path_buf(),
                waited,
            });
        }
        if !said && waited >= SAY_AFTER {
            said = true;
            waiting(&format!(
                "waiting for the lock on {} (another process holds it); Ctrl-C stops",
                path.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A minute; in debug builds `BTCTURK_BAL_TEST_LOCK_SECS` lets a test
/// see the end of the wait without spending a minute on it.
fn give_up_after() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("BTCTURK_BAL_TEST_LOCK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return Duration::from_secs(secs);
    }
    GIVE_UP_AFTER
}
