//! Messages for humans, on stderr: errors, warnings and `--verbose` lines.
//!
//! Text that came from the server is passed through `sanitize` first, so a
//! hostile or broken answer cannot move the cursor or retitle the terminal.

use std::io::Write;

const PREFIX: &str = "btcturk-bal";

/// Writes one line to stderr. A failing stderr is ignored: there is nowhere
/// left to report it, and `eprintln!` would panic instead.
fn line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

pub fn error(err: &crate::error::Error) {
    line(&format!("{PREFIX}: error: {err}"));
    if let Some(hint) = err.hint() {
        line(&format!("{PREFIX}: hint: {hint}"));
    }
}

/// Warnings and progress notes (waiting before a retry, clock corrections).
#[derive(Debug, Clone, Copy)]
pub struct Log {
    pub verbose: bool,
}

impl Log {
    pub fn warn(&self, text: &str) {
        line(&format!("{PREFIX}: warning: {text}"));
    }

    pub fn note(&self, text: &str) {
        line(&format!("{PREFIX}: {text}"));
    }

    /// Only with `--verbose`. The closure keeps formatting off the normal path.
    pub fn verbose(&self, text: impl FnOnce() -> String) {
        if self.verbose {
            line(&format!("{PREFIX}: {}", text()));
        }
    }
}

/// Replaces control characters (ESC, CR, BEL, C1 controls...) with their
/// escaped form so that server text prints as inert characters.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// At most `max` characters of `text`, with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_terminal_controls() {
        assert_eq!(
            sanitize("a\x1b[2Jb\r\n\u{9b}c"),
            "a\\u{1b}[2Jb\\r\\n\\u{9b}c"
        );
        assert_eq!(sanitize("Türk Lirası"), "Türk Lirası");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("Türk Lirası", 4), "Türk…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
