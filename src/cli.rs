//! The command line as the user typed it, and the rules it must keep. The
//! doc comments are the `--help` text. Each subcommand declares the flags
//! that apply to it, as flattened groups (config, network, output,
//! messages); `parse_from` is the one way in, and every usage error is
//! exit 2 in clap's format. Nothing here reads the config file or the
//! environment: `config.rs` turns this into settings.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::api::IpVersion;
use crate::figure::Figure;
use crate::history::{Format as HistoryFormat, Period, When};
use crate::render::Format;
use crate::report::Sort;
use crate::term::ColorChoice;
use crate::valuation::Currency;

// The variables of the environment the tool reads (config.rs reads
// them; the command line's help lists them).
pub const ENV_KEY: &str = "BTCTURK_API_KEY";
pub const ENV_SECRET: &str = "BTCTURK_API_SECRET";
pub const ENV_CONFIG: &str = "BTCTURK_BAL_CONFIG";
pub const ENV_BASE_URL: &str = "BTCTURK_BASE_URL";
pub const ENV_PROFILE: &str = "BTCTURK_PROFILE";
pub const ENV_IP_VERSION: &str = "BTCTURK_IP_VERSION";

/// The environment variables btcturk-bal reads, for `--help`, the manual
/// and the README (a test holds them to this table).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        ENV_KEY,
        "API public key (overrides api_key in the config file)",
    ),
    (ENV_SECRET, "API private key (overrides api_secret)"),
    (ENV_CONFIG, "config file path (when --config is not given)"),
    (ENV_BASE_URL, "API base URL (when --base-url is not given)"),
    (ENV_PROFILE, "config profile (when --profile is not given)"),
    (
        ENV_IP_VERSION,
        "4, 6 or any: the address family (when --ip-version is not given)",
    ),
    (
        "HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY",
        "proxies, as curl reads them (never for a plain-http loopback URL)",
    ),
    (
        "SSL_CERT_FILE, SSL_CERT_DIR",
        "certificate authorities to trust instead of the system's",
    ),
    (
        "NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM=dumb",
        "colour and box drawing, as --color auto reads them",
    ),
];

/// The end of `--help`: the keys rule, the environment and the exit codes
/// (from their tables in the code, as the manual and the README), examples.
fn after_help() -> String {
    let mut text = String::from(
        "Keys come from the environment (BTCTURK_API_KEY, BTCTURK_API_SECRET) or the\n\
         config file; never from the command line, where shell history and ps show them.\n\nEnvironment:\n",
    );
    for (name, meaning) in ENVIRONMENT {
        if name.len() > 20 {
            text.push_str(&format!("  {name}\n  {:20} {meaning}\n", ""));
        } else {
            text.push_str(&format!("  {name:<20} {meaning}\n"));
        }
    }
    text.push_str("\nExit codes:\n");
    for (code, meaning, _) in crate::error::exit::TABLE {
        text.push_str(&format!("  {code:<4} {meaning}\n"));
    }
    text.push_str(EXAMPLES);
    text
}

pub const EXAMPLES: &str = "
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
#[command(name = "btcturk-bal", bin_name = "btcturk-bal", version, about, after_help = after_help())]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub show: ShowArgs,

    #[command(flatten)]
    pub request: RequestArgs,

    /// The settings every command shares, as given.
    #[arg(skip)]
    pub common: Common,
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
    /// config file, the key pair, the network and TLS (the address family
    /// and local address used), the clock, a signed request and the public
    /// ticker. Exit code: the first failing check's.
    Doctor(RequestArgs),
    /// Read back the CSV dumps btcturk-bal wrote: totals, one asset, changes
    ///
    /// Reads back the CSV dumps btcturk-bal wrote (say, hourly from cron
    /// with -o csv --append) as the account's story: one line per snapshot
    /// (a run) with its total value and the change, one asset's balance
    /// over time (--asset), or what changed (--changes).
    History(HistoryArgs),
}

