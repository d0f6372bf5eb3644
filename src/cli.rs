//! The command line as the user typed it. The doc comments are the `--help`
//! text. Nothing here is resolved: `config.rs` turns this into `Settings`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::figure::Figure;
use crate::history::When;
use crate::render::Format;
use crate::report::Sort;
use crate::term::ColorChoice;
use crate::valuation::Currency;

const AFTER_HELP: &str = "\
Keys come from the environment (BTCTURK_API_KEY, BTCTURK_API_SECRET) or the
config file; never from the command line, where shell history and ps show them.

Environment:
  BTCTURK_API_KEY      API public key (overrides api_key in the config file)
  BTCTURK_API_SECRET   API private key (overrides api_secret)
  BTCTURK_BAL_CONFIG   config file path (when --config is not given)
  BTCTURK_BASE_URL     API base URL (when --base-url is not given)
  BTCTURK_PROFILE      config profile (when --profile is not given)
  NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM=dumb   colour, as --color auto reads them

Exit codes: 0 ok, 2 usage, 65 bad history data, 66 history file unreadable,
69 API unreachable, 70 a bug in btcturk-bal (please report it), 74 output not
written, 75 rate limited or server error (try later), 76 unexpected response,
77 authentication rejected, 78 configuration, 130 interrupted (Ctrl-C).

Examples:
  btcturk-bal --non-zero
  btcturk-bal --value-in TRY --sort value --min-value 10
  btcturk-bal -o json | jq -r '.assets[] | select(.asset == \"BTC\") | .free'
  btcturk-bal -o csv --csv-locale tr --out balances.csv
  # crontab: every hour, one CSV history; cron has a short PATH and none of
  # your variables, so give the binary's full path and keep the keys in the
  # config file (the line's words are separated by tabs, so that help never
  # wraps it: it pastes into a crontab as it is)
  0\t*\t*\t*\t*\t/usr/bin/flock\t-n\t/tmp/btcturk-bal.lock\t/home/you/.cargo/bin/btcturk-bal\t-o\tcsv\t-z\t--append\t/home/you/balances.csv";

/// Show a BtcTurk account's balances as a table, JSON or CSV.
#[derive(Debug, Parser)]
#[command(name = "btcturk-bal", bin_name = "btcturk-bal", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub show: ShowArgs,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a completion script for SHELL to stdout.
    ///
    /// The README says where each shell looks for it, for example:
    ///
    /// btcturk-bal completions fish > ~/.config/fish/completions/btcturk-bal.fish
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: btcturk-bal man | man -l -
    Man,
    /// Create, locate or inspect the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Check the config, keys, network, clock and a signed request, one by one
    ///
    /// Checks, one by one, what a refused or failing run comes down to: the
    /// config file, the key pair, the network and TLS, the clock, a signed
    /// request and the public ticker. Exit code: the first failing check's.
    Doctor,
    /// Read back the CSV dumps btcturk-bal wrote: totals, one asset, changes
    ///
    /// Reads back the CSV dumps btcturk-bal wrote (say, hourly from cron
    /// with -o csv --append) as the account's story: one line per snapshot
    /// (a run) with its total value and the change, one asset's balance
    /// over time (--asset), or what changed (--changes).
    History(HistoryArgs),
}

/// What `history` reads and shows.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// CSV files written by btcturk-bal -o csv (any --csv-locale,
    /// --delimiter, --value-in, --all-profiles); - or none for stdin (on a
    /// terminal, history_file from the config file).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// One asset's balance, price and value in each snapshot (any case).
    #[arg(short, long, value_name = "CODE", value_parser = parse_code, conflicts_with = "changes")]
    pub asset: Option<String>,

    /// Each asset's balance (and value) in the first snapshot and the last,
    /// and the change.
    #[arg(long)]
    pub changes: bool,

    /// Only snapshots from this time on: 2026-11-24T03:00:00Z, 2026-11-24,
    /// or a span back from the last snapshot (7d, 24h, 30m, 2w).
    #[arg(long, value_name = "WHEN", value_parser = |t: &str| When::parse(t, false))]
    pub since: Option<When>,

    /// Only snapshots up to this time (inclusive; a date means its end).
    #[arg(long, value_name = "WHEN", value_parser = |t: &str| When::parse(t, true))]
    pub until: Option<When>,

    /// No chart above the table on a terminal.
    #[arg(long)]
    pub no_chart: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented config template (mode 0600) to the config path.
    Init {
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the path of the config file in use.
    Path,
    /// Print the settings in effect and where each comes from (the secret
    /// redacted).
    Show,
}

