//! `btcturk-bal man`: the manual page. clap_mangen writes the name,
//! synopsis and options from the command line's own help; the sections
//! that document the tool as a whole (the config file, profiles, the
//! environment, formats, files for cron, valuation, exit codes, examples)
//! are written here.

use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

/// One piece of a section.
enum Item {
    /// A paragraph.
    Para(&'static str),
    /// A term and what it means.
    Term(&'static str, &'static str),
    /// Lines shown as they are (commands, file contents).
    Example(&'static str),
    /// The environment variables, from their table in `config`.
    Environment,
    /// The exit codes, from their table in `error::exit`.
    ExitCodes,
}

use Item::{Environment, Example, ExitCodes, Para, Term};

const SECTIONS: &[(&str, &[Item])] = &[
    (
        "COMMANDS",
        &[
            Term(
                "btcturk-bal [OPTIONS]",
                "Show the account's balances (the default).",
            ),
            Term(
                "btcturk-bal doctor",
                "Check the config file, the key pair, the network and TLS, the clock, a signed request and the public ticker, a line each; exit with the first failing check's code.",
            ),
            Term(
                "btcturk-bal config init [--force]",
                "Write a commented config template (mode 0600, in directories made 0700).",
            ),
            Term(
                "btcturk-bal config path",
                "Print the path of the config file in use.",
            ),
            Term(
                "btcturk-bal config profiles",
                "Print the config file's profile names, one a line (the completion scripts ask it for -p).",
            ),
            Term(
                "btcturk-bal config show",
                "Print every setting in effect and where it came from, the secret redacted.",
            ),
            Term(
                "btcturk-bal completions SHELL",
                "Print a completion script for bash, zsh, fish, powershell or elvish.",
            ),
            Term(
                "btcturk-bal history [FILE]...",
                "Read back the CSV dumps btcturk-bal wrote: a line per snapshot with its total and change, one asset over time (--asset), what changed (--changes), or the holdings at a time (--at TIME: the last snapshot at or before it, each asset and the total; before the first snapshot, exit 65); --every day|week|month|year keeps each period's last snapshot, counted in the local time zone (TZ); --since, --until, -p; a chart on a terminal.",
            ),
            Term("btcturk-bal man", "Print this manual page."),
        ],
    ),
    (
        "CONFIGURATION",
        &[
            Para(
                "The API key pair comes from the environment (BTCTURK_API_KEY, BTCTURK_API_SECRET) or from the config file, never from the command line, where shell history and ps would show it. A flag beats the environment, which beats the config file.",
            ),
            Para(
                "The config file is config.toml in the user's config directory ($XDG_CONFIG_HOME/btcturk-bal, else ~/.config/btcturk-bal on Linux; ~/Library/Application Support/btcturk-bal on macOS), or the file named by --config or BTCTURK_BAL_CONFIG. Its keys:",
            ),
            Term("api_key", "The API public key."),
            Term(
                "api_secret",
                "The API private key, base64, as BtcTurk showed it.",
            ),
            Term(
                "api_secret_command",
                "Instead of api_secret: a command run through sh -c whose trimmed output is the secret (a password manager, say). It runs as part of btcturk-bal's own job for at most 120 s (time suspended not counted), so it may prompt: Ctrl-C ends it and the run (130), Ctrl-Z suspends both, and a signal to btcturk-bal is passed on to it and what it started. More than 64 KiB of output is refused; neither its output nor its text is ever shown: a failure names its key and line.",
            ),
            Term(
                "base_url",
                "The API's address, https://HOST[:PORT] with no path, query, fragment or user info; https://api.btcturk.com by default. Plain http:// only for 127.0.0.1, ::1 and localhost.",
            ),
            Term(
                "timeout_secs",
                "Seconds each attempt may take, 1 to 3600 (10).",
            ),
            Term(
                "ip_version",
                "4, 6 or \"any\" (any): the address family requests use. BtcTurk binds a key to the addresses registered for it; a key bound to an IPv4 address is refused (401) over IPv6, so set 4 on a machine that has both. doctor shows the family and local address used.",
            ),
            Term(
                "history_file",
                "The dump history reads when given no FILE while stdin is a terminal (~/ is the home directory); a profile's own, else the top level's.",
            ),
            Para(
                "The file must be a regular file of at most 1 MiB. Group and others must not be able to write it, nor the directory it is in unless that directory has the sticky bit; if it holds a non-empty api_secret they must not be able to read it either (chmod 600). An error in it names the key and line, never a value.",
            ),
        ],
    ),
    (
        "PROFILES",
        &[
            Para(
                "The top-level keys are the default profile; each [profiles.NAME] table is another account, chosen with -p NAME or BTCTURK_PROFILE. A profile inherits base_url, timeout_secs and ip_version from the top level, never the keys: each names its own account. --all-profiles fetches every profile with a key of its own at once and adds a profile column (two profiles with one key are refused).",
            ),
            Example(
                "api_key = \"personal-public-key\"\napi_secret_command = \"pass show btcturk/personal\"\n\n[profiles.work]\napi_key = \"work-public-key\"\napi_secret_command = \"pass show btcturk/work\"",
            ),
        ],
    ),
    ("ENVIRONMENT", &[Environment]),
    (
        // Not OUTPUT: the options section has that heading already.
        "FORMATS",
        &[
            Term(
                "-o table",
                "For reading: every figure rounded half to even (balances at each asset's display precision, prices to at most 8 decimals, values and totals to 2); on a terminal it fits the width (COLUMNS, else the terminal's): long names shortened, then Name, Free and Locked hidden in that order, said under the table; box drawing and colour on a terminal, plain ASCII elsewhere.",
            ),
            Term(
                "-o json",
                "One object: fetched_at, assets (asset, name, balance, free, locked, order_fund, request_fund, precision; with --value-in price and value; with --all-profiles profile), and with --value-in valuation (currency, total, unpriced, profiles). Every amount is a string holding the exact value.",
            ),
            Term(
                "-o jsonl",
                "The same object compact on one line (JSON Lines), so that --append and --watch make a file of runs that jq -c reads; --append with -o json is refused (exit 2).",
            ),
            Term(
                "-o csv",
                "RFC 4180 with LF line endings. Columns: fetched_at, asset, name, balance, free, locked, order_fund, request_fund, precision; with --value-in price_try and value_try (or _usdt); with --all-profiles profile, last. --csv-locale tr writes ; between fields, a decimal comma and a UTF-8 byte order mark; --delimiter sets the separator; --no-header leaves the header out.",
            ),
            Term(
                "-o prometheus",
                "The Prometheus text format (0.0.4) for node_exporter's textfile collector, written with --out: gauges btcturk_balance, btcturk_balance_free and btcturk_balance_locked {asset}; with --value-in btcturk_price and btcturk_value {asset, currency} for priced assets and btcturk_portfolio_value {currency}; btcturk_fetched_timestamp_seconds. With --all-profiles every sample carries profile. Values are the exact decimal text (Prometheus reads float64); label values escaped; no timestamps. --append, and --watch onto stdout, are refused; --watch with --out replaces the file each round.",
            ),
            Para(
                "Stdout carries only data; messages go to stderr. Text from the server reaching a terminal is escaped (control characters, bidirectional overrides); to a file or a pipe JSON and CSV carry it exactly.",
            ),
        ],
    ),
    (
        "FILES FOR CRON",
        &[
            Term(
                "--append FILE",
                "Adds the output to FILE (created 0600) under an advisory lock: the header only when the file is new or empty, a refusal (exit 74) when it holds other lines than this run writes (JSON Lines and CSV, other columns, another delimiter, header or not), a new line first when its last line has none; a write that fails midway (a full disk, ulimit -f) is taken back, and a signal waits for the write to end. A lock held by another process is said after a second and given up after a minute (exit 75).",
            ),
            Term(
                "--out FILE",
                "Replaces FILE atomically through a temporary file beside it: a reader never sees half a file, a failed run leaves the old one. A symbolic link stays and its target is replaced; a FIFO or device is written into; permission bits are kept, never set-uid or set-gid; a new file is 0600 (-o prometheus: 0644, for node_exporter's user to read).",
            ),
            Para(
                "cron has a short PATH and none of the shell's variables: give the binary's full path and keep the keys in the config file.",
            ),
            Example(
                "0 * * * * /usr/bin/flock -n /tmp/btcturk-bal.lock /home/you/.cargo/bin/btcturk-bal -o csv -z --append /home/you/balances.csv",
            ),
        ],
    ),
    (
        "VALUATION",
        &[Para(
            "--value-in TRY or USDT prices every asset from the public ticker (the pair with the currency, else through the other quote currency) and adds up the total. Values are exact decimals; an asset without a price (or whose pair had no trades, last price 0) is listed unpriced and left out of the total. --min-value hides priced dust; --sort value orders by value.",
        )],
    ),
    (
        "EXIT STATUS",
        &[
            ExitCodes,
            Para(
                "SIGTERM and SIGHUP end a run as those signals do (the shell shows 143 and 129), at every step; putting an --out file in place and writing an --append block finish first, in milliseconds, so that no temporary file or half row is left.",
            ),
        ],
    ),
    (
        "EXAMPLES",
        &[Example(
            "btcturk-bal --non-zero\nbtcturk-bal --value-in TRY --sort value --min-value 10\nbtcturk-bal -o json | jq -r '.assets[] | select(.asset == \"BTC\") | .free'\nbtcturk-bal -o csv --csv-locale tr --out balances.csv\nbtcturk-bal doctor",
        )],
    ),
];

/// The whole page, as roff.
pub fn render() -> std::io::Result<Vec<u8>> {
    let man = Man::new(<crate::cli::Cli as clap::CommandFactory>::command());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    // No hyphenation, left-aligned: flags and paths stay whole.
    let mut roff = Roff::new();
    roff.control("nh", []).control("ad", ["l"]);
    roff.to_writer(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    sections().to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

fn sections() -> Roff {
    let mut roff = Roff::new();
    for (title, items) in SECTIONS {
        roff.control("SH", [*title]);
        for item in *items {
            match item {
                Para(text) => {
                    roff.control("PP", []).text([roman(*text)]);
                }
                Term(term, text) => term_item(&mut roff, term, text),
                Environment => {
                    for (name, meaning) in crate::cli::ENVIRONMENT {
                        term_item(&mut roff, name, &sentence(meaning, ""));
                    }
                }
                ExitCodes => {
                    for (code, meaning, fix) in crate::error::exit::TABLE {
                        term_item(&mut roff, &code.to_string(), &sentence(meaning, fix));
                    }
                }
                Example(lines) => {
                    roff.control("PP", [])
                        .control("RS", ["4"])
                        .control("nf", []);
                    for line in lines.lines() {
                        roff.text([roman(line)]);
                    }
                    roff.control("fi", []).control("RE", []);
                }
            }
        }
    }
    roff
}

fn term_item(roff: &mut Roff, term: &str, text: &str) {
    roff.control("TP", [])
        .text([bold(term)])
        .text([roman(text)]);
}

/// A table's meaning and advice as a sentence: "Bad command line: see ...".
fn sentence(meaning: &str, fix: &str) -> String {
    let mut chars = meaning.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    let meaning = format!("{}{}", first.unwrap_or_default(), chars.as_str());
    if fix.is_empty() {
        format!("{meaning}.")
    } else {
        format!("{meaning}: {fix}.")
    }
}
