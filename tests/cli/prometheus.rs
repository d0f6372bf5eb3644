//! `-o prometheus`: the text exposition format, read back by a real
//! Prometheus parser (the Python prometheus_client's) where one is
//! installed; `.ci/run` installs it.

use serde_json::Value;

use crate::support::{FakeApi, Reply, Request, Sandbox, TICKER, run, standard};

/// BTC priced in TRY, an asset with no price, and a code built to break a
/// label: a quote, a backslash and a line feed.
const ACCOUNT: &str = r#"{"success":true,"code":0,"message":null,"data":[
    {"asset":"TRY","balance":"1000,50","free":"900.5","locked":"100","precision":2},
    {"asset":"BTC","balance":"0.12345678901234567890","free":"0.1","locked":"0.02345678901234567890","precision":8},
    {"asset":"ZERO","balance":"0","free":"0","locked":"0","precision":8},
    {"asset":"a\"b\\c\nd","balance":"1e-8","free":"1e-8","locked":"0","precision":8}]}"#;

const TICKER_BODY: &str = r#"{"success":true,"message":null,"code":0,"data":[
    {"pair":"BTCTRY","numeratorSymbol":"BTC","denominatorSymbol":"TRY","last":2712345.5,"order":1}]}"#;

fn api() -> FakeApi {
    FakeApi::start(|req: &Request| match req.path.as_str() {
        TICKER => Reply::json(200, TICKER_BODY),
        _ => standard(req, ACCOUNT),
    })
}

const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"family": family.name, "type": family.type, "help": family.documentation,
                    "name": s.name, "labels": s.labels, "value": s.value,
                    "timestamp": s.timestamp})
print(json.dumps(out))
"#;

/// The samples a real Prometheus parser reads in `text`; `None` where no
/// parser is installed.
fn parsed(text: &str) -> Option<Vec<Value>> {
    use std::io::Write;
    for python in ["/usr/bin/python3", "python3"] {
        let Ok(mut child) = std::process::Command::new(python)
            .args(["-c", PARSE])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
        else {
            continue;
        };
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("python");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("No module named 'prometheus_client'") {
            continue;
        }
        assert!(
            out.status.success(),
            "the parser refused it: {stderr}\n{text}"
        );
        return serde_json::from_slice(&out.stdout).ok();
    }
    crate::support::skipping(
        "prometheus_client is not installed (apt-get install python3-prometheus-client): the Prometheus output not parsed",
    );
    None
}

/// The value of the sample `name` whose labels include `labels`.
fn sample<'a>(samples: &'a [Value], name: &str, labels: &[(&str, &str)]) -> &'a Value {
    samples
        .iter()
        .find(|s| {
            s["name"] == name
                && labels
                    .iter()
                    .all(|(k, v)| s["labels"][*k].as_str() == Some(*v))
        })
        .map(|s| &s["value"])
        .unwrap_or_else(|| panic!("no {name} {labels:?} in {samples:?}"))
}