/// What to show and how: the flags of the balance listing.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// Show only assets whose total balance is not zero.
    #[arg(short = 'z', long)]
    pub non_zero: bool,

    /// Show only these assets (codes like BTC or try; repeat the flag or
    /// separate with commas).
    #[arg(short, long = "asset", value_name = "CODE", value_delimiter = ',', value_parser = parse_code)]
    pub assets: Vec<String>,

    /// Value every asset in this currency from the exchange's public prices,
    /// and give the total.
    #[arg(long, value_name = "CUR", value_enum, ignore_case = true)]
    pub value_in: Option<Currency>,

    /// With --value-in: hide priced assets worth less than AMOUNT (dust).
    /// Assets without a price stay when their balance is not zero.
    #[arg(long, value_name = "AMOUNT", requires = "value_in", value_parser = parse_decimal)]
    pub min_value: Option<Figure>,

    /// Order of the assets: by code, or by balance or value, largest first
    /// (value needs --value-in).
    #[arg(long, value_enum, default_value_t = Sort::Asset)]
    pub sort: Sort,

    /// Leave out the CSV header line.
    #[arg(long)]
    pub no_header: bool,

    /// CSV field separator (one ASCII character) [default: , or ; with
    /// --csv-locale tr].
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// CSV for a spreadsheet in this locale: tr is ; between fields, a
    /// decimal comma and a UTF-8 byte order mark.
    #[arg(long, value_name = "LOCALE", value_enum)]
    pub csv_locale: Option<CsvLocale>,

    /// Write the output to FILE atomically (a reader never sees half a file)
    /// instead of stdout.
    #[arg(long, value_name = "FILE", conflicts_with = "append")]
    pub out: Option<PathBuf>,

    /// Add this run's output to the end of FILE in one write: the CSV header
    /// only when FILE is new or empty, nothing when the run fails.
    #[arg(long, value_name = "FILE")]
    pub append: Option<PathBuf>,

    /// Fetch every profile of the config file at once and add a profile
    /// column (with --value-in, a grand total).
    #[arg(long, conflicts_with = "profile")]
    pub all_profiles: bool,

    /// Redraw every SECS seconds (at least 5) until Ctrl-C, riding out
    /// network and server faults.
    #[arg(long, value_name = "SECS", value_parser = |t: &str| whole(t, 5..=86400), conflicts_with_all = ["out", "append"])]
    pub watch: Option<u64>,
}

/// The command line as clap reads it: the derived definition, with each
/// subcommand's `--help` listing only the shared flags that apply to it.
/// A shared flag that does not apply is given to that subcommand as a
/// hidden copy, which clap's propagation of the shared one then leaves be.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    const ALL: [&str; 9] = [
        "config", "profile", "base_url", "timeout", "retries", "max_wait", "color", "verbose",
        "quiet",
    ];
    const NETWORK: [&str; 5] = ["profile", "base_url", "timeout", "retries", "max_wait"];
    let cmd = Cli::command();
    let shared: Vec<clap::Arg> = cmd.get_arguments().cloned().collect();
    let hide = |mut sub: clap::Command, ids: &[&str]| {
        for arg in shared.iter().filter(|a| ids.contains(&a.get_id().as_str())) {
            sub = sub.arg(arg.clone().global(false).hide(true));
        }
        sub
    };
    cmd.clone()
        .mut_subcommand("completions", |c| hide(c, &ALL))
        .mut_subcommand("man", |c| hide(c, &ALL))
        .mut_subcommand("history", |c| {
            hide(
                c,
                &[
                    "config", "base_url", "timeout", "retries", "max_wait", "verbose", "quiet",
                ],
            )
        })
        .mut_subcommand("config", |c| {
            c.mut_subcommand("init", |c| hide(c, &NETWORK))
                .mut_subcommand("path", |c| hide(c, &NETWORK))
                .mut_subcommand("show", |c| hide(c, &["retries", "max_wait"]))
        })
}

/// The command line, parsed (exiting with clap's message on a usage error).
/// A command line that parses needs none of `command`'s help tailoring, so
/// only one that does not (help, version, a usage error) is read again
/// through it, for clap to print.
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    match Cli::command().try_get_matches() {
        Ok(matches) => Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()),
        Err(_) => {
            let matches = command().get_matches();
            Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
        }
    }
}

