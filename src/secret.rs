//! `api_secret_command`: runs the command that prints the API secret, as
//! git credential helpers do, and takes its trimmed stdout, bounded in
//! time and size.

use std::io::{ErrorKind, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// How long the command may run (a password manager may prompt).
const TIMEOUT: Duration = Duration::from_secs(120);

/// The most a secret can be; more is not a secret but a mistake.
const MAX_OUTPUT: usize = 64 * 1024;

/// Runs `command` through `sh -c` in a process group of its own. Its stderr
/// and stdin stay the user's (a password manager may ask something); its
/// output is never quoted in an error. At the deadline the whole group is
/// killed; once the command itself has exited, what it printed is the
/// secret, even if something it left in the background still holds its
/// output open.
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
    let mut child = Command::new("sh")
        .args(["-c", command])
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| fail(format!("could not start: {e}")))?;
    let mut out = Vec::new();
    let result = collect(&mut child, &mut out, timeout);
    let status = match result {
        Ok(status) => status,
        Err(reason) => {
            out.zeroize();
            kill_group(&mut child);
            return Err(fail(reason));
        }
    };
    if !status.success() {
        out.zeroize();
        use std::os::unix::process::ExitStatusExt;
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

/// Reads the child's stdout into `out` until the child exits (then what is
/// already in the pipe), the deadline passes or it prints too much. The
/// pipe is read without waiting, so a background process holding it open
/// cannot keep the run waiting.
fn collect(child: &mut Child, out: &mut Vec<u8>, timeout: Duration) -> Result<ExitStatus, String> {
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    rustix::io::ioctl_fionbio(&stdout, true).map_err(|e| format!("cannot read it: {e}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        drain(&mut stdout, out)?;
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            // What it wrote before it exited is in the pipe by now.
            drain(&mut stdout, out)?;
            return Ok(status);
        }
        if Instant::now() > deadline {
            return Err(format!("did not finish within {} s", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Appends to `out` what the pipe holds now, without waiting for more.
fn drain(stdout: &mut impl Read, out: &mut Vec<u8>) -> Result<(), String> {
    let mut buf = [0u8; 4096];
    let result = loop {
        match stdout.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => break Err(format!("reading its output failed: {e}")),
        }
        if out.len() > MAX_OUTPUT {
            break Err(format!("it printed more than {} KiB", MAX_OUTPUT / 1024));
        }
    };
    buf.zeroize();
    result
}

/// Kills the command and everything it started in its group.
fn kill_group(child: &mut Child) {
    if let Some(group) = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
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
