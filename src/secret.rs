//! `api_secret_command`: runs the command that prints the API secret, as
//! git credential helpers do, and takes its trimmed stdout, bounded in
//! time and size.

use std::io::{ErrorKind, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process_group};
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use signal_hook::consts::SIGINT;

use crate::error::{Error, Result};
use crate::signals;

/// How long the command may run (a password manager may prompt).
const TIMEOUT: Duration = Duration::from_secs(120);

/// The most a secret can be; more is not a secret but a mistake.
const MAX_OUTPUT: usize = 64 * 1024;

/// Runs `command` through `sh -c` in a process group of its own. Its stderr
/// and stdin stay the user's, and on a terminal its group is the
/// terminal's foreground group while it runs (handed over and taken back,
/// as a shell does with a job), so that a password manager can prompt and
/// Ctrl-C reaches it. Its output is never quoted in an error. At the
/// deadline, or when a signal ends the run, the whole group is ended;
/// once the command itself has exited, what it printed is the secret, even
/// if something it left in the background still holds its output open.
///
/// `origin` names the command in messages (its key and line): its text
/// is never shown.
pub fn run(command: &str, origin: &str) -> Result<SecretString> {
    run_within(command, origin, TIMEOUT)
}

fn run_within(command: &str, origin: &str, timeout: Duration) -> Result<SecretString> {
    let fail = |reason: String| Error::SecretCommand {
        origin: origin.to_owned(),
        reason,
    };
    let signals = signals::Held::hold().map_err(|e| fail(format!("could not start: {e}")))?;
    let terminal = Foreground::ours();
    let mut child = Command::new("sh")
        .args(["-c", command])
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| fail(format!("could not start: {e}")))?;
    let group = group_of(&child);
    let handed = match (&terminal, group) {
        (Some(terminal), Some(group)) => terminal.hand_to(group),
        _ => false,
    };
    let mut out = Vec::new();
    let result = collect(&mut child, &mut out, timeout, &signals);
    if let Err(stop) = &result {
        end_group(&mut child, group, stop.signal());
    }
    if handed && let Some(terminal) = &terminal {
        terminal.take_back();
    }
    let status = match result {
        Ok(status) => status,
        Err(stop) => {
            out.zeroize();
            // A signal that arrived ends the run as it asked.
            signals.release();
            return Err(fail(stop.to_string()));
        }
    };
    signals.release();
    if !status.success() {
        out.zeroize();
        // Ctrl-C at its prompt reached only the command's group: the run
        // ends as interrupted, as the user asked.
        if handed && (status.signal() == Some(SIGINT) || status.code() == Some(128 + SIGINT)) {
            signals::end_as(SIGINT);
        }
        return Err(fail(match (status.code(), status.signal()) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(signal)) => format!("ended by signal {signal}"),
            (None, None) => "it failed".into(),
        }));
    }
    let text = String::from_utf8(out).map_err(|e| {
        e.into_bytes().zeroize();
        fail("it printed something that is not UTF-8".into())
    })?;
    let secret = SecretString::from(text);
    if secret.expose_secret().trim().is_empty() {
        return Err(fail("it printed nothing".into()));
    }
    Ok(secret)
}

/// Why the command was stopped before it finished.
enum Stop {
    Deadline(Duration),
    TooMuch,
    Broken(String),
    /// A signal arrived that ends the run.
    Signal(i32),
}

impl Stop {
    /// The signal that ends the command's group: the one the run got, else
    /// SIGTERM.
    fn signal(&self) -> Signal {
        match self {
            Stop::Signal(n) => Signal::from_named_raw(*n).unwrap_or(Signal::TERM),
            _ => Signal::TERM,
        }
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Deadline(t) => write!(f, "did not finish within {} s", t.as_secs()),
            Stop::TooMuch => write!(f, "it printed more than {} KiB", MAX_OUTPUT / 1024),
            Stop::Broken(why) => f.write_str(why),
            Stop::Signal(n) => write!(f, "the run was ended by signal {n}"),
        }
    }
}

