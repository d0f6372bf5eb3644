#!/usr/bin/env python3
"""End-to-end benchmark of btcturk-bal against curl and a bare ureq GET,
all fetching the same balances from a local fake API
(examples/bench_server.rs) on 127.0.0.1, for a real-sized account (180
assets) and a very large one (50,000); and of `btcturk-bal history` on a
year of hourly dumps against a short Python csv.DictReader loop.

    python3 bench/bench.py            # builds, runs, prints Markdown tables
    python3 bench/bench.py history    # the history part alone

Each program is run as a fresh process, interleaved round-robin so drift
hits all alike; wall time is measured around fork/exec/wait, max RSS comes
from GNU time (/usr/bin/time) in separate runs. Stdout goes to /dev/null.
Needs: cargo, curl.
"""

import base64
import hashlib
import hmac
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
KEY = "5f8c1e2a-0000-4bd1-9e3f-a1b2c3d4e5f6"
SECRET = "YnRjdHVyay1iYWwgdGVzdCB2ZWN0b3Igc2VjcmV0"
PATH = "/api/v1/users/balances"


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "--quiet", "--bin", "btcturk-bal",
         "--example", "bench_server", "--example", "bare_get"],
        cwd=ROOT, check=True)


def start_server(assets):
    proc = subprocess.Popen([os.path.join(RELEASE, "examples", "bench_server"), str(assets)],
                            stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    return proc, url


def run_once(argv, env):
    """Wall ms and max RSS (MiB) of one run; fails loudly on a bad exit.

    The child is a fork of this Python process until it execs, and the
    kernel's max RSS would count that; so the RSS comes from separate runs
    under GNU time, while the wall time comes from direct runs."""
    start = time.perf_counter_ns()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, _ = os.wait4(proc.pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    check(proc, status, argv)
    return wall


def max_rss(argv, env):
    """Max RSS in MiB measured by GNU time, whose own small process is the
    one forked from here; None without /usr/bin/time."""
    if not os.path.exists("/usr/bin/time"):
        return None
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], env=env, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def check(proc, status, argv):
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{argv[0]} exited {proc.returncode}: {proc.stderr.read().decode()}")
    proc.stderr.close()


def measure(programs, runs, warmup=3):
    """{name: (median ms, max RSS MiB, runs)} over `runs` interleaved rounds."""
    walls = {name: [] for name, _, _ in programs}
    clean = {name: {k: v for k, v in env.items() if k != "_RUNS"} for name, _, env in programs}
    for round_ in range(warmup + runs):
        for name, argv, env in programs:
            if round_ < warmup:
                run_once(argv, clean[name])
            elif len(walls[name]) < env.get("_RUNS", runs):
                walls[name].append(run_once(argv, clean[name]))
    def rss(argv, env):
        samples = [max_rss(argv, env) for _ in range(3)]
        return None if None in samples else max(samples)
    return {name: (statistics.median(walls[name]), rss(argv, clean[name]), len(walls[name]))
            for name, argv, _ in programs}


def programs(url):
    stamp = str(int(time.time() * 1000))
    signature = base64.b64encode(hmac.new(base64.b64decode(SECRET), (KEY + stamp).encode(),
                                          hashlib.sha256).digest()).decode()
    base_env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    tool_env = dict(base_env, BTCTURK_API_KEY=KEY, BTCTURK_API_SECRET=SECRET, BTCTURK_BASE_URL=url,
                    XDG_CONFIG_HOME="/nonexistent")
    bare_env = dict(base_env, BENCH_URL=url + PATH, BENCH_KEY=KEY, BENCH_STAMP=stamp,
                    BENCH_SIGNATURE=signature)
    tool = os.path.join(RELEASE, "btcturk-bal")
    return [
        ("btcturk-bal -o json", [tool, "-o", "json"], tool_env),
        ("btcturk-bal (table)", [tool], tool_env),
        ("btcturk-bal -o csv", [tool, "-o", "csv"], tool_env),
        ("curl, headers precomputed", ["curl", "-sf", "-o", "/dev/null",
                                       "-H", f"X-PCK: {KEY}", "-H", f"X-Stamp: {stamp}",
                                       "-H", f"X-Signature: {signature}",
                                       "-H", "Content-Type: application/json", url + PATH], base_env),
        ("bare ureq GET (floor)", [os.path.join(RELEASE, "examples", "bare_get")], bare_env),
    ]


def table(title, results, against):
    print(f"\n### {title}\n")
    print("| program | median ms | max RSS MiB | runs | vs curl |")
    print("|---|---:|---:|---:|---:|")
    curl = results["curl, headers precomputed"][0]
    for name, (median, rss, runs) in results.items():
        shown = "n/a" if rss is None else f"{rss:.1f}"
        print(f"| {name} | {median:.2f} | {shown} | {runs} | {median / curl:.2f}× |")
    floor = results["bare ureq GET (floor)"][0]
    for name in [n for n in results if n.startswith("btcturk-bal")]:
        median = results[name][0]
        print(f"\n{name}: {median:.2f} ms = {median / curl:.3f}× curl, "
              f"{median - floor:+.2f} ms against the bare GET")
    print(f"\nTargets: {against}")


HISTORY_PY = """
import csv, sys
from decimal import Decimal
totals = {}
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        if row["value_try"]:
            totals[row["fetched_at"]] = totals.get(row["fetched_at"], Decimal(0)) + Decimal(row["value_try"])
print(len(totals))
"""


def history_bench():
    """A year of hourly dumps of 30 assets (262,800 rows), valued in TRY,
    summarised by `btcturk-bal history -o csv` and by Python's DictReader
    summing the same totals with Decimal."""
    import tempfile
    workdir = tempfile.mkdtemp()
    dump = os.path.join(workdir, "year.csv")
    with open(dump, "w") as f:
        f.write("fetched_at,asset,name,balance,free,locked,order_fund,request_fund,precision,"
                "price_try,value_try\n")
        start = 1735689600  # 2025-01-01T00:00:00Z
        for hour in range(8760):
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + hour * 3600))
            for i in range(30):
                balance = f"{i + 1}.{hour % 97:02d}12345678"
                price = f"{100 + i}.{hour % 89:02d}"
                value = f"{(i + 1) * (100 + i)}.{(hour * 7) % 100:02d}"
                f.write(f"{at},A{i:02d},Asset {i},{balance},{balance},0,,,8,{price},{value}\n")
    script = os.path.join(workdir, "sum.py")
    with open(script, "w") as f:
        f.write(HISTORY_PY)
    env = {"PATH": os.environ.get("PATH", "")}
    tool = os.path.join(RELEASE, "btcturk-bal")
    results = measure([
        ("btcturk-bal history -o csv", [tool, "history", "-o", "csv", dump], env),
        ("btcturk-bal history --every month -o csv",
         [tool, "history", "--every", "month", "-o", "csv", dump], dict(env, TZ="Europe/Istanbul")),
        ("Python DictReader + Decimal", [sys.executable, script, dump], env),
    ], runs=7, warmup=1)
    print(f"\n### history: a year of hourly dumps, 30 assets (262,800 rows, "
          f"{os.path.getsize(dump) / 1e6:.1f} MB)\n")
    print("| program | median ms | max RSS MiB | runs |")
    print("|---|---:|---:|---:|")
    for name, (median, rss, runs) in results.items():
        shown = "n/a" if rss is None else f"{rss:.1f}"
        print(f"| {name} | {median:.1f} | {shown} | {runs} |")
    ours = results["btcturk-bal history -o csv"][0]
    theirs = results["Python DictReader + Decimal"][0]
    print(f"\nhistory / Python: {ours / theirs:.3f} (target at most 0.333; memory under 100 MB)")
    closes = results["btcturk-bal history --every month -o csv"][0]
    print(f"history --every month / Python: {closes / theirs:.3f} (the same bound)")


