//! In-process benchmarks: parsing the balances answer, and building and
//! rendering each format, for a realistic account (180 assets) and a huge
//! one (50,000). The end-to-end figures, with the network and process
//! start-up, come from `bench/bench.py`.
//!
//!     cargo bench --bench inprocess

use btcturk_bal::balance::{Balances, Filter, parse_listing};
use btcturk_bal::cli::{Currency, Format, Sort};
use btcturk_bal::render::{self, CsvStyle, Options};
use btcturk_bal::report::{self, View};
use btcturk_bal::valuation::{Prices, parse_ticker};
use divan::{Bencher, black_box};
use serde_json::value::RawValue;

#[path = "../bench/fixture.rs"]
mod fixture;

const SIZES: [usize; 2] = [180, 50_000];

fn main() {
    divan::main();
}

fn body(assets: usize) -> String {
    String::from_utf8(fixture::account(assets)).expect("the fixture is UTF-8")
}

/// The parts of the balances, as the program gets them.
fn balances(body: &str) -> Vec<Balances<'_>> {
    parse_listing(body)
        .expect("the fixture is a listing")
        .expect("the fixture parses")
}

/// The balances as the report takes them.
fn fetched(body: &str) -> Vec<(Option<String>, Balances<'_>)> {
    balances(body)
        .into_iter()
        .map(|part| (None, part))
        .collect()
}

fn prices() -> Prices {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        data: &'a RawValue,
    }
    let ticker = fixture::ticker();
    let envelope: Envelope = serde_json::from_slice(&ticker).expect("the ticker fixture parses");
    parse_ticker(envelope.data).expect("the ticker fixture has prices")
}

fn view(value_in: Option<Currency>) -> View {
    View {
        filter: Filter::default(),
        value_in,
        min_value: None,
        sort: Sort::Asset,
    }
}

fn options(format: Format) -> Options {
    Options {
        format,
        header: true,
        csv: CsvStyle::default(),
        boxes: false,
        color: false,
    }
}

/// Body text to balances (what every format starts with).
#[divan::bench(args = SIZES)]
fn parse(bencher: Bencher, assets: usize) {
    let body = body(assets);
    bencher
        .counter(divan::counter::BytesCount::new(body.len()))
        .bench_local(|| balances(black_box(&body)));
}

/// Balances to output bytes: build the report (filter, sort) and render it
/// into a buffer (kept across runs, as the program's own write buffer is).
fn build_and_render(bencher: Bencher, assets: usize, format: Format, value_in: Option<Currency>) {
    let body = body(assets);
    let prices = prices();
    let (view, options) = (view(value_in), options(format));
    let fetched = fetched(&body);
    let mut out = Vec::new();
    bencher.bench_local(|| {
        let report = report::build(
            &fetched,
            Some(&prices),
            &view,
            "2026-11-24T00:00:00Z".into(),
        );
        out.clear();
        render::render(&report, &options, &mut out).expect("a Vec takes it all");
        out.len()
    });
}

/// Balances to a report (filter, sort), without rendering.
#[divan::bench(args = SIZES)]
fn build(bencher: Bencher, assets: usize) {
    let body = body(assets);
    let view = view(None);
    let fetched = fetched(&body);
    bencher.bench_local(|| {
        report::build(&fetched, None, &view, String::new())
            .rows()
            .len()
    });
}

#[divan::bench(args = SIZES)]
fn json(bencher: Bencher, assets: usize) {
    build_and_render(bencher, assets, Format::Json, None);
}

#[divan::bench(args = SIZES)]
fn csv(bencher: Bencher, assets: usize) {
    build_and_render(bencher, assets, Format::Csv, None);
}

#[divan::bench(args = SIZES)]
fn table(bencher: Bencher, assets: usize) {
    build_and_render(bencher, assets, Format::Table, None);
}

/// The table valued in TRY: prices looked up for every asset, totals added.
#[divan::bench(args = SIZES)]
fn table_valued(bencher: Bencher, assets: usize) {
    build_and_render(bencher, assets, Format::Table, Some(Currency::Try));
}
