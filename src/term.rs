//! Messages for humans, on stderr: errors, warnings and `--verbose` lines;
//! and the terminal rules (colour, box drawing) for both streams.
//!
//! Text that came from the server is passed through `sanitize` first, so a
//! hostile or broken answer cannot move the cursor or retitle the terminal.

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, GlobalArgs};

const PREFIX: &str = "btcturk-bal";

/// What the terminal environment says, read once.
#[derive(Debug, Clone, Default)]
pub struct TermEnv {
    no_color: bool,
    clicolor_off: bool,
    clicolor_force: bool,
    dumb: bool,
}

impl TermEnv {
    pub fn from_env() -> TermEnv {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        TermEnv {
            no_color: var("NO_COLOR").is_some(),
            clicolor_off: var("CLICOLOR").is_some_and(|v| v == "0"),
            clicolor_force: var("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
            dumb: var("TERM").is_some_and(|v| v == "dumb"),
        }
    }

    /// The colour rules of no-color.org and bixense.com/clicolors: --color
    /// decides when given; otherwise NO_COLOR wins, then CLICOLOR_FORCE,
    /// then CLICOLOR=0 and TERM=dumb, then whether the stream is a terminal.
    pub fn color(&self, choice: ColorChoice, terminal: bool) -> bool {
        match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if self.no_color => false,
            ColorChoice::Auto if self.clicolor_force => true,
            ColorChoice::Auto => terminal && !self.clicolor_off && !self.dumb,
        }
    }

    /// Box drawing and width fitting: on a terminal that can show them.
    pub fn boxes(&self, terminal: bool) -> bool {
        terminal && !self.dumb
    }
}

/// Writes one line to stderr. A failing stderr is ignored: there is nowhere
/// left to report it, and `eprintln!` would panic instead.
fn line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// ANSI SGR around `text` when colouring.
pub fn paint(text: &str, sgr: &str, color: bool) -> String {
    if color {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Errors, warnings, retry notes and `--verbose` lines on stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub verbose: bool,
    pub quiet: bool,
    pub color: bool,
}

impl Log {
    pub fn new(args: &GlobalArgs, env: &TermEnv) -> Log {
        Log {
            verbose: args.verbose,
            quiet: args.quiet,
            color: env.color(args.color, std::io::stderr().is_terminal()),
        }
    }

    pub fn error(&self, err: &crate::error::Error) {
        line(&format!(
            "{PREFIX}: {} {err}",
            paint("error:", "1;31", self.color)
        ));
        if let Some(hint) = err.hint() {
            line(&format!(
                "{PREFIX}: {} {hint}",
                paint("hint:", "36", self.color)
            ));
        }
    }

    pub fn warn(&self, text: &str) {
        if !self.quiet {
            line(&format!(
                "{PREFIX}: {} {text}",
                paint("warning:", "33", self.color)
            ));
        }
    }

    /// Progress worth knowing (waiting before a retry); silenced by -q.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            line(&format!("{PREFIX}: {text}"));
        }
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
    sanitized(text).into_owned()
}

/// Nothing but printable ASCII (the usual code or name): nothing to
/// sanitize, and a terminal column a byte.
pub fn printable_ascii(s: impl AsRef<[u8]>) -> bool {
    s.as_ref().iter().all(|b| matches!(b, 0x20..=0x7e))
}

/// `sanitize`, borrowing the text when it has nothing to escape (as nearly
/// all text has).
pub fn sanitized(text: &str) -> std::borrow::Cow<'_, str> {
    // Every control character starts with a byte below 0x20, 0x7f, or
    // (C1 controls, U+0080..U+009F) 0xc2.
    if !text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
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

    #[test]
    fn colour_rules() {
        use ColorChoice::*;
        let env = |no_color, clicolor_off, clicolor_force, dumb| TermEnv {
            no_color,
            clicolor_off,
            clicolor_force,
            dumb,
        };
        let plain = env(false, false, false, false);
        assert!(plain.color(Auto, true) && !plain.color(Auto, false));
        assert!(plain.color(Always, false) && !plain.color(Never, true));
        assert!(!env(true, false, false, false).color(Auto, true));
        assert!(
            !env(true, false, true, false).color(Auto, true),
            "NO_COLOR beats CLICOLOR_FORCE"
        );
        assert!(
            env(true, false, false, false).color(Always, false),
            "--color beats NO_COLOR"
        );
        assert!(!env(false, true, false, false).color(Auto, true));
        assert!(env(false, false, true, false).color(Auto, false));
        assert!(!env(false, false, false, true).color(Auto, true));
        assert!(!env(false, false, false, true).boxes(true));
        assert!(plain.boxes(true) && !plain.boxes(false));
    }
}