def main():
    if sys.argv[1:] == ["history"]:
        build()
        history_bench()
        return
    if not shutil.which("curl"):
        sys.exit("curl is needed")
    build()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print(f"Machine: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}; "
          f"{subprocess.run(['curl', '--version'], capture_output=True, text=True).stdout.split()[1]} curl, "
          f"Python {platform.python_version()}")

    server, url = start_server(180)
    try:
        small = measure(programs(url), runs=60)
    finally:
        server.kill()
    table("A real-sized account: 180 assets (28 KB)", small,
          "at most 0.35× curl, and within 0.5 ms of the bare GET")

    server, url = start_server(50_000)
    try:
        big = measure(programs(url), runs=20, warmup=2)
    finally:
        server.kill()
    table("50,000 assets (7.8 MB)", big, "at most 10× curl, under 64 MiB")

    version = measure([("btcturk-bal --version", [os.path.join(RELEASE, "btcturk-bal"), "--version"],
                        {"PATH": os.environ.get("PATH", "")})], runs=60)
    print(f"\n--version: median {version['btcturk-bal --version'][0]:.2f} ms (target under 5 ms)")
    size = os.path.getsize(os.path.join(RELEASE, "btcturk-bal")) / 1e6
    print(f"release binary: {size:.2f} MB (target under 4 MB)")
    history_bench()


if __name__ == "__main__":
    main()
