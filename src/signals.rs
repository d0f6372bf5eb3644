//! The signals that end a run (SIGINT, SIGTERM, SIGHUP), held off while
//! the run has something to finish first: a file to put in place, a secret
//! command to end. Once it is done the run ends as the signal asked.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Ctrl-C, `kill`, and a closed terminal or restarted cron daemon.
const ENDING: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// The ending signals, caught and remembered instead of ending the run.
pub struct Held {
    held: Vec<(i32, Arc<AtomicBool>, signal_hook::SigId)>,
}

impl Held {
    pub fn hold() -> io::Result<Held> {
        let mut held = Vec::new();
        for signal in ENDING {
            let arrived = Arc::new(AtomicBool::new(false));
            let id = signal_hook::flag::register(signal, Arc::clone(&arrived))?;
            held.push((signal, arrived, id));
        }
        Ok(Held { held })
    }

    /// The first of the signals that has arrived since `hold`, if any.
    pub fn arrived(&self) -> Option<i32> {
        self.held
            .iter()
            .find(|(_, arrived, _)| arrived.load(Ordering::SeqCst))
            .map(|(signal, ..)| *signal)
    }

    /// Lets the signals through; one that arrived meanwhile ends the run
    /// now.
    pub fn release(self) {
        let arrived = self.arrived();
        for (_, _, id) in self.held {
            signal_hook::low_level::unregister(id);
        }
        if let Some(signal) = arrived {
            end_as(signal);
        }
    }
}

/// Ends the run as `signal` would have, with its default action, so that
/// the shell sees the signal (Ctrl-C: 130).
pub fn end_as(signal: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal);
}
