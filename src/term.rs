//! The terminal rules (colour, box drawing) for both streams, and the
//! messages for humans on stderr: errors, warnings and `--verbose` lines.
//! Text from the server reaches these messages through `text::sanitize`.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;

use crate::text::paint;

const PREFIX: &str = "btcturk-bal";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say
    /// otherwise (CLICOLOR_FORCE colours anywhere).
    Auto,
    Always,
    Never,
}

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

/// What the run's terminal is, decided once before a command runs: which
/// streams are terminals, the colour rules of the environment, the width.
/// Nothing after it asks `is_terminal` or reads those variables again.
#[derive(Debug, Clone)]
pub struct Terminal {
    pub stdin: bool,
    pub stdout: bool,
    stderr: bool,
    env: TermEnv,
    /// Columns; 80 where the terminal reports none or 0 (a pseudo-terminal
    /// with no size set), or there is no terminal.
    pub width: usize,
}

impl Terminal {
    pub fn detect() -> Terminal {
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
            env: TermEnv::from_env(),
            width: columns(
                std::env::var("COLUMNS").ok().as_deref(),
                comfy_table::Table::new().width(),
            ),
        }
    }

    /// Whether output bound for a terminal (or not) is coloured.
    pub fn color(&self, choice: ColorChoice, to_terminal: bool) -> bool {
        self.env.color(choice, to_terminal)
    }

    /// Whether output bound for a terminal (or not) draws boxes.
    pub fn boxes(&self, to_terminal: bool) -> bool {
        self.env.boxes(to_terminal)
    }

    /// The messages on stderr, as --verbose, --quiet and --color ask.
    pub fn log(&self, verbose: bool, quiet: bool, color: ColorChoice) -> Log {
        Log {
            verbose,
            quiet,
            color: self.env.color(color, self.stderr),
        }
    }
}

/// The terminal's width: `COLUMNS` when it holds a number of columns (as
/// shells and ls read it), else what the terminal reports; 80 where that
/// is 0 (a pseudo-terminal with no size set) or there is no terminal.
fn columns(variable: Option<&str>, reported: Option<u16>) -> usize {
    let set = variable.and_then(|v| v.trim().parse::<u16>().ok());
    match set.filter(|&n| n > 0).or(reported) {
        Some(0) | None => 80,
        Some(n) => usize::from(n),
    }
}

/// Writes one line to stderr. A failing stderr is ignored: there is nowhere
/// left to report it, and `eprintln!` would panic instead.
fn line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// The report of a bug (a panic), before any settings are known: plain,
/// with the way to report it.
pub fn bug(text: &str) {
    line(&format!("{PREFIX}: error: {text}"));
    line(&format!(
        "{PREFIX}: hint: please report it with the command you ran (leave out any key) and these two lines; RUST_BACKTRACE=1 shows more"
    ));
}

/// Errors, warnings, retry notes and `--verbose` lines on stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub verbose: bool,
    pub quiet: bool,
    pub color: bool,
}

impl Log {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_from_the_variable_then_the_terminal_else_80() {
        assert_eq!(columns(Some("60"), Some(120)), 60);
        assert_eq!(columns(Some(" 100 "), None), 100);
        for bad in ["0", "", "x", "-5", "18446744073709551616", "99999"] {
            assert_eq!(columns(Some(bad), Some(120)), 120, "{bad}");
        }
        assert_eq!(columns(None, Some(0)), 80);
        assert_eq!(columns(None, None), 80);
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