/// The flags of the commands that send requests: the balance listing
/// and `doctor`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub network: NetworkArgs,
    #[command(flatten)]
    pub messages: MessageArgs,
    #[command(flatten)]
    pub verbose: VerboseArg,
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
    #[arg(short, long, value_enum, default_value_t = HistoryFormat::Table)]
    pub output: HistoryFormat,

    /// One asset's balance, price and value in each snapshot (any case).
    #[arg(short, long, value_name = "CODE", value_parser = parse_code, conflicts_with = "changes")]
    pub asset: Option<String>,

    /// Each asset's balance (and value) in the first snapshot and the last,
    /// and the change.
    #[arg(long)]
    pub changes: bool,

    /// Only snapshots from this time on: 2026-11-24T03:00:00Z, 2026-11-24,
    /// or a span back from the last snapshot (7d, 24h, 30m, 2w).
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true, value_hint = clap::ValueHint::Other, value_parser = |t: &str| When::parse(t, false))]
    pub since: Option<When>,

    /// Only snapshots up to this time (inclusive; a date means its end).
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true, value_hint = clap::ValueHint::Other, value_parser = |t: &str| When::parse(t, true))]
    pub until: Option<When>,

    /// The holdings at this time: each asset in the last snapshot at or
    /// before it, and the total (a time, a date meaning its end, or a span
    /// back from the last snapshot).
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true, value_hint = clap::ValueHint::Other, value_parser = |t: &str| When::parse(t, true), conflicts_with_all = ["asset", "changes", "since", "until", "every"])]
    pub at: Option<When>,

    /// Only the last snapshot of each day, week (Monday to Sunday), month
    /// or year in the local time zone (TZ), with the change from the one
    /// before: period closes.
    #[arg(long, value_name = "PERIOD", value_enum, conflicts_with = "changes")]
    pub every: Option<Period>,

    /// No chart above the table on a terminal.
    #[arg(long)]
    pub no_chart: bool,

    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub messages: MessageArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented config template (mode 0600) to the config path.
    Init {
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        file: ConfigFileArg,
        #[command(flatten)]
        messages: MessageArgs,
    },
    /// Print the path of the config file in use.
    Path {
        #[command(flatten)]
        file: ConfigFileArg,
        #[command(flatten)]
        messages: MessageArgs,
    },
    /// Print the settings in effect and where each comes from (the secret
    /// redacted).
    Show {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        endpoint: EndpointArgs,
        #[command(flatten)]
        messages: MessageArgs,
    },
    /// Print the config file's profile names, one a line (for completion
    /// scripts and loops).
    Profiles {
        #[command(flatten)]
        file: ConfigFileArg,
        #[command(flatten)]
        messages: MessageArgs,
    },
}

/// What to show and how: the flags of the balance listing.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
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
    #[arg(long, value_enum, default_value_t = Sort::Asset, requires_if("value", "value_in"))]
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
    /// network and server faults; with --out, replace the file each time.
    #[arg(long, value_name = "SECS", value_parser = |t: &str| whole(t, 5..=86400), conflicts_with = "append")]
    pub watch: Option<u64>,
}

/// The config file.
#[derive(Debug, Args)]
#[command(next_help_heading = "Config")]
pub struct ConfigFileArg {
    /// Config file [default: $BTCTURK_BAL_CONFIG, else config.toml in the
    /// user config directory, e.g. ~/.config/btcturk-bal/config.toml].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The config file and the profile in it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Config")]
pub struct ConfigArgs {
    #[command(flatten)]
    pub file: ConfigFileArg,

    /// Config profile: a [profiles.NAME] table of the config file
    /// [default: $BTCTURK_PROFILE, else the top-level keys].
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Where requests go and how: the settings the config file also holds.
#[derive(Debug, Args)]
#[command(next_help_heading = "Network")]
pub struct EndpointArgs {
    /// API base URL [default: $BTCTURK_BASE_URL, else base_url from the
    /// config file, else https://api.btcturk.com].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Seconds each attempt may take, connecting and reading included
    /// [default: timeout_secs from the config file, else 10].
    #[arg(long, value_name = "SECS", value_parser = |t: &str| whole(t, 1..=3600))]
    pub timeout: Option<u64>,

