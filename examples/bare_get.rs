//! The benchmark's floor: the same signed GET as btcturk-bal, with headers
//! precomputed (from the environment), in about as little code as ureq
//! allows; the body goes to stdout unparsed.
//!
//! Usage: BENCH_URL=... BENCH_KEY=... BENCH_STAMP=... BENCH_SIGNATURE=... bare_get

use std::io::Write;

fn main() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"));
    let body = ureq::get(var("BENCH_URL"))
        .header("X-PCK", var("BENCH_KEY"))
        .header("X-Stamp", var("BENCH_STAMP"))
        .header("X-Signature", var("BENCH_SIGNATURE"))
        .header("Content-Type", "application/json")
        .call()
        .expect("GET")
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("body");
    std::io::stdout().write_all(&body).expect("stdout");
}