#[test]
fn the_exposition_is_read_by_a_prometheus_parser_with_exact_values() {
    let api = api();
    let sandbox = Sandbox::new();
    let out = run(sandbox
        .cmd(&api)
        .args(["-o", "prometheus", "--value-in", "TRY"]));
    out.succeeds();
    let text = &out.stdout;
    // Exact decimal text, as the API sent it (the comma made a point).
    for line in [
        "btcturk_balance{asset=\"BTC\"} 0.12345678901234567890",
        "btcturk_balance_free{asset=\"TRY\"} 900.5",
        "btcturk_balance_locked{asset=\"BTC\"} 0.02345678901234567890",
        "btcturk_balance{asset=\"TRY\"} 1000.50",
        "btcturk_price{asset=\"BTC\",currency=\"TRY\"} 2712345.5",
        "btcturk_value{asset=\"BTC\",currency=\"TRY\"} 334857.46612208524660885995",
        "btcturk_portfolio_value{currency=\"TRY\"} 335857.96612208524660885995",
        "btcturk_balance{asset=\"a\\\"b\\\\c\\nd\"} 0.00000001",
        "# TYPE btcturk_portfolio_value gauge",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
    // Each family's HELP and TYPE once, every family a gauge.
    for family in [
        "btcturk_balance",
        "btcturk_balance_free",
        "btcturk_balance_locked",
        "btcturk_price",
        "btcturk_value",
        "btcturk_portfolio_value",
        "btcturk_fetched_timestamp_seconds",
    ] {
        assert_eq!(
            text.matches(&format!("# TYPE {family} gauge\n")).count(),
            1,
            "{family}"
        );
        assert_eq!(
            text.matches(&format!("# HELP {family} ")).count(),
            1,
            "{family}"
        );
    }
    let Some(samples) = parsed(text) else { return };
    assert!(
        samples
            .iter()
            .all(|s| s["type"] == "gauge" && s["timestamp"].is_null())
    );
    assert_eq!(
        sample(&samples, "btcturk_balance", &[("asset", "BTC")]),
        0.12345678901234568
    );
    let odd = sample(&samples, "btcturk_balance", &[("asset", "a\"b\\c\nd")]);
    assert_eq!(odd, 1e-8);
    // Unpriced assets have no price or value; the total is the priced ones.
    assert!(
        !samples
            .iter()
            .any(|s| s["name"] == "btcturk_value" && s["labels"]["asset"] == "ZERO")
    );
    let value = sample(
        &samples,
        "btcturk_value",
        &[("asset", "BTC"), ("currency", "TRY")],
    );
    assert_eq!(value.as_f64(), "334857.46612208524660885995".parse().ok());
    let total = sample(&samples, "btcturk_portfolio_value", &[("currency", "TRY")]);
    assert_eq!(total.as_f64(), "335857.96612208524660885995".parse().ok());
    let fetched = sample(&samples, "btcturk_fetched_timestamp_seconds", &[]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs_f64();
    assert!(
        (now - fetched.as_f64().expect("seconds")).abs() < 60.0,
        "{fetched}"
    );
}

#[test]
fn filters_apply_and_all_profiles_labels_every_sample() {
    let api = api();
    let sandbox = Sandbox::new();
    two_profiles(&sandbox, &api);
    let out = run(sandbox.bare().args([
        "-o",
        "prometheus",
        "--all-profiles",
        "-z",
        "--value-in",
        "try",
    ]));
    out.succeeds();
    assert!(!out.stdout.contains("ZERO"), "-z applies:\n{}", out.stdout);
    for line in out.stdout.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.contains("profile=\""), "no profile label: {line}");
    }
    let Some(samples) = parsed(&out.stdout) else {
        return;
    };
    for profile in ["default", "work"] {
        sample(
            &samples,
            "btcturk_balance",
            &[("profile", profile), ("asset", "BTC")],
        );
        sample(
            &samples,
            "btcturk_portfolio_value",
            &[("profile", profile), ("currency", "TRY")],
        );
        sample(
            &samples,
            "btcturk_fetched_timestamp_seconds",
            &[("profile", profile)],
        );
    }
}

