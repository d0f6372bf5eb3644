//! --ip-version (BTCTURK_IP_VERSION, ip_version): the address family a
//! request may use, against the fake API on 127.0.0.1 and on ::1.

use crate::ACCOUNT;
use crate::support::{FakeApi, Reply, Sandbox, run, standard};

fn on(addr: &str) -> Option<FakeApi> {
    let api = FakeApi::on(addr, |req| standard(req, ACCOUNT));
    if api.is_none() {
        crate::support::skipping(&format!(
            "no {addr} on this machine: an IP version test not run"
        ));
    }
    api
}

#[test]
fn each_family_reaches_a_server_of_its_own_and_only_that() {
    let sandbox = Sandbox::new();
    let v4 = on("127.0.0.1:0").expect("127.0.0.1");
    for allowed in ["4", "any"] {
        let out = run(sandbox
            .cmd(&v4)
            .args(["-o", "csv", "--ip-version", allowed]));
        out.succeeds();
        assert!(out.stdout.contains("BTC"), "{}", out.stdout);
    }
    run(sandbox.cmd(&v4).args(["--ip-version", "6"])).fails(
        69,
        &["127.0.0.1 is an IPv4 address, and --ip-version 6 was asked for"],
    );
    let Some(v6) = on("[::1]:0") else { return };
    assert!(v6.url().starts_with("http://[::1]:"), "{}", v6.url());
    for allowed in ["6", "any"] {
        run(sandbox.cmd(&v6).args(["--ip-version", allowed])).succeeds();
    }
    let refused = run(sandbox.cmd(&v6).args(["--ip-version", "4"]));
    refused.fails(
        69,
        &["::1 is an IPv6 address, and --ip-version 4 was asked for"],
    );
    assert!(
        refused.hint().contains("ip_version 4 (from --ip-version, BTCTURK_IP_VERSION or ip_version in the config file) allows no other family"),
        "{}",
        refused.stderr
    );
    assert_eq!(v6.hits(crate::support::BALANCES), 2);
}

#[test]
fn the_environment_and_the_config_file_set_it_and_the_flag_wins() {
    let sandbox = Sandbox::new();
    let api = on("127.0.0.1:0").expect("127.0.0.1");
    run(sandbox.cmd(&api).env("BTCTURK_IP_VERSION", "6")).fails(69, &["is an IPv4 address"]);
    run(sandbox
        .cmd(&api)
        .env("BTCTURK_IP_VERSION", "6")
        .args(["--ip-version", "4"]))
    .succeeds();
    let config = sandbox.write_config(&sandbox.default_config(), "ip_version = 6\n");
    run(&mut sandbox.cmd(&api)).fails(69, &["is an IPv4 address"]);
    sandbox.write_config(&config, "ip_version = \"4\"\n");
    run(&mut sandbox.cmd(&api)).succeeds();
    let show = run(sandbox.cmd(&api).args(["config", "show"]));
    show.succeeds();
    assert!(show.stdout.contains("ip_version    4"), "{}", show.stdout);
    assert!(
        show.stdout.contains("ip_version on line 1 of"),
        "{}",
        show.stdout
    );
}

#[test]
fn a_value_that_is_no_family_is_refused_naming_where_it_came_from() {
    let sandbox = Sandbox::new();
    let api = on("127.0.0.1:0").expect("127.0.0.1");
    let env = run(sandbox.cmd(&api).env("BTCTURK_IP_VERSION", "ipv5"));
    env.fails(
        78,
        &["error: env BTCTURK_IP_VERSION must be 4, 6 or \"any\""],
    );
    assert!(!env.stderr.contains("config file"), "{}", env.stderr);
    // Exactly what the flag takes: no padding, no other case.
    for near in [" 4", "4 ", "ANY", "Any"] {
        run(sandbox.cmd(&api).env("BTCTURK_IP_VERSION", near)).fails(
            78,
            &["error: env BTCTURK_IP_VERSION must be 4, 6 or \"any\""],
        );
    }
    sandbox.write_config(&sandbox.default_config(), "\nip_version = 5\n");
    run(&mut sandbox.cmd(&api)).fails(78, &["ip_version on line 2 of", "must be 4, 6"]);
    let odd = run(sandbox.cmd(&api).args(["--ip-version", "ş"]));
    assert_eq!(odd.code, 2, "{}", odd.stderr);
    assert!(
        odd.stderr.contains("possible values: 4, 6, any"),
        "{}",
        odd.stderr
    );
    assert_eq!(api.hits(crate::support::BALANCES), 0);
}

