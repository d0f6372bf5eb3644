//! The command line as the user typed it. The doc comments are the `--help`
//! text. Nothing here is resolved: `config.rs` turns this into `Settings`.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use rust_decimal::Decimal;

const AFTER_HELP: &str = "\
Keys come from the environment (BTCTURK_API_KEY, BTCTURK_API_SECRET) or the
config file; never from the command line, where shell history and ps show them.

Environment:
  BTCTURK_API_KEY      API public key (overrides api_key in the config file)
  BTCTURK_API_SECRET   API private key (overrides api_secret)
  BTCTURK_BAL_CONFIG   config file path (when --config is not given)
  BTCTURK_BASE_URL     API base URL (when --base-url is not given)

Examples:
  btcturk-bal --non-zero
  btcturk-bal -o json | jq -r '.assets[] | select(.asset == \"BTC\") | .free'
  btcturk-bal -o csv -a btc,eth,try
  0 * * * * btcturk-bal -o csv -z --no-header >> $HOME/balances.csv

Exit codes: 0 ok, 2 usage, 69 API unreachable, 74 output not written,
75 rate limited or server error (try later), 76 unexpected response,
77 authentication rejected, 78 configuration.";

/// Show a BtcTurk account's balances as a table, JSON or CSV.
#[derive(Debug, Parser)]
#[command(name = "btcturk-bal", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// Show only assets whose total balance is not zero.
    #[arg(short = 'z', long)]
    pub non_zero: bool,

    /// Show only these assets (codes like BTC or try; repeat the flag or
    /// separate with commas).
    #[arg(short, long = "asset", value_name = "CODE", value_delimiter = ',')]
    pub assets: Vec<String>,

    /// Leave out the CSV header line (for appending to an existing file).
    #[arg(long)]
    pub no_header: bool,

    /// Config file [default: $BTCTURK_BAL_CONFIG, else config.toml in the
    /// user config directory, e.g. ~/.config/btcturk-bal/config.toml].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// API base URL [default: $BTCTURK_BASE_URL, else base_url from the
    /// config file, else https://api.btcturk.com].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Seconds each attempt may take, connecting and reading included
    /// [default: timeout_secs from the config file, else 10].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,

    /// Retries after a failed first attempt, for rate limiting, server
    /// errors, dropped connections and timeouts.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,

    /// Longest wait, in seconds, between attempts; a server that asks for a
    /// longer pause (Retry-After) ends the run with exit code 75 instead.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub max_wait: u64,

    /// Value every asset in this currency from the exchange's public prices,
    /// and give the total.
    #[arg(long, value_name = "CUR", value_enum, ignore_case = true)]
    pub value_in: Option<Currency>,

    /// With --value-in: hide priced assets worth less than AMOUNT (dust).
    /// Assets without a price stay when their balance is not zero.
    #[arg(long, value_name = "AMOUNT", requires = "value_in", value_parser = parse_decimal)]
    pub min_value: Option<Decimal>,

    /// Order of the assets: by code, or by balance or value, largest first
    /// (value needs --value-in).
    #[arg(long, value_enum, default_value_t = Sort::Asset)]
    pub sort: Sort,

    /// Log each request and response to stderr (the signature redacted, the
    /// key shortened).
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Currency {
    #[value(name = "TRY")]
    Try,
    #[value(name = "USDT")]
    Usdt,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Try => "TRY",
            Currency::Usdt => "USDT",
        }
    }

    /// The other quote currency, for routes without a direct pair.
    pub fn other(self) -> Currency {
        match self {
            Currency::Try => Currency::Usdt,
            Currency::Usdt => Currency::Try,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    /// By asset code, A to Z.
    Asset,
    /// By total balance, largest first.
    Balance,
    /// By value, largest first; assets without a price last.
    Value,
}

/// An exact decimal from the command line (never through f64).
fn parse_decimal(text: &str) -> Result<Decimal, String> {
    crate::balance::Amount::parse(text)
        .ok()
        .and_then(|a| a.to_decimal())
        .ok_or_else(|| format!("{text:?} is not a decimal number"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for reading: amounts at each asset's display precision,
    /// truncated toward zero.
    Table,
    /// One JSON object with every amount exactly as the API sent it.
    Json,
    /// RFC 4180 CSV with every amount exactly as the API sent it.
    Csv,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Cli::command().debug_assert();
    }
}
