//! A fake BtcTurk API on 127.0.0.1 and a clean command builder.
//!
//! The server checks every signed request the way the real one does:
//! headers present, key known, stamp within 5 s of its own clock (which a
//! test may set off), signature recomputed with the known secret. A request
//! that fails any check gets the real service's answer, 401 with an empty
//! body, so a signing bug fails the suite.

#![allow(dead_code)] // each test module uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const KEY: &str = "5f8c1e2a-0000-4bd1-9e3f-a1b2c3d4e5f6";
pub const SECRET: &str = "YnRjdHVyay1iYWwgdGVzdCB2ZWN0b3Igc2VjcmV0";
/// A second account's key pair, for profiles.
pub const KEY2: &str = "0a1b2c3d-1111-4e5f-8a9b-c0d1e2f3a4b5";
pub const SECRET2: &str = "c2Vjb25kIGFjY291bnQncyB0ZXN0IHNlY3JldA==";
/// A well-formed secret that is not the account's.
pub const WRONG_SECRET: &str = "d3Jvbmcgc2VjcmV0IGZvciB0aGUgdGVzdHM=";

pub const BALANCES: &str = "/api/v1/users/balances";
pub const SERVER_TIME: &str = "/api/v2/server/time";
pub const TICKER: &str = "/api/v2/ticker";

