//! A fake BtcTurk API for the benchmark (`bench/bench.py`): serves a
//! generated account of N assets on 127.0.0.1, and the ticker, as fast as
//! std allows. It does not check signatures: the programs compared send
//! precomputed headers whose stamp would go stale.
//!
//! Usage: bench_server ASSETS [FILE_TO_WRITE_THE_BODY]; prints the URL.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

fn main() {
    let mut args = std::env::args().skip(1);
    let assets: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .expect("usage: bench_server ASSETS [BODY_FILE]");
    let balances = Arc::new(account(assets));
    if let Some(path) = args.next() {
        std::fs::write(path, &*balances).expect("write body file");
    }
    let ticker = Arc::new(ticker());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut stdout = std::io::stdout();
    writeln!(stdout, "http://{}", listener.local_addr().expect("addr")).expect("stdout");
    stdout.flush().expect("flush");
    for stream in listener.incoming().flatten() {
        let (balances, ticker) = (balances.clone(), ticker.clone());
        std::thread::spawn(move || serve(stream, &balances, &ticker));
    }
}

fn serve(stream: TcpStream, balances: &[u8], ticker: &[u8]) {
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let (status, body) = match path.as_str() {
        "/api/v1/users/balances" => ("200 OK", balances),
        "/api/v2/ticker" => ("200 OK", ticker),
        _ => ("404 Not Found", &b""[..]),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = &stream;
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body));
}

/// An account like a real one: TRY, a few coins held, the rest zero (the
/// API lists every listed asset). Past ~180, synthetic codes.
fn account(n: usize) -> Vec<u8> {
    const HELD: [(&str, &str, &str, u32); 6] = [
        ("TRY", "Türk Lirası", "27223.7283250757643288", 2),
        ("BTC", "Bitcoin", "0.7502186644553258", 8),
        ("ETH", "Ethereum", "3.3109771999999998", 8),
        ("USDT", "Tether", "1520.44", 2),
        ("XRP", "Ripple", "9500.123456", 6),
        ("AVAX", "Avalanche", "12.50000000", 8),
    ];
    let mut out = String::with_capacity(n * 220 + 100);
    out.push_str(r#"{"data":["#);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let (code, name, balance, precision) = match HELD.get(i) {
            Some(&(c, n, b, p)) => (c.to_owned(), n.to_owned(), b, p),
            None => (format!("A{i:05}"), format!("Asset {i}"), "0", 8),
        };
        out.push_str(&format!(
            r#"{{"asset":"{code}","assetname":"{name}","balance":"{balance}","locked":"0","free":"{balance}","orderFund":"0","requestFund":"0","precision":{precision},"timestamp":1763952000000}}"#
        ));
    }
    out.push_str(r#"],"success":true,"message":null,"code":0}"#);
    out.into_bytes()
}

fn ticker() -> Vec<u8> {
    let pairs = [
        ("BTC", "TRY", "3400000"),
        ("BTC", "USDT", "99000.5"),
        ("ETH", "TRY", "120000"),
        ("USDT", "TRY", "34.34"),
        ("XRP", "USDT", "0.5123"),
        ("AVAX", "TRY", "1200.5"),
    ];
    let data: Vec<String> = pairs
        .iter()
        .map(|(n, d, last)| format!(r#"{{"pair":"{n}{d}","numeratorSymbol":"{n}","denominatorSymbol":"{d}","last":{last}}}"#))
        .collect();
    format!(
        r#"{{"success":true,"message":null,"code":0,"data":[{}]}}"#,
        data.join(",")
    )
    .into_bytes()
}
