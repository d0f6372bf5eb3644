//! `api_secret_command`: runs the command that prints the API secret, as
//! git credential helpers do, and takes its trimmed stdout, bounded in
//! time and size.

use std::io::{ErrorKind, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::signals;

/// How long the command may run (a password manager may prompt).
const TIMEOUT: Duration = Duration::from_secs(120);

/// The most a secret can be; more is not a secret but a mistake.
const MAX_OUTPUT: usize = 64 * 1024;

/// How often the command is looked at.
const POLL: Duration = Duration::from_millis(10);

/// Runs `command` through `sh -c`, as git runs its credential helpers: in
/// btcturk-bal's own process group, with the user's stdin and stderr, so
/// it is part of the same job. A prompt works, Ctrl-C reaches both, and
/// Ctrl-Z suspends both and gives the shell its prompt back (`fg` resumes
/// both; time spent suspended does not count toward the timeout). A
/// signal to btcturk-bal alone (SIGTERM from `kill`) is passed on to the
/// command and everything it started, and then ends the run; so does the
/// timeout, with SIGTERM. Its trimmed stdout is the secret, taken once the
/// command itself has exited, even if something it left in the background
/// still holds its output open. Its output is never quoted in an error.
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
    let mut out = Vec::new();
    // A signal meanwhile ends the command first, then (as `finish` ends)
    // the run.
    let status = signals::finish(|| {
        let mut child = Command::new("sh")
            .args(["-c", command])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Stop::Broken(format!("could not start: {e}")))?;
        let result = collect(&mut child, &mut out, timeout);
        if let Err(stop) = &result {
            end_tree(&mut child, stop.signal());
        }
        result
    });
    let status = match status {
        Ok(status) => status,
        Err(stop) => {
            out.zeroize();
            return Err(fail(stop.to_string()));
        }
    };
    if !status.success() {
        out.zeroize();
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
    /// The signal that ends the command: the one the run got, else SIGTERM.
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
fn collect(child: &mut Child, out: &mut Vec<u8>, timeout: Duration) -> Result<ExitStatus, Stop> {
    let broken = |e: std::io::Error| Stop::Broken(format!("cannot read it: {e}"));
    let mut stdout = child
        .stdout
        .take()
        .ok_or(Stop::Broken("no stdout".into()))?;
    rustix::io::ioctl_fionbio(&stdout, true).map_err(|e| broken(e.into()))?;
    // The time the command has run, not counting a suspension (Ctrl-Z
    // stops the whole job): a look that took far longer than a poll was
    // one.
    let mut ran = Duration::ZERO;
    let mut last = Instant::now();
    loop {
        drain(&mut stdout, out)?;
        if let Some(signal) = signals::arrived() {
            return Err(Stop::Signal(signal));
        }
        if let Some(status) = child.try_wait().map_err(broken)? {
            // What it wrote before it exited is in the pipe by now.
            drain(&mut stdout, out)?;
            return Ok(status);
        }
        let now = Instant::now();
        ran += now.duration_since(last).min(POLL * 10);
        last = now;
        if ran > timeout {
            return Err(Stop::Deadline(timeout));
        }
        std::thread::sleep(POLL);
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

/// Ends the command and the processes it started that still run under it:
/// `signal` first (woken with SIGCONT should they be stopped), so that a
/// prompt can put the terminal back as it was, then SIGKILL for what is
/// left once the command has gone or after a fifth of a second. (A daemon
/// it left behind, no longer its descendant, is not the run's to end.)
fn end_tree(child: &mut Child, signal: Signal) {
    let tree = descendants(child.id());
    for &pid in &tree {
        for signal in [signal, Signal::CONT] {
            let _ = kill_process(pid, signal);
        }
    }
    let deadline = Instant::now() + Duration::from_millis(200);
    while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
        std::thread::sleep(POLL);
    }
    for &pid in tree.iter().skip(1) {
        let _ = kill_process(pid, Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `pid` and the processes below it, parents first, from the kernel's
/// list of each thread's children.
fn descendants(pid: u32) -> Vec<Pid> {
    let mut tree: Vec<Pid> = i32::try_from(pid)
        .ok()
        .and_then(Pid::from_raw)
        .into_iter()
        .collect();
    let mut next = 0;
    // A bound for a fork bomb: far more than a secret command starts.
    while let Some(&pid) = tree.get(next)
        && tree.len() < 4096
    {
        next += 1;
        let Ok(threads) = std::fs::read_dir(format!("/proc/{}/task", pid.as_raw_nonzero())) else {
            continue;
        };
        for thread in threads.flatten() {
            let children =
                std::fs::read_to_string(thread.path().join("children")).unwrap_or_default();
            tree.extend(
                children
                    .split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .filter_map(Pid::from_raw),
            );
        }
    }
    tree
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
