//! btcturk-bal: show a BtcTurk account's balances as a table, JSON or CSV.

fn main() -> std::process::ExitCode {
    btcturk_bal::main()
}