/// Settings every command shares.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Config file [default: $BTCTURK_BAL_CONFIG, else config.toml in the
    /// user config directory, e.g. ~/.config/btcturk-bal/config.toml].
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,

    /// Config profile: a [profiles.NAME] table of the config file
    /// [default: $BTCTURK_PROFILE, else the top-level keys].
    #[arg(short, long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// API base URL [default: $BTCTURK_BASE_URL, else base_url from the
    /// config file, else https://api.btcturk.com].
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,

    /// Seconds each attempt may take, connecting and reading included
    /// [default: timeout_secs from the config file, else 10].
    #[arg(long, value_name = "SECS", global = true, value_parser = |t: &str| whole(t, 1..=3600))]
    pub timeout: Option<u64>,

    /// Retries after a failed first attempt, for rate limiting, server
    /// errors, dropped connections and timeouts.
    #[arg(long, value_name = "N", global = true, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,

    /// Longest wait, in seconds, between attempts; a server that asks for a
    /// longer pause (Retry-After) ends the run with exit code 75 instead.
    #[arg(long, value_name = "SECS", global = true, default_value_t = 10, value_parser = |t: &str| whole(t, 0..=3600))]
    pub max_wait: u64,

    /// When to colour the output.
    #[arg(long, value_name = "WHEN", value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Log each request and response to stderr (the signature redacted, the
    /// key shortened).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Print no warnings or retry notes; errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvLocale {
    /// Turkish spreadsheets: ; separator, decimal comma, UTF-8 BOM.
    Tr,
}

/// An exact decimal from the command line (never through f64). A comma
/// followed by exactly three digits (`1,000`) may be a thousands separator
/// or a decimal comma: refused, with both readings, rather than guessed.
fn parse_decimal(text: &str) -> Result<Figure, String> {
    let shown = crate::text::clip(text, 40);
    let trimmed = text.trim();
    if let Some((int, frac)) = trimmed.split_once(',')
        && !int.contains('.')
        && frac.len() == 3
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !int.trim_start_matches(['-', '+']).is_empty()
    {
        return Err(format!(
            "{shown:?} is ambiguous: {int}{frac} with a thousands separator, or {int}.{frac} with a decimal comma; write {int}{frac} or {int}.{frac}"
        ));
    }
    if trimmed.contains(',') && trimmed.contains('.') {
        return Err(format!(
            "{shown:?} has a thousands separator; write the amount with digits and one decimal point or comma (1000.5 or 1000,5)"
        ));
    }
    crate::balance::Amount::parse(text)
        .ok()
        .and_then(|a| Figure::exact(a.as_str()))
        .ok_or_else(|| format!("{shown:?} is not a decimal number"))
}

/// An asset code: not empty (an unset shell variable would otherwise ask
/// for every asset).
fn parse_code(text: &str) -> Result<String, String> {
    let code = text.trim();
    if code.is_empty() {
        return Err("an asset code cannot be empty".into());
    }
    Ok(code.to_ascii_uppercase())
}

/// A whole number of seconds in `range`.
fn whole(text: &str, range: std::ops::RangeInclusive<u64>) -> Result<u64, String> {
    let fail = || format!("give whole seconds, {} to {}", range.start(), range.end());
    let n: u64 = text.trim().parse().map_err(|_| fail())?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(fail())
    }
}

/// One ASCII character, `\t` or `tab` for a tab.
fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "tab" => Ok(b'\t'),
        _ => match text.as_bytes() {
            [b] if b.is_ascii()
                && !b.is_ascii_alphanumeric()
                && *b != b'"'
                && *b != b'\n'
                && *b != b'\r' =>
            {
                Ok(*b)
            }
            _ => Err("the delimiter must be one ASCII punctuation character, or tab".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn codes_and_seconds() {
        assert_eq!(parse_code(" btc "), Ok("BTC".into()));
        assert!(parse_code("  ").is_err());
        assert_eq!(whole("7", 1..=3600), Ok(7));
        for bad in ["0.5", "0", "3601", "x", "-1"] {
            let err = whole(bad, 1..=3600).expect_err(bad);
            assert_eq!(err, "give whole seconds, 1 to 3600");
        }
    }

    #[test]
    fn amounts_with_a_thousands_separator_are_refused_with_both_readings() {
        let ok = |t: &str| parse_decimal(t).map(|f| f.to_string());
        assert_eq!(ok("1000").as_deref(), Ok("1000"));
        assert_eq!(ok("1000.5").as_deref(), Ok("1000.5"));
        assert_eq!(ok("1000,5").as_deref(), Ok("1000.5"));
        assert_eq!(ok("0,25").as_deref(), Ok("0.25"));
        assert_eq!(
            ok("1,000"),
            Err("\"1,000\" is ambiguous: 1000 with a thousands separator, or 1.000 with a decimal comma; write 1000 or 1.000".into())
        );
        assert!(ok("1.000,5").is_err_and(|e| e.contains("thousands separator")));
        assert!(ok("1,000.5").is_err_and(|e| e.contains("thousands separator")));
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter("|"), Ok(b'|'));
        for bad in ["", "ab", "a", "\"", "ş"] {
            assert!(parse_delimiter(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_value_or_a_usage_error(text in "\\PC{0,40}") {
            let _ = parse_delimiter(&text);
            let _ = parse_decimal(&text);
            let _ = parse_code(&text);
            let _ = whole(&text, 0..=3600);
        }
    }
}