    /// Reach the API over IPv4 only, IPv6 only, or either: an API key bound
    /// to an IPv4 address is refused over IPv6 [default: $BTCTURK_IP_VERSION,
    /// else ip_version from the config file, else any].
    #[arg(long, value_name = "VERSION", value_enum)]
    pub ip_version: Option<IpVersion>,
}

/// The network: where requests go, and how often they are tried.
#[derive(Debug, Args)]
#[command(next_help_heading = "Network")]
pub struct NetworkArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,

    /// Retries after a failed first attempt, for rate limiting, server
    /// errors, dropped connections and timeouts [default: 2].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,

    /// Longest wait, in seconds, between attempts; a server that asks for a
    /// longer pause (Retry-After) ends the run with exit code 75 instead
    /// [default: 10].
    #[arg(long, value_name = "SECS", value_parser = |t: &str| whole(t, 0..=3600))]
    pub max_wait: Option<u64>,
}

/// Colour, and how much is said on stderr.
#[derive(Debug, Args)]
#[command(next_help_heading = "Messages")]
pub struct MessageArgs {
    /// When to colour the output [default: auto].
    #[arg(long, value_name = "WHEN", value_enum)]
    pub color: Option<ColorChoice>,

    /// Print no warnings or notes; errors only.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--verbose`, for the commands that send requests.
#[derive(Debug, Args)]
#[command(next_help_heading = "Messages")]
pub struct VerboseArg {
    /// Log each request and response to stderr (the signature redacted, the
    /// key shortened).
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvLocale {
    /// Turkish spreadsheets: ; separator, decimal comma, UTF-8 BOM.
    Tr,
}

/// The settings every command shares, from the flags given before the
/// subcommand and after it. What a command does not take stays unset.
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub timeout: Option<u64>,
    pub ip_version: Option<IpVersion>,
    pub retries: u32,
    pub max_wait: u64,
    pub color: ColorChoice,
    pub verbose: bool,
    pub quiet: bool,
}

impl Default for Common {
    fn default() -> Self {
        Common {
            config: None,
            profile: None,
            base_url: None,
            timeout: None,
            ip_version: None,
            retries: 2,
            max_wait: 10,
            color: ColorChoice::Auto,
            verbose: false,
            quiet: false,
        }
    }
}

/// The shared settings: each flag from the command it was given to, the
/// subcommand's over those before it.
fn common(matches: &ArgMatches) -> Common {
    let mut levels = vec![matches];
    while let Some((_, sub)) = levels.last().and_then(|m| m.subcommand()) {
        levels.push(sub);
    }
    fn given<T: Clone + Send + Sync + 'static>(levels: &[&ArgMatches], id: &str) -> Option<T> {
        (levels.iter().rev())
            .filter(|m| m.try_contains_id(id).unwrap_or(false))
            .find(|m| m.value_source(id) == Some(ValueSource::CommandLine))
            .and_then(|m| m.get_one::<T>(id).cloned())
    }
    let default = Common::default();
    Common {
        config: given(&levels, "config"),
        profile: given(&levels, "profile"),
        base_url: given(&levels, "base_url"),
        timeout: given(&levels, "timeout"),
        ip_version: given(&levels, "ip_version"),
        retries: given(&levels, "retries").unwrap_or(default.retries),
        max_wait: given(&levels, "max_wait").unwrap_or(default.max_wait),
        color: given(&levels, "color").unwrap_or(default.color),
        verbose: given(&levels, "verbose").unwrap_or(false),
        quiet: given(&levels, "quiet").unwrap_or(false),
    }
}

/// The command line read and checked: a usage error is clap's error, for
/// the caller to print and exit 2 with.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = Cli::command();
    refuse_keys(&cmd, &args)?;
    let matches = cmd
        .try_get_matches_from_mut(&args)
        .map_err(|e| name_the_subcommand(e, &cmd))?;
    flags_before_the_subcommand(&cmd, &matches)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.common = common(&matches);
    check(&cli, &cmd)?;
    Ok(cli)
}