#[test]
fn doctor_names_the_family_and_the_local_address() {
    let sandbox = Sandbox::new();
    let v4 = on("127.0.0.1:0").expect("127.0.0.1");
    let out = run(sandbox.cmd(&v4).arg("doctor"));
    assert!(
        out.stdout.contains(&format!(
            "answers, over IPv4 from 127.0.0.1 to {}",
            v4.url().trim_start_matches("http://")
        )),
        "{}",
        out.stdout
    );
    let Some(v6) = on("[::1]:0") else { return };
    let out = run(sandbox.cmd(&v6).arg("doctor"));
    assert!(
        out.stdout.contains("answers, over IPv6 from ::1 to [::1]:"),
        "{}",
        out.stdout
    );
}

#[test]
fn doctor_names_ipv6_first_when_a_key_is_refused_over_it() {
    let sandbox = Sandbox::new();
    let refusing = |req: &crate::support::Request| match req.path.as_str() {
        crate::support::BALANCES => Reply::unauthorized(),
        _ => standard(req, ACCOUNT),
    };
    let Some(v6) = FakeApi::on("[::1]:0", refusing) else {
        crate::support::skipping("no ::1 on this machine: the IPv6 refusal test not run");
        return;
    };
    let out = run(sandbox.cmd(&v6).arg("doctor"));
    assert_eq!(out.code, 77, "{}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("signed request:"))
        .expect("a signed request line");
    assert!(
        lines[first]
            .starts_with("PROBLEM  signed request: refused, and it went over IPv6 (from ::1)"),
        "{}",
        out.stdout
    );
    assert!(
        lines[first + 1].contains("ip_version = 4"),
        "{}",
        out.stdout
    );
    // IPv6 only asked for: ip_version = 4 is no advice then.
    let asked = run(sandbox.cmd(&v6).args(["doctor", "--ip-version", "6"]));
    assert_eq!(asked.code, 77, "{}", asked.stdout);
    assert!(!asked.stdout.contains("ip_version = 4"), "{}", asked.stdout);
    assert!(
        asked.stdout.contains(
            "register this IPv6 address with the key (IPv6 only was asked for: ip_version 6)"
        ),
        "{}",
        asked.stdout
    );
    // The listing's refusal says the same, in its error and hint.
    let listing = run(&mut sandbox.cmd(&v6));
    listing.fails(
        77,
        &["authentication rejected by the API (401), over IPv6 from ::1"],
    );
    assert!(
        listing.hint().contains("set ip_version = 4"),
        "{}",
        listing.stderr
    );
    let asked = run(sandbox.cmd(&v6).args(["--ip-version", "6"]));
    asked.fails(77, &["over IPv6 from ::1"]);
    assert!(
        asked
            .hint()
            .ends_with("register this IPv6 address with the key (IPv6 only was asked for)"),
        "{}",
        asked.stderr
    );
    // Over IPv4 the same refusal does not blame the family.
    let v4 = FakeApi::start(refusing);
    let out = run(sandbox.cmd(&v4).arg("doctor"));
    assert_eq!(out.code, 77, "{}", out.stdout);
    assert!(!out.stdout.contains("IPv6 ("), "{}", out.stdout);
    let listing = run(&mut sandbox.cmd(&v4));
    listing.fails(77, &["authentication rejected by the API (401)"]);
    assert!(!listing.stderr.contains("IPv6"), "{}", listing.stderr);
}
