//! What a signal does to a run, installed once at start-up.
//!
//! SIGINT (Ctrl-C), SIGTERM (`kill`) and SIGHUP (a closed terminal) end a
//! run at once with the signal's own status (130, 143, 129), at every
//! step: waiting on the API, backing off, reading a dump, waiting for a
//! lock, sleeping between `--watch` rounds. Two kinds of step are
//! `finish`ed first: putting an `--out` file in place or writing an
//! `--append` block (milliseconds), so that a file holds its old content
//! or its new content, never half of it and never a temporary file beside
//! it; and a running `api_secret_command`, which the run ends with the
//! same signal before it ends itself. During such a step a signal is only
//! noted; as the step ends the run ends as the signal asked. Each signal
//! has one handler for the whole run, which notes the signal and, outside
//! those steps, ends the run with the signal's default action: nothing is
//! ever registered and removed, so no signal can be left caught and
//! ignored. A signal the run was started with ignored (`nohup`, a script's
//! background job) stays ignored. SIGXFSZ (the file size limit, `ulimit
//! -f`) is caught and noted only, so that a write past the limit fails
//! with an error the run reports (exit 74) instead of killing the run
//! halfway through a file.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};

/// Ctrl-C, `kill`, and a closed terminal or restarted cron daemon.
const ENDING: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Whether an ending signal takes its default action now: false while a
/// step is being finished.
static ENDS_AT_ONCE: AtomicBool = AtomicBool::new(true);

/// The last ending signal that arrived, or 0.
static ARRIVED: AtomicUsize = AtomicUsize::new(0);

/// Set when a write went past the file size limit.
static FILE_TOO_LARGE: AtomicBool = AtomicBool::new(false);

/// Installs the handlers; called once, first thing in `main`. A signal
/// whose handler cannot be installed keeps its default action, which ends
/// the run as well.
pub fn install() {
    let ignored = ignored_at_start();
    for signal in ENDING {
        if ignored.contains(&signal) {
            continue;
        }
        // The default action first: should noting it fail to install,
        // the signal still ends the run (only not after a step), and it is
        // never left caught with nothing to do.
        let Ok(sig) = usize::try_from(signal) else {
            continue;
        };
        if signal_hook::flag::register_conditional_default(signal, &ENDS_AT_ONCE).is_ok() {
            let _ = signal_hook::flag::register_usize(signal, &ARRIVED, sig);
        }
    }
    let _ = signal_hook::flag::register(SIGXFSZ, &FILE_TOO_LARGE);
}

/// Runs `step` to its end whatever signal arrives meanwhile; then, if one
/// did, ends the run as it asked. A step within a step changes nothing.
pub fn finish<T>(step: impl FnOnce() -> T) -> T {
    let outermost = ENDS_AT_ONCE.swap(false, Ordering::SeqCst);
    let result = step();
    if outermost {
        // First let signals end the run again, then look for one that came
        // meanwhile: a signal between the two ends it by itself.
        ENDS_AT_ONCE.store(true, Ordering::SeqCst);
        if let Some(signal) = arrived() {
            end_as(signal);
        }
    }
    result
}

/// The ending signal that arrived while a step was being finished, if
/// any: a long step (a secret command) ends what it started and returns.
pub fn arrived() -> Option<i32> {
    match ARRIVED.load(Ordering::SeqCst) {
        0 => None,
        n => i32::try_from(n).ok(),
    }
}

/// Ends the run as `signal` would have, with its default action, so that
/// the shell sees the signal (Ctrl-C: 130).
pub fn end_as(signal: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal);
}

/// The signals this process was started with ignored, from the kernel's
/// own account (`SigIgn` in /proc/self/status, a mask in hexadecimal, bit
/// n-1 for signal n). Where it cannot be read, none.
fn ignored_at_start() -> Vec<i32> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    ENDING
        .into_iter()
        .filter(|&signal| mask & (1 << (signal - 1)) != 0)
        .collect()
}

/// Holds the run at `step` while a test looks at it (debug builds only):
/// with `BTCTURK_BAL_TEST_HOLD=step:FILE`, the run creates FILE on
/// reaching the step and goes on once the test has removed it, so that a
/// test can send a signal at exactly that step without racing the clock.
pub fn test_hold(step: &str) {
    #[cfg(debug_assertions)]
    if let Some(hold) = std::env::var_os("BTCTURK_BAL_TEST_HOLD")
        && let Some((at, file)) = hold.to_str().and_then(|h| h.split_once(':'))
        && at == step
        && std::fs::write(file, step).is_ok()
    {
        while std::path::Path::new(file).exists() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}