/// Keys are never taken from the command line, where shell history and
/// `ps` show them: `--api-key` and `--api-secret` are usage errors that
/// point to the environment, without echoing what followed them.
fn refuse_keys(cmd: &clap::Command, args: &[OsString]) -> Result<(), clap::Error> {
    let keyed = args.iter().skip(1).find_map(|arg| {
        let arg = arg.to_string_lossy();
        ["--api-key", "--api-secret"]
            .into_iter()
            .find(|flag| arg == *flag || arg.starts_with(&format!("{flag}=")))
    });
    match keyed {
        Some(flag) => Err(cmd.clone().error(
            ErrorKind::UnknownArgument,
            format!(
                "{flag} is not taken: keys on the command line end up in shell history and ps; \
                 set BTCTURK_API_KEY and BTCTURK_API_SECRET, or put them in the config file \
                 (btcturk-bal config init)"
            ),
        )),
        None => Ok(()),
    }
}

/// The subcommand a usage error was met in, as its usage line names it
/// (`btcturk-bal config show`), and that command.
fn command_of<'c>(e: &clap::Error, cmd: &'c clap::Command) -> (String, &'c clap::Command) {
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(usage)) => usage.to_string(),
        _ => String::new(),
    };
    let mut path = vec![cmd.get_name().to_owned()];
    let mut at = cmd;
    let words = usage
        .split_whitespace()
        .skip_while(|w| *w != cmd.get_name());
    for word in words.skip(1) {
        match at.find_subcommand(word) {
            Some(sub) => {
                path.push(word.to_owned());
                at = sub;
            }
            None => break,
        }
    }
    (path.join(" "), at)
}

/// Whether `flag` (`--base-url`, `-a`) names an argument of `cmd` or of
/// any command under it.
fn known_anywhere(cmd: &clap::Command, flag: &str) -> bool {
    let own = cmd.get_arguments().any(|a| {
        flag.strip_prefix("--")
            .is_some_and(|long| a.get_long() == Some(long))
            || flag
                .strip_prefix('-')
                .and_then(|s| s.chars().next())
                .is_some_and(|short| flag.len() == 2 && a.get_short() == Some(short))
    });
    own || cmd.get_subcommands().any(|sub| known_anywhere(sub, flag))
}

/// A flag of another command given to this one is named as such ("--timeout
/// does not apply to btcturk-bal history") instead of clap's "unexpected
/// argument" and its tip about values that begin with a dash.
fn name_the_subcommand(e: clap::Error, cmd: &clap::Command) -> clap::Error {
    if e.kind() != ErrorKind::UnknownArgument {
        return e;
    }
    let Some(ContextValue::String(given)) = e.get(ContextKind::InvalidArg) else {
        return e;
    };
    let flag = given.split('=').next().unwrap_or(given).to_owned();
    if !known_anywhere(cmd, &flag) {
        return e;
    }
    let (path, sub) = command_of(&e, cmd);
    sub.clone().error(
        ErrorKind::UnknownArgument,
        format!("{flag} does not apply to {path}"),
    )
}

