//! Integration tests: the real binary against a fake BtcTurk API on
//! 127.0.0.1. Each test asserts what a user sees: exit code, stdout, stderr.

mod support;

#[path = "cli/config.rs"]
mod config;
#[path = "cli/doctor.rs"]
mod doctor;
#[path = "cli/edges.rs"]
mod edges;
#[path = "cli/faults.rs"]
mod faults;
#[path = "cli/files.rs"]
mod files;
#[path = "cli/hardening.rs"]
mod hardening;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/ip_version.rs"]
mod ip_version;
#[path = "cli/messages.rs"]
mod messages;
#[path = "cli/output.rs"]
mod output;
#[path = "cli/profiles.rs"]
mod profiles;
#[path = "cli/prometheus.rs"]
mod prometheus;
#[path = "cli/security.rs"]
mod security;
#[path = "cli/shell.rs"]
mod shell;
#[path = "cli/signals.rs"]
mod signals;
#[path = "cli/valuation.rs"]
mod valuation;
#[path = "cli/watch.rs"]
mod watch;

/// An account like the API page's example: comma decimals as the page
/// shows, dot decimals as the live API sends, a zero balance, a name that
/// needs CSV quoting, and the optional fields absent on one asset.
pub const ACCOUNT: &str = r#"{
  "data": [
    {"asset": "TRY", "assetname": "Türk Lirası", "balance": "27223,7283250757643288",
     "locked": "4874,3628685722294523", "free": "22349,3654565035348765",
     "orderFund": "4874,3628685722294523", "requestFund": "0", "precision": 2},
    {"asset": "BTC", "assetname": "Bitcoin", "balance": "9.7502186644553258",
     "locked": "3.3109771999999998", "free": "6.439241464455326",
     "orderFund": "3.3109771999999998", "requestFund": "0", "precision": 8,
     "timestamp": 1763952000000},
    {"asset": "ETH", "assetname": "Ethereum", "balance": "0.0000000000000000",
     "locked": "0", "free": "0.0000000000000000", "orderFund": "0", "requestFund": "0",
     "precision": 8},
    {"asset": "XYZ", "assetname": "Odd \"Token\", Inc.", "balance": "1.5",
     "locked": "0", "free": "1.5"}
  ],
  "success": true,
  "message": null,
  "code": 0
}"#;