/// Reads the child's stdout into `out` until the child exits (then what is
/// already in the pipe), the deadline passes, it prints too much or a
/// signal arrives. The pipe is read without waiting, so a background
/// process holding it open cannot keep the run waiting.
fn collect(
    child: &mut Child,
    out: &mut Vec<u8>,
    timeout: Duration,
    signals: &signals::Held,
) -> Result<ExitStatus, Stop> {
    let broken = |e: std::io::Error| Stop::Broken(format!("cannot read it: {e}"));
    let mut stdout = child
        .stdout
        .take()
        .ok_or(Stop::Broken("no stdout".into()))?;
    rustix::io::ioctl_fionbio(&stdout, true).map_err(|e| broken(e.into()))?;
    let deadline = Instant::now() + timeout;
    loop {
        drain(&mut stdout, out)?;
        if let Some(signal) = signals.arrived() {
            return Err(Stop::Signal(signal));
        }
        if let Some(status) = child.try_wait().map_err(broken)? {
            // What it wrote before it exited is in the pipe by now.
            drain(&mut stdout, out)?;
            return Ok(status);
        }
        if Instant::now() > deadline {
            return Err(Stop::Deadline(timeout));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Appends to `out` what the pipe holds now, without waiting for more.
fn drain(stdout: &mut impl Read, out: &mut Vec<u8>) -> Result<(), Stop> {
    let mut buf = [0u8; 4096];
    let result = loop {
        match stdout.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => break Err(Stop::Broken(format!("reading its output failed: {e}"))),
        }
        if out.len() > MAX_OUTPUT {
            break Err(Stop::TooMuch);
        }
    };
    buf.zeroize();
    result
}

/// The process group the command leads.
fn group_of(child: &Child) -> Option<Pid> {
    i32::try_from(child.id()).ok().and_then(Pid::from_raw)
}

/// Ends the command and everything it started in its group: `signal` and
/// SIGTERM first, so that a prompt can put the terminal back as it was
/// (a shell's background jobs ignore SIGINT), then SIGKILL for what is
/// left once the command has gone or after half a second.
fn end_group(child: &mut Child, group: Option<Pid>, signal: Signal) {
    if let Some(group) = group {
        for signal in [signal, Signal::TERM, Signal::CONT] {
            let _ = kill_process_group(group, signal);
        }
    }
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
        std::thread::sleep(Duration::from_millis(10));
    }
    if let Some(group) = group {
        let _ = kill_process_group(group, Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The terminal this run is in the foreground of, if any (not under cron,
/// not as a background job `&`).
struct Foreground {
    tty: std::fs::File,
    ours: Pid,
}

impl Foreground {
    fn ours() -> Option<Foreground> {
        let tty = std::fs::File::options()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        let ours = rustix::process::getpgrp();
        (rustix::termios::tcgetpgrp(&tty).ok()? == ours).then_some(Foreground { tty, ours })
    }

    /// Makes `group` the terminal's foreground group, and wakes it should
    /// it have stopped at the terminal before it was its turn. Whether
    /// the terminal was handed over.
    fn hand_to(&self, group: Pid) -> bool {
        let handed = rustix::termios::tcsetpgrp(&self.tty, group).is_ok();
        if handed {
            let _ = kill_process_group(group, Signal::CONT);
        }
        handed
    }

    /// Makes this run's group the foreground again. A background group
    /// that sets the foreground gets SIGTTOU, which would stop the run:
    /// it is blocked meanwhile, as shells do.
    fn take_back(&self) {
        use nix::sys::signal::{SigSet, SigmaskHow, Signal as Sig, pthread_sigmask};
        let mut ttou = SigSet::empty();
        ttou.add(Sig::SIGTTOU);
        let mut before = SigSet::empty();
        let blocked =
            pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&ttou), Some(&mut before)).is_ok();
        let _ = rustix::termios::tcsetpgrp(&self.tty, self.ours);
        if blocked {
            let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&before), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alive(pid: &str) -> bool {
        Command::new("kill")
            .args(["-0", pid])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    #[test]
    fn at_the_deadline_the_whole_group_is_killed() {
        let dir = tempfile::tempdir().expect("dir");
        let pidfile = dir.path().join("pid");
        let command = format!("sleep 1000 & echo $! > {}; wait", pidfile.display());
        let started = Instant::now();
        let err = run_within(&command, "api_secret_command", Duration::from_millis(300))
            .expect_err("too slow");
        assert!(err.to_string().contains("did not finish within"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let pid = std::fs::read_to_string(&pidfile).expect("pid");
        // The background sleep went with the command.
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(pid.trim()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !alive(pid.trim()),
            "the command's background process lives on"
        );
    }

    #[test]
    fn takes_the_trimmed_output_and_refuses_too_much() {
        let secret =
            run_within("printf '  c2VjcmV0\\n'", "api_secret_command", TIMEOUT).expect("runs");
        assert_eq!(secret.expose_secret().trim(), "c2VjcmV0");
        let err = run_within(
            "head -c 70000 /dev/zero | tr '\\0' a",
            "api_secret_command",
            TIMEOUT,
        )
        .expect_err("too much");
        assert!(
            err.to_string().contains("printed more than 64 KiB"),
            "{err}"
        );
    }
}