/// Flags before a subcommand (`btcturk-bal -p work doctor`) are taken when
/// the subcommand takes them too, and only the shared ones: the balance
/// listing's (`-o`, `-z`...) before another command are refused, as are
/// flags the subcommand does not take at all.
fn flags_before_the_subcommand(cmd: &clap::Command, m: &ArgMatches) -> Result<(), clap::Error> {
    let Some((name, mut sub_m)) = m.subcommand() else {
        return Ok(());
    };
    let mut path = format!("{} {name}", cmd.get_name());
    let Some(mut leaf) = cmd.find_subcommand(name) else {
        return Ok(());
    };
    while let Some((name, next)) = sub_m.subcommand() {
        let Some(sub) = leaf.find_subcommand(name) else {
            break;
        };
        path = format!("{path} {name}");
        (leaf, sub_m) = (sub, next);
    }
    let listing: Vec<&clap::Id> = cmd
        .get_groups()
        .find(|g| g.get_id() == "ShowArgs")
        .map(|g| g.get_args().collect())
        .unwrap_or_default();
    for arg in cmd.get_arguments() {
        let id = arg.get_id();
        if m.value_source(id.as_str()) != Some(ValueSource::CommandLine) {
            continue;
        }
        let taken = !listing.contains(&id) && leaf.get_arguments().any(|a| a.get_id() == id);
        if !taken {
            let flag = arg
                .get_long()
                .map(|l| format!("--{l}"))
                .or_else(|| arg.get_short().map(|s| format!("-{s}")))
                .unwrap_or_else(|| id.to_string());
            // The subcommand has a flag of that name of its own (history's
            // -o): it goes after the subcommand's name.
            let own = arg
                .get_long()
                .is_some_and(|long| leaf.get_arguments().any(|a| a.get_long() == Some(long)));
            let message = if own {
                format!(
                    "{flag} before {name} is the balance listing's; put it after: {path} {flag} ..."
                )
            } else {
                format!("{flag} does not apply to {path}")
            };
            return Err(leaf.clone().error(ErrorKind::UnknownArgument, message));
        }
    }
    Ok(())
}

/// The rules clap's relations cannot say.
fn check(cli: &Cli, cmd: &clap::Command) -> Result<(), clap::Error> {
    let fail = |kind, message: &str| Err(cmd.clone().error(kind, message));
    let common = &cli.common;
    if common.verbose && common.quiet {
        return fail(
            ErrorKind::ArgumentConflict,
            "--verbose and --quiet cannot be used together",
        );
    }
    let show = &cli.show;
    let to_stdout = matches!(
        crate::output::Destination::new(show.out.as_deref(), show.append.as_deref()),
        crate::output::Destination::Stdout
    );
    let (append, watch_to_stdout) = (show.append.is_some(), show.watch.is_some() && to_stdout);
    let refusal = [
        (append, show.output.append_refusal()),
        (watch_to_stdout, show.output.watch_refusal()),
    ];
    if let Some((_, Some(why))) = refusal
        .into_iter()
        .find(|(given, why)| *given && why.is_some())
    {
        return fail(ErrorKind::ArgumentConflict, why);
    }
    if show.output != Format::Csv {
        let csv_only = [
            ("--no-header", show.no_header),
            ("--delimiter", show.delimiter.is_some()),
            ("--csv-locale", show.csv_locale.is_some()),
        ];
        if let Some((flag, _)) = csv_only.into_iter().find(|(_, given)| *given) {
            return fail(
                ErrorKind::ArgumentConflict,
                &format!("{flag} applies only to CSV output (-o csv)"),
            );
        }
    }
    Ok(())
}