#[test]
fn append_is_refused_and_history_does_not_take_it() {
    let sandbox = Sandbox::new();
    let out = run(sandbox
        .bare()
        .args(["-o", "prometheus", "--append", "x.prom"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("use --out FILE"), "{}", out.stderr);
    let out = run(sandbox.bare().args(["history", "-o", "prometheus"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn watch_replaces_the_file_each_round() {
    // Each round sees a larger balance; the file holds one round, whole.
    let api = FakeApi::start(|req: &Request| {
        let body = format!(
            r#"{{"success":true,"code":0,"data":[{{"asset":"BTC","balance":"{0}","free":"{0}","locked":"0"}}]}}"#,
            req.hit + 1
        );
        standard(req, &body)
    });
    let sandbox = Sandbox::new();
    let file = sandbox.home.path().join("btcturk.prom");
    let mut child = sandbox
        .cmd(&api)
        .args(["--watch", "5", "-o", "prometheus", "--out"])
        .env("BTCTURK_BAL_TEST_WATCH_MS", "100")
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // The second round's file, once it is in place.
    let text = crate::support::eventually("the second round's file", || {
        std::fs::read_to_string(&file)
            .ok()
            .filter(|text| text.contains("btcturk_balance{asset=\"BTC\"} 2\n"))
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        text.matches("# TYPE btcturk_balance gauge").count(),
        1,
        "{text}"
    );
}

/// A program from Debian's prometheus or prometheus-node-exporter
/// package: unpacked by `.ci/run` under target/debian-tools (never
/// installed), or installed on this machine. `None`, said, where neither.
fn debian_tool(name: &str) -> Option<std::path::PathBuf> {
    let unpacked = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/debian-tools/usr/bin")
        .join(name);
    if unpacked.exists() {
        return Some(unpacked);
    }
    let installed = std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Some(name.into());
    }
    crate::support::skipping(&format!(
        "{name} is not here (.ci/run unpacks Debian's prometheus and prometheus-node-exporter): the test against it not run"
    ));
    None
}

/// A config file with the default account and `work`, both at `api`.
fn two_profiles(sandbox: &Sandbox, api: &FakeApi) {
    let config = format!(
        "base_url = \"{}\"\napi_key = \"{}\"\napi_secret = \"{}\"\n[profiles.work]\napi_key = \"{}\"\napi_secret = \"{}\"\n",
        api.url(),
        crate::support::KEY,
        crate::support::SECRET,
        crate::support::KEY2,
        crate::support::SECRET2,
    );
    sandbox.write_config(&sandbox.default_config(), &config);
}

#[test]
fn promtool_accepts_every_variant_of_the_output() {
    let Some(promtool) = debian_tool("promtool") else {
        return;
    };
    let api = api();
    let sandbox = Sandbox::new();
    two_profiles(&sandbox, &api);
    // The account holds a code built to break a label (a quote, a
    // backslash, a line feed) in every variant.
    for variant in [
        &[][..],
        &["--value-in", "TRY"],
        &["--all-profiles"],
        &["--all-profiles", "--value-in", "USDT"],
        &["-z"],
        &["-a", "btc,zero"],
    ] {
        let out = run(sandbox.bare().args(["-o", "prometheus"]).args(variant));
        out.succeeds();
        let mut check = std::process::Command::new(&promtool)
            .args(["check", "metrics"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("promtool");
        std::io::Write::write_all(&mut child_stdin(&mut check), out.stdout.as_bytes())
            .expect("to promtool");
        let verdict = check.wait_with_output().expect("promtool");
        assert!(
            verdict.status.success(),
            "{variant:?}: {}{}\n{}",
            String::from_utf8_lossy(&verdict.stdout),
            String::from_utf8_lossy(&verdict.stderr),
            out.stdout
        );
    }
}

fn child_stdin(child: &mut std::process::Child) -> std::process::ChildStdin {
    child.stdin.take().expect("stdin")
}

/// GET `path` from 127.0.0.1:`port`: the body, or `None` while nothing
/// answers there.
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}

/// A scraped sample's value, as Prometheus holds it (float64).
fn scraped(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

#[test]
fn node_exporter_running_as_its_own_user_reads_the_file_as_the_readme_writes_it() {
    let Some(exporter) = debian_tool("prometheus-node-exporter") else {
        return;
    };
    // node_exporter runs as a user of its own, as Debian's package runs it
    // (prometheus); here nobody, which needs root to become.
    if !crate::support::is_root() {
        crate::support::skipping("not root: node_exporter cannot be run as another user");
        return;
    }
    // A textfile directory others may enter, as /var/lib/node_exporter is.
    let dir = tempfile::Builder::new()
        .prefix("textfile-")
        .tempdir_in("/tmp")
        .expect("dir");
    crate::support::set_mode(dir.path(), 0o755);
    let port = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        free.local_addr().expect("addr").port()
    };
    let mut exporter = std::process::Command::new("runuser")
        .args(["-u", "nobody", "--"])
        .arg(&exporter)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg(format!(
            "--collector.textfile.directory={}",
            dir.path().display()
        ))
        .args(["--collector.disable-defaults", "--collector.textfile"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("runuser and node_exporter");
    // The README's cron line, as root's crontab runs it.
    let t = crate::support::Setup::serving(crate::ACCOUNT);
    let file = dir.path().join("btcturk.prom");
    run(t.cmd().args(["-o", "prometheus", "--out"]).arg(&file)).succeeds();
    let metrics =
        crate::support::eventually("node_exporter answers", || http_get(port, "/metrics"));
    let _ = exporter.kill();
    let _ = exporter.wait();
    assert_eq!(
        scraped(&metrics, "node_textfile_scrape_error"),
        Some(0.0),
        "{metrics}"
    );
    // The exact decimals, as float64 holds them.
    for (series, exact) in [
        ("btcturk_balance{asset=\"BTC\"}", "9.7502186644553258"),
        ("btcturk_balance{asset=\"TRY\"}", "27223.7283250757643288"),
        (
            "btcturk_balance_locked{asset=\"BTC\"}",
            "3.3109771999999998",
        ),
        ("btcturk_balance{asset=\"ETH\"}", "0"),
    ] {
        let want: f64 = exact.parse().expect("a number");
        assert_eq!(scraped(&metrics, series), Some(want), "{series}\n{metrics}");
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&file).expect("file").permissions(),
    );
    assert_eq!(mode & 0o777, 0o644);
}

/// The README's rule file: its yaml block after "A rule file".
fn readme_rules() -> String {
    let readme = include_str!("../../README.md");
    let from = readme
        .find("A rule file that alerts")
        .expect("the rule file");
    let block = &readme[from..];
    let start = block.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = block[start..].find("```").expect("its end");
    block[start..start + end].to_owned()
}

#[test]
fn the_readme_s_alert_is_a_rule_file_that_fires_on_a_stale_file_only() {
    let Some(promtool) = debian_tool("promtool") else {
        return;
    };
    let sandbox = Sandbox::new();
    let rules = sandbox.home.path().join("btcturk.rules.yml");
    std::fs::write(&rules, readme_rules()).expect("rules");
    let check = std::process::Command::new(&promtool)
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .expect("promtool");
    assert!(check.status.success(), "{check:?}");
    // Fetched once at 0 and never again (stale after two hours and the
    // ten minutes of `for`); fetched every minute (fresh); never written.
    let tests = sandbox.home.path().join("tests.yml");
    std::fs::write(
        &tests,
        r#"rule_files: [btcturk.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'btcturk_fetched_timestamp_seconds{instance="stale"}'
        values: '0x200'
      - series: 'btcturk_fetched_timestamp_seconds{instance="fresh"}'
        values: '0+60x200'
    alert_rule_test:
      - eval_time: 125m
        alertname: BtcturkBalancesStale
        exp_alerts: []
      - eval_time: 135m
        alertname: BtcturkBalancesStale
        exp_alerts:
          - exp_labels: {instance: stale}
            exp_annotations:
              summary: btcturk-bal has not fetched balances for 2 hours
  - interval: 1m
    input_series:
      - series: 'node_textfile_scrape_error'
        values: '1x60'
    alert_rule_test:
      - eval_time: 20m
        alertname: BtcturkBalancesStale
        exp_alerts:
          - exp_labels: {}
            exp_annotations:
              summary: btcturk-bal has not fetched balances for 2 hours
"#,
    )
    .expect("tests");
    let test = std::process::Command::new(&promtool)
        .args(["test", "rules"])
        .arg(&tests)
        .current_dir(sandbox.home.path())
        .output()
        .expect("promtool");
    assert!(
        test.status.success(),
        "{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    );
}