/// A request as the fake server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The signature check's verdict: Ok, or why the real API would refuse.
    pub auth: Result<(), String>,
    /// How many earlier requests had the same path.
    pub hit: usize,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the fake server does with a request.
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    Hangup,
    /// Declare `declared` bytes, send `body`, close.
    Truncated { declared: usize, body: Vec<u8> },
    /// Wait, then reply.
    Slow(Duration, Box<Reply>),
    /// `status` with `size` bytes of body, streamed.
    Huge { status: u16, size: usize },
    /// A `Respond` or `Huge` reply sent as `Transfer-Encoding: chunked`,
    /// with no Content-Length, in chunks of at most `chunk` bytes, as
    /// servers behind a CDN often answer.
    Chunked { reply: Box<Reply>, chunk: usize },
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into().into_bytes(),
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: vec![],
            body: vec![],
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// The real API's answer to a bad key, signature or stamp.
    pub fn unauthorized() -> Reply {
        Reply::status(401).with_header("WWW-Authenticate", "Bearer error=\"invalid_token\"")
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct FakeApi {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl FakeApi {
    /// A server whose clock is right, answering with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FakeApi {
        Self::with_clock_offset(0, handler)
    }

    /// A server that serves `body` for signed balance requests, the real
    /// 401 otherwise, and its time on the server-time path.
    pub fn serving(body: &str) -> FakeApi {
        let body = body.to_owned();
        Self::start(move |req| standard(req, &body))
    }

    /// A server whose clock is `offset_ms` ahead of the real time.
    pub fn with_clock_offset(
        offset_ms: i64,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> FakeApi {
        Self::listening("127.0.0.1:0", offset_ms, handler)
    }

    /// A server on another loopback address (`[::1]:0`); `None` where
    /// this machine has no such address.
    pub fn on(
        addr: &str,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Option<FakeApi> {
        TcpListener::bind(addr).ok()?;
        Some(Self::listening(addr, 0, handler))
    }

    fn listening(
        addr: &str,
        offset_ms: i64,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> FakeApi {
        let listener = TcpListener::bind(addr).expect("bind a loopback address");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (requests, handler) = (requests.clone(), handler.clone());
                    thread::spawn(move || serve(stream, offset_ms, &requests, &*handler));
                }
            })
        };
        FakeApi {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests lock").clone()
    }

    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The real API's behaviour: balances for a correctly signed request, 401
/// otherwise; the server time; 404 for anything else.
/// An account of `n` assets `A0`, `A1`... holding `i.0000000000000001`.
pub fn large_account(n: usize) -> String {
    let mut body = String::from(r#"{"success":true,"code":0,"message":null,"data":["#);
    for i in 0..n {
        if i > 0 {
            body.push(',');
        }
        body += &format!(
            r#"{{"asset":"A{i}","assetname":"Asset {i}","balance":"{i}.0000000000000001","locked":"0","free":"{i}.0000000000000001","orderFund":"0","requestFund":"0","precision":8}}"#
        );
    }
    body += "]}";
    body
}

pub fn standard(req: &Request, balances: &str) -> Reply {
    match req.path.as_str() {
        BALANCES => match &req.auth {
            Ok(()) => Reply::json(200, balances),
            Err(_) => Reply::unauthorized(),
        },
        SERVER_TIME => server_time(req),
        _ => Reply::status(404),
    }
}

/// The public server-time answer, by this server's clock.
pub fn server_time(req: &Request) -> Reply {
    let now = req.server_now_ms();
    Reply::json(
        200,
        format!(r#"{{"serverTime":{now},"serverTime2":"(not checked)"}}"#),
    )
}

impl Request {
    /// The server's clock when the request arrived (carried in a header the
    /// server adds for handlers).
    pub fn server_now_ms(&self) -> i64 {
        self.header("x-fake-server-now")
            .and_then(|v| v.parse().ok())
            .expect("server clock")
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64
}

/// Recomputes the signature as the real API does.
pub fn check_signature(headers: &[(String, String)], server_now: i64) -> Result<(), String> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .ok_or(format!("no {name} header"))
    };
    let (key, stamp, signature) = (get("x-pck")?, get("x-stamp")?, get("x-signature")?);
    let secret = match key {
        KEY => SECRET,
        KEY2 => SECRET2,
        _ => return Err("unknown key".into()),
    };
    if stamp.len() != 13 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("stamp {stamp:?} is not 13 digits of ms"));
    }
    let stamp_ms: i64 = stamp.parse().map_err(|_| "bad stamp")?;
    if (stamp_ms - server_now).abs() > 5_000 {
        return Err(format!("stamp {} ms off", stamp_ms - server_now));
    }
    let secret = STANDARD.decode(secret).expect("test secret is base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).expect("any key length");
    mac.update(format!("{key}{stamp}").as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    if signature != expected {
        return Err("signature mismatch".into());
    }
    Ok(())
}

fn serve(stream: TcpStream, offset_ms: i64, requests: &Mutex<Vec<Request>>, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return; // the shutdown poke, or a client that went away
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let server_now = now_ms() + offset_ms;
    let auth = check_signature(&headers, server_now);
    headers.push(("x-fake-server-now".into(), server_now.to_string()));
    let request = {
        let mut all = requests.lock().expect("requests lock");
        let hit = all.iter().filter(|r| r.path == path).count();
        let request = Request {
            method,
            path,
            headers,
            auth,
            hit,
        };
        all.push(request.clone());
        request
    };
    respond(stream, handler(&request));
}

/// A response head: status, then Content-Length `len` or, without one,
/// chunked transfer encoding.
fn head(status: u16, len: Option<usize>, headers: &[(String, String)]) -> String {
    let mut head = format!("HTTP/1.1 {status} Fake\r\nConnection: close\r\n");
    head += &match len {
        Some(len) => format!("Content-Length: {len}\r\n"),
        None => "Transfer-Encoding: chunked\r\n".into(),
    };
    for (name, value) in headers {
        head += &format!("{name}: {value}\r\n");
    }
    head + "\r\n"
}

/// Each part of a body as a chunk, then the last, empty chunk.
fn write_chunked(
    stream: &mut TcpStream,
    body: impl Iterator<Item = Vec<u8>>,
) -> std::io::Result<()> {
    for part in body {
        write!(stream, "{:x}\r\n", part.len())?;
        stream.write_all(&part)?;
        stream.write_all(b"\r\n")?;
    }
    stream.write_all(b"0\r\n\r\n")
}

fn respond(mut stream: TcpStream, reply: Reply) {
    let _ = match reply {
        Reply::Respond {
            status,
            headers,
            body,
        } => stream
            .write_all(head(status, Some(body.len()), &headers).as_bytes())
            .and_then(|()| stream.write_all(&body)),
        Reply::Hangup => Ok(()),
        Reply::Truncated { declared, body } => stream
            .write_all(head(200, Some(declared), &[]).as_bytes())
            .and_then(|()| stream.write_all(&body)),
        Reply::Slow(wait, reply) => {
            thread::sleep(wait);
            return respond(stream, *reply);
        }
        Reply::Huge { status, size } => {
            let chunk = vec![b' '; 64 * 1024];
            let mut result = stream.write_all(head(status, Some(size), &[]).as_bytes());
            let mut left = size;
            while result.is_ok() && left > 0 {
                let n = left.min(chunk.len());
                result = stream.write_all(&chunk[..n]);
                left -= n;
            }
            result
        }
        Reply::Chunked { reply, chunk } => match *reply {
            Reply::Respond {
                status,
                headers,
                body,
            } => stream
                .write_all(head(status, None, &headers).as_bytes())
                .and_then(|()| write_chunked(&mut stream, body.chunks(chunk).map(<[u8]>::to_vec))),
            Reply::Huge { status, size } => stream
                .write_all(head(status, None, &[]).as_bytes())
                .and_then(|()| {
                    let parts = (0..size).step_by(chunk);
                    write_chunked(
                        &mut stream,
                        parts.map(|start| vec![b' '; chunk.min(size - start)]),
                    )
                }),
            other => return respond(stream, other),
        },
    };
    let _ = stream.flush();
    // Read what the client may still send so that closing does not reset
    // the connection before the client has read the answer.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = (&stream).read(&mut [0u8; 512]);
}

/// A scratch home for one test run of the binary: config directory, no
/// BTCTURK_* from the developer's shell, no proxies.
pub struct Sandbox {
    pub home: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The default config file path inside this sandbox.
    pub fn default_config(&self) -> PathBuf {
        self.home.path().join("config/btcturk-bal/config.toml")
    }

    /// Writes a config file with mode 0600 and returns its path.
    pub fn write_config(&self, path: &Path, text: &str) -> PathBuf {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("config dir");
        std::fs::write(path, text).expect("write config");
        set_mode(path, 0o600);
        path.to_path_buf()
    }

    /// The binary with a clean environment and no keys.
    pub fn bare(&self) -> std::process::Command {
        self.clean(assert_cmd::cargo::cargo_bin!("btcturk-bal"))
    }

    /// Any program with this sandbox's clean environment, and every
    /// signal at its default action, as a foreground job of a shell has
    /// them: a suite started in the background (`cargo test &` in a
    /// script, which ignores SIGINT; under `nohup`, which ignores SIGHUP)
    /// would otherwise pass its ignored signals on, and the tool keeps a
    /// signal it was started with ignored. (`env` execs the program: its
    /// pid is the program's.)
    pub fn clean(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new("env");
        cmd.arg("--default-signal").arg(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("LANG", "C.UTF-8")
            // Dates in history are local: the same on every machine.
            .env("TZ", "UTC");
        cmd
    }

    /// The binary pointed at `api` with the right keys in the environment.
    pub fn cmd(&self, api: &FakeApi) -> std::process::Command {
        self.with_keys(self.bare(), api)
    }

    /// `cmd` with the keys and `api`'s URL in its environment.
    pub fn with_keys(
        &self,
        mut cmd: std::process::Command,
        api: &FakeApi,
    ) -> std::process::Command {
        cmd.env("BTCTURK_BASE_URL", api.url())
            .env("BTCTURK_API_KEY", KEY)
            .env("BTCTURK_API_SECRET", SECRET);
        cmd
    }
}

/// The usual setup: a fake API serving an account, a sandbox home, and
/// the binary pointed at the one with its keys, living in the other.
pub struct Setup {
    pub api: FakeApi,
    pub sandbox: Sandbox,
}

impl Setup {
    /// `FakeApi::serving(body)` and a fresh sandbox.
    pub fn serving(body: &str) -> Setup {
        Setup {
            api: FakeApi::serving(body),
            sandbox: Sandbox::new(),
        }
    }

    /// The binary with the keys and the API's URL in its environment.
    pub fn cmd(&self) -> std::process::Command {
        self.sandbox.cmd(&self.api)
    }

    /// A run with `args`, as the user sees it.
    pub fn run(&self, args: &[&str]) -> Run {
        run(self.cmd().args(args))
    }
}

/// What btcturk-bal prints to a pseudo-terminal when run with `args`
/// against `api`, with `env` added: `script` (util-linux, in every Debian)
/// gives it a TTY, as a person at a terminal has (TERM=xterm).
pub fn on_terminal(sandbox: &Sandbox, api: &FakeApi, args: &str, env: &[(&str, &str)]) -> String {
    let bin = assert_cmd::cargo::cargo_bin!("btcturk-bal");
    let output = sandbox
        .with_keys(sandbox.clean("script"), api)
        .env("TERM", "xterm")
        .envs(env.iter().copied())
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// What a run showed the user.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut std::process::Command) -> Run {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run btcturk-bal");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

impl Run {
    /// Asserts a failure the way a script sees it: the exit code, nothing on
    /// stdout, and one error line containing each of `words`.
    pub fn fails(&self, code: i32, words: &[&str]) -> &Self {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        assert_eq!(self.stdout, "", "stdout must stay empty on failure");
        let error = self
            .stderr
            .lines()
            .find(|l| l.starts_with("btcturk-bal: error: "))
            .unwrap_or_else(|| panic!("no error line in stderr:\n{}", self.stderr));
        for word in words {
            assert!(error.contains(word), "{word:?} not in {error:?}");
        }
        self
    }

    pub fn succeeds(&self) -> &Self {
        assert_eq!(self.code, 0, "exit code; stderr:\n{}", self.stderr);
        self
    }

    pub fn hint(&self) -> &str {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("btcturk-bal: hint: "))
            .unwrap_or_else(|| panic!("no hint in stderr:\n{}", self.stderr))
    }
}

/// A TLS server on 127.0.0.1, counting the requests that got past the
/// handshake. Its certificates (tests/fixtures, for 127.0.0.1 and localhost,
/// valid 2026 to 2126, EC P-256) are: `self-signed`, trusted by no one;
/// `test-ca`, a certificate authority; `test-ca-signed`, a server
/// certificate it issued.
pub struct TlsServer {
    pub url: String,
    requests: Arc<std::sync::atomic::AtomicUsize>,
}

/// A fixture file's path.
pub fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

impl TlsServer {
    /// The self-signed server, which answers nothing.
    pub fn start() -> TlsServer {
        Self::with_cert("self-signed", None)
    }

    /// A server with the fixture certificate `name` (and its key), answering
    /// every request with `body` as JSON if given.
    pub fn with_cert(name: &str, body: Option<&str>) -> TlsServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = CertificateDer::pem_file_iter(fixture(&format!("{name}.crt")))
            .expect("certificate fixture")
            .collect::<Result<Vec<_>, _>>()
            .expect("certificate PEM");
        let key =
            PrivateKeyDer::from_pem_file(fixture(&format!("{name}.key"))).expect("key fixture");
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server config"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("https://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = requests.clone();
        let body = body.map(str::to_owned);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let conn = rustls::ServerConnection::new(config.clone()).expect("connection");
                let mut tls = rustls::StreamOwned::new(conn, stream);
                if !matches!(tls.read(&mut [0u8; 4096]), Ok(n) if n > 0) {
                    continue;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                if let Some(body) = &body {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(answer.as_bytes());
                    let _ = tls.flush();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                }
            }
        });
        TlsServer { url, requests }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A program on a pseudo-terminal (`script -qfec`, util-linux) that a
/// test reads and types into as a person would: each step waits for what
/// the screen shows before it types, so no step races the clock.
pub struct Pty {
    child: std::process::Child,
    keys: std::process::ChildStdin,
    screen: Arc<Mutex<Vec<u8>>>,
}

/// The longest a screen is waited for; reaching it fails the test.
const PTY_WAIT: Duration = Duration::from_secs(30);

impl Pty {
    /// Runs the shell command line `line` on a new terminal, through the
    /// sandboxed `cmd` (`sandbox.clean("script")`, say, with its
    /// environment).
    pub fn start(mut cmd: std::process::Command, line: &str) -> Pty {
        use std::process::Stdio;
        let mut child = cmd
            .env("TERM", "xterm")
            .args(["-qfec", line, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script(1) from util-linux runs");
        let keys = child.stdin.take().expect("stdin");
        let mut out = child.stdout.take().expect("stdout");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let shown = screen.clone();
        thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = out.read(&mut buf) {
                shown.lock().expect("screen").extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            child,
            keys,
            screen,
        }
    }

    /// Everything the terminal has shown so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().expect("screen")).replace("\r\n", "\n")
    }

    /// Waits until the screen shows `text` `times` times in all.
    pub fn wait_for_nth(&self, text: &str, times: usize) {
        let deadline = std::time::Instant::now() + PTY_WAIT;
        while self.screen().matches(text).count() < times {
            assert!(
                std::time::Instant::now() < deadline,
                "the terminal never showed {text:?} ({times}x): {:?}",
                self.screen()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for(&self, text: &str) {
        self.wait_for_nth(text, 1);
    }

    /// Types `keys` (`\x03` is Ctrl-C, `\x1a` Ctrl-Z, `\r` Enter).
    pub fn type_keys(&mut self, keys: &str) {
        self.keys.write_all(keys.as_bytes()).expect("type");
        self.keys.flush().expect("type");
    }

    /// The process the terminal runs (`script`'s child), for a signal.
    pub fn program_pid(&self) -> u32 {
        let deadline = std::time::Instant::now() + PTY_WAIT;
        loop {
            let children =
                std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.child.id()))
                    .unwrap_or_default();
            if let Some(pid) = children.split_whitespace().next() {
                return pid.parse().expect("a pid");
            }
            assert!(std::time::Instant::now() < deadline, "script ran nothing");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (at most 30 s) for the program to end: its exit code as
    /// `script -e` passes it on (a signal as 128 + its number), and the
    /// whole screen.
    pub fn finish(mut self) -> (Option<i32>, String) {
        let deadline = std::time::Instant::now() + PTY_WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the terminal's program never ended: {:?}", self.screen());
            }
            thread::sleep(Duration::from_millis(20));
        };
        // The reader has what the terminal showed once script has gone.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while Arc::strong_count(&self.screen) > 1 && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        (status.code(), self.screen())
    }
}

/// Sends `signal` (`"INT"`, `"TERM"`, `"HUP"`) to process `pid`.
pub fn send_signal(signal: &str, pid: u32) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill(1)");
    assert!(sent.success(), "kill -{signal} {pid}");
}

/// The names in `dir`, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Reads `child`'s stderr until a line holds `text`; the lines so far.
pub fn stderr_until(child: &mut std::process::Child, text: &str) -> String {
    use std::io::BufRead;
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    while !seen.contains(text) {
        assert!(
            stderr.read_line(&mut seen).expect("stderr") > 0,
            "never said {text:?}: {seen}"
        );
    }
    seen
}

/// Says, past the test harness's capture, that a test skips its core
/// assertion and why (a tool this machine lacks): one line on the
/// terminal that runs `cargo test`, never a silent pass.
pub fn skipping(why: &str) {
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The skew a message names ("your clock is 19.9 s behind the API's"), in
/// tenths of a second, negative when ahead. The tool measures it over a
/// request whose time varies with the machine's load, so tests compare
/// it with the fake API's offset within a second, never to the tenth.
pub fn named_skew(text: &str) -> Option<i64> {
    let rest = &text[text.find("your clock is ")? + "your clock is ".len()..];
    let (number, rest) = rest.split_once(" s ")?;
    let (whole, tenth) = number.split_once('.')?;
    let tenths = whole.parse::<i64>().ok()? * 10 + tenth.parse::<i64>().ok()?;
    match rest {
        r if r.starts_with("behind") => Some(tenths),
        r if r.starts_with("ahead") => Some(-tenths),
        _ => None,
    }
}

/// Asserts `text` names a skew within a second of `offset_ms`.
pub fn names_skew_near(text: &str, offset_ms: i64) {
    let named = named_skew(text).unwrap_or_else(|| panic!("no skew named in {text}"));
    assert!(
        (named * 100 - offset_ms).abs() <= 1_000,
        "{named} tenths named for {offset_ms} ms: {text}"
    );
}

/// Makes a FIFO at `path` (mkfifo(1), coreutils).
pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Waits for `child` to end, at most `secs` seconds: a run that goes on
/// is killed and the test fails, naming `what`. A bound on a hang, far
/// beyond the run's time, not a race.
pub fn wait_within(
    child: &mut std::process::Child,
    secs: u64,
    what: &str,
) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {secs} s");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// What `probe` finds once it finds something, asked every 20 ms for at
/// most 30 s (then the test fails, naming `what`): for a step the run
/// visibly reaches (a file in place, a server listening).
pub fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the tests run as root, which may become another user (nobody)
/// to try what a user without rights meets.
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}