/// An exact decimal from the command line (never through f64). A point or
/// comma after one to three digits and before exactly three (`1,000`,
/// `1.000`) may be a thousands separator (Turkish writes a thousand
/// `1.000`, English `1,000`) or a decimal one: refused, with both
/// readings, rather than guessed. After a lone 0 (`0.001`) it can only be
/// decimal.
fn parse_decimal(text: &str) -> Result<Figure, String> {
    let shown = crate::text::clip(text, 40);
    let trimmed = text.trim();
    if let Some((int, frac)) = trimmed.split_once([',', '.'])
        && !frac.contains([',', '.'])
        && frac.len() == 3
        && frac.bytes().all(|b| b.is_ascii_digit())
    {
        let digits = int.trim_start_matches(['-', '+']);
        if (1..=3).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
        {
            return Err(format!(
                "{shown:?} is ambiguous: {int}{frac} with a thousands separator, or {int}.{frac} as a decimal; write {int}{frac} or {int}.{frac}0"
            ));
        }
    }
    if trimmed.contains(',') && trimmed.contains('.') {
        return Err(format!(
            "{shown:?} has a thousands separator; write the amount with digits and one decimal point or comma (1000.5 or 1000,5)"
        ));
    }
    Figure::parse(text).map_err(|why| format!("{shown:?} {why}"))
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
    }

    /// The command line as `parse_from` reads it, or its usage error's text.
    fn parse(line: &str) -> Result<Cli, String> {
        let words = std::iter::once("btcturk-bal").chain(line.split_whitespace());
        parse_from(words).map_err(|e| {
            assert_eq!(e.exit_code(), 2, "{e}");
            e.to_string()
        })
    }

    fn refused(line: &str, words: &[&str]) {
        let message = parse(line).expect_err(line);
        for word in words {
            assert!(message.contains(word), "{word:?} not in {message}");
        }
    }

    #[test]
    fn a_flag_of_another_command_names_the_flag_and_the_subcommand() {
        refused(
            "history --timeout 5",
            &["--timeout does not apply to btcturk-bal history"],
        );
        refused(
            "completions bash --timeout 5",
            &["--timeout does not apply to btcturk-bal completions"],
        );
        refused(
            "config path -p work",
            &["-p does not apply to btcturk-bal config path"],
        );
        refused("history -v", &["-v does not apply to btcturk-bal history"]);
        refused("doctor -z", &["-z does not apply to btcturk-bal doctor"]);
        // No tip about values that begin with a dash.
        let message = parse("history dump.csv --retries 3").expect_err("retries");
        assert!(!message.contains("tip:"), "{message}");
        // A flag no command has is clap's own error.
        refused("history --no-such-flag", &["unexpected argument"]);
    }

    #[test]
    fn the_listing_s_flag_before_a_subcommand_with_its_own_says_where_it_goes() {
        refused(
            "-o csv history dump.csv",
            &[
                "--output before history is the balance listing's; put it after: btcturk-bal history --output ...",
            ],
        );
        parse("history -o csv dump.csv").expect("after history");
    }

    #[test]
    fn flags_before_a_subcommand_count_when_it_takes_them() {
        let cli = parse("-p work --timeout 5 doctor").expect("doctor");
        let c = cli.common;
        assert_eq!(c.profile.as_deref(), Some("work"));
        assert_eq!(c.timeout, Some(5));
        assert_eq!(
            parse("--config c.toml history")
                .expect("history")
                .common
                .config,
            Some("c.toml".into())
        );
        // The one after the subcommand wins.
        assert_eq!(
            parse("--timeout 5 doctor --timeout 7")
                .expect("doctor")
                .common
                .timeout,
            Some(7)
        );
    }

    #[test]
    fn flags_before_a_subcommand_that_it_does_not_take_are_refused() {
        refused(
            "--base-url x history",
            &["--base-url does not apply to btcturk-bal history"],
        );
        refused(
            "-p work config path",
            &["--profile does not apply to btcturk-bal config path"],
        );
        // The balance listing's flags are not carried to another command.
        refused(
            "-o json history",
            &["--output before history is the balance listing's"],
        );
        refused(
            "-z doctor",
            &["--non-zero does not apply to btcturk-bal doctor"],
        );
    }

    #[test]
    fn history_takes_its_own_asset_flag_after_the_files() {
        let cli = parse("history a.csv b.csv -a btc").expect("history");
        let Some(Command::History(h)) = cli.command else {
            panic!("not history");
        };
        assert_eq!(h.asset.as_deref(), Some("BTC"));
        assert_eq!(h.files.len(), 2);
    }

    #[test]
    fn keys_are_refused_without_echoing_them() {
        for line in [
            "--api-key=abc123",
            "--api-secret abc123",
            "history --api-key abc123",
        ] {
            let message = parse(line).expect_err(line);
            assert!(message.contains("keys on the command line"), "{message}");
            assert!(!message.contains("abc123"), "{message}");
        }
    }

    #[test]
    fn sort_by_value_needs_a_currency() {
        refused("--sort value", &["--value-in"]);
        parse("--sort value --value-in try").expect("valued");
    }

    #[test]
    fn min_value_needs_a_currency() {
        refused("--min-value 10", &["--value-in"]);
    }

    #[test]
    fn append_with_json_points_to_json_lines() {
        refused("-o json --append runs.json", &["-o jsonl"]);
        parse("-o jsonl --append runs.jsonl").expect("jsonl");
    }

    #[test]
    fn csv_flags_need_csv_output() {
        refused("--no-header", &["--no-header applies only to CSV output"]);
        refused(
            "-o json --delimiter ;",
            &["--delimiter applies only to CSV output"],
        );
        refused(
            "--csv-locale tr",
            &["--csv-locale applies only to CSV output"],
        );
        parse("-o csv --csv-locale tr --no-header").expect("csv");
    }

    #[test]
    fn one_destination_and_watch_replaces_a_file_never_appends() {
        refused("--out a --append b", &["--out"]);
        refused("--watch 10 --append a", &["--watch"]);
        parse("--watch 10 -o prometheus --out a").expect("a file replaced each round");
        refused("-o prometheus --append a", &["use --out FILE"]);
        refused("--watch 10 -o prometheus", &["use --out FILE"]);
        refused("--watch 10 -o prometheus --out -", &["use --out FILE"]);
        refused("--append a", &["--append with a table"]);
        refused("-o table --append a", &["use -o csv or -o jsonl"]);
        refused("history -o prometheus", &["invalid value 'prometheus'"]);
        refused("--watch 2", &["5 to 86400"]);
    }

    #[test]
    fn all_profiles_or_one() {
        refused("--all-profiles -p work", &["--all-profiles"]);
    }

    #[test]
    fn verbose_and_quiet_conflict_wherever_they_stand() {
        refused("-v -q", &["cannot be used with"]);
        refused(
            "-q doctor -v",
            &["--verbose and --quiet cannot be used together"],
        );
    }

    #[test]
    fn network_defaults_and_ip_versions() {
        let c = parse("").expect("bare").common;
        assert_eq!((c.retries, c.max_wait, c.ip_version), (2, 10, None));
        for (text, version) in [
            ("4", IpVersion::V4),
            ("6", IpVersion::V6),
            ("any", IpVersion::Any),
        ] {
            let c = parse(&format!("--ip-version {text}")).expect(text).common;
            assert_eq!(c.ip_version, Some(version));
        }
        refused("--ip-version 5", &["invalid value '5'"]);
        refused(
            "config show --retries 3",
            &["--retries does not apply to btcturk-bal config show"],
        );
    }

    #[test]
    fn config_profiles_takes_the_config_file() {
        let cli = parse("config profiles --config c.toml").expect("profiles");
        assert_eq!(cli.common.config, Some("c.toml".into()));
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
            Err("\"1,000\" is ambiguous: 1000 with a thousands separator, or 1.000 as a decimal; write 1000 or 1.0000".into())
        );
        assert_eq!(
            ok("1.000"),
            Err("\"1.000\" is ambiguous: 1000 with a thousands separator, or 1.000 as a decimal; write 1000 or 1.0000".into())
        );
        assert!(ok("-250.500").is_err_and(|e| e.contains("ambiguous")));
        // Never a thousands separator: after 0, after four digits, or
        // before other than three digits.
        assert_eq!(ok("0.001").as_deref(), Ok("0.001"));
        assert_eq!(ok("0,001").as_deref(), Ok("0.001"));
        assert_eq!(ok("1000.000").as_deref(), Ok("1000.000"));
        assert_eq!(ok("1.5").as_deref(), Ok("1.5"));
        assert_eq!(ok("1.0000").as_deref(), Ok("1.0000"));
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
