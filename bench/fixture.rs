//! The generated account and ticker that the benchmarks serve (examples/
//! bench_server.rs) and parse (benches/inprocess.rs): one definition, so
//! both measure the same bytes.

/// An account like a real one: TRY, a few coins held, the rest zero (the
/// API lists every listed asset). Past ~180, synthetic codes.
pub fn account(n: usize) -> Vec<u8> {
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
            None => {
                // Out of code order, as the API lists: 7919 is prime, so
                // this is a permutation for any n not a multiple of it.
                let j = i * 7919 % n;
                (format!("A{j:05}"), format!("Asset {j}"), "0", 8)
            }
        };
        out.push_str(&format!(
            r#"{{"asset":"{code}","assetname":"{name}","balance":"{balance}","locked":"0","free":"{balance}","orderFund":"0","requestFund":"0","precision":{precision},"timestamp":1763952000000}}"#
        ));
    }
    out.push_str(r#"],"success":true,"message":null,"code":0}"#);
    out.into_bytes()
}

pub fn ticker() -> Vec<u8> {
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
