//! A fake BtcTurk API for the benchmark (`bench/bench.py`): serves a
//! generated account of N assets on 127.0.0.1, and the ticker, as fast as
//! std allows. It does not check signatures: the programs compared send
//! precomputed headers whose stamp would go stale.
//!
//! Usage: bench_server ASSETS [FILE_TO_WRITE_THE_BODY]; prints the URL.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

#[path = "../bench/fixture.rs"]
mod fixture;

fn main() {
    let mut args = std::env::args().skip(1);
    let assets: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .expect("usage: bench_server ASSETS [BODY_FILE]");
    let balances = Arc::new(fixture::account(assets));
    if let Some(path) = args.next() {
        std::fs::write(path, &*balances).expect("write body file");
    }
    let ticker = Arc::new(fixture::ticker());
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
