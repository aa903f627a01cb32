"""Benchmark the case desk, search and public intake against gunicorn, at a chosen number of cases.

Usage: `python -m bench.cases --cases 100000` (SQLite under var/bench-cases/) or with
`BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench` for PostgreSQL; `--reuse` keeps a
database seeded by an earlier run. Measures p50/p95 of the desk queue (an agent's teams, open, by next
deadline), a case page, keyword search (one Chinese, one English word), intake throughput at concurrency 8
(then checks that every accepted submission exists, and reports the CPU each accepted intake cost in the web
workers, in PostgreSQL and in the load client, read from /proc), and one SLA sweep over the open cases. Writes
a Markdown table to stdout and to bench/results/cases-<N>-<vendor>.md.
"""

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from bench.run import _free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
AGENT = "bench.agent00"
PASSWORD = "charter-bench-2026"  # noqa: S105 (the benchmark's own throwaway account)


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "charter.config.settings",
            "CHARTER_VAR_DIR": str(var_dir),
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}"),
            "CHARTER_DEBUG": "0",
            "CHARTER_LOG_LEVEL": "WARNING",
            "CHARTER_INTAKE_MAX_PER_HOUR": "1000000",
            "CHARTER_LOGIN_MAX_FAILURES": "1000",
            "CHARTER_ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 (manage.py with our own arguments)
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def prepare(env: dict[str, str], var_dir: Path, cases: int, reuse: bool) -> None:
    var_dir.mkdir(parents=True, exist_ok=True)
    if reuse:
        return
    if "BENCH_DATABASE_URL" in os.environ:
        # A new schema rather than `flush`: flush also empties what data migrations made (roles, defaults),
        # which `migrate` would then not make again.
        reset = (
            "from django.db import connection\n"
            "with connection.cursor() as cursor:\n"
            "    cursor.execute('DROP SCHEMA public CASCADE')\n"
            "    cursor.execute('CREATE SCHEMA public')"
        )
        _manage(env, "shell", "--no-imports", "-c", reset)
    else:
        (var_dir / "bench.sqlite3").unlink(missing_ok=True)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "load_demo", capture=True)
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    started = time.monotonic()
    _manage(env, "bench_seed", "--cases", str(cases), capture=True)
    print(f"seeded {cases} cases in {time.monotonic() - started:.0f} s", flush=True)


class Session:
    """A keep-alive connection with cookies, like one browser tab."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        headers = {
            "Accept-Language": "zh-CN",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())


def _login(port: int) -> Session:
    session = Session(port)
    session.request("GET", "/accounts/login/")
    status, _text, _headers = session.request(
        "POST",
        "/accounts/login/",
        {"username": AGENT, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
    )
    if status != 302:
        raise SystemExit(f"could not sign in as {AGENT}: HTTP {status}")
    return session


def _latencies(port: int, paths: list[str], threads: int, per_thread: int) -> list[float]:
    results: list[float] = []
    errors: list[str] = []

    def work() -> None:
        session = _login(port)
        for index in range(per_thread):
            path = paths[index % len(paths)]
            started = time.perf_counter()
            status, _text, _headers = session.request("GET", path)
            results.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{path}: {status}")

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise SystemExit(f"errors: {errors[:5]}")
    return sorted(results)


def _row(name: str, latencies: list[float]) -> str:
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000
    return f"| {name} | {len(latencies)} | {p50:.0f} | {p95:.0f} |"


def _cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers, and by PostgreSQL:
    its live processes plus, through the postmaster, those that have ended (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"web": 0.0, "database": 0.0}
    processes = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat:
            fields = stat[stat.rindex(")") + 2 :].split()
            processes[int(entry.name)] = (stat[stat.index("(") + 1 : stat.rindex(")")], fields)
    for pid, (name, fields) in processes.items():
        seconds = (int(fields[11]) + int(fields[12])) / tick
        parent = int(fields[1])
        if server_pid in (pid, parent):
            used["web"] += seconds
        elif name.startswith("postgres"):
            used["database"] += seconds
            if not processes.get(parent, ("",))[0].startswith("postgres"):
                # The postmaster: add what its children that have ended used.
                used["database"] += (int(fields[13]) + int(fields[14])) / tick
    return used


def _intake(port: int, threads: int, per_thread: int, marker: str) -> tuple[float, int]:
    accepted = [0]
    lock = threading.Lock()

    def work(worker: int) -> None:
        session = Session(port)
        session.request("GET", "/cases/new/")
        for index in range(per_thread):
            status, _text, _headers = session.request(
                "POST",
                "/cases/new/",
                {
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                    "kind": "inquiry",
                    "service": "",
                    "title": f"{marker} {worker}-{index} 水费咨询",
                    "description": "请问本月水费为什么比上月高？",
                    "name": "压测客户",
                    "phone": f"139{worker:02d}{index:06d}",
                    "consent": "on",
                },
            )
            if status == 302:
                with lock:
                    accepted[0] += 1
            # A browser follows the redirect, and the tracking page consumes the confirmation message;
            # without this, every later post would carry (and re-sign) all the earlier confirmations.
            session.cookies.pop("messages", None)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return accepted[0] / (time.perf_counter() - started), accepted[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--intake", type=int, default=400)
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients for the latency figures")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (2, as django-helpdesk was measured)"
    )
    args = parser.parse_args()

    vendor = "postgresql" if "BENCH_DATABASE_URL" in os.environ else "sqlite"
    var_dir = ROOT / "var" / f"bench-cases-{vendor}"
    env = _env(var_dir)
    prepare(env, var_dir, args.cases, args.reuse)
    probe = "from bench.probes import sample_numbers; sample_numbers()"
    numbers = _manage(env, "shell", "--no-imports", "-c", probe, capture=True).split()
    port = _free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "charter.config.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(args.workers),
        "--log-level",
        "warning",
        "--timeout",
        "120",
        # gunicorn 27's control socket has one default path per user, which a second server on this host
        # would take over; this throwaway server needs none.
        "--no-control-socket",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 (our own fixed command)
    lines = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        clients = args.clients
        per_thread = max(args.requests // clients, 1)
        queue = ["/desk/cases/?queue=my_teams&order=deadline"]
        pages = [f"/desk/cases/{number}/" for number in numbers]
        chinese = ["/desk/cases/?queue=all&q=%E6%B0%B4%E8%A1%A8"]
        english = ["/desk/cases/?queue=all&q=meter"]
        _latencies(port, queue + pages[:5], 2, 10)  # warm-up
        lines.append("| measure | requests | p50 ms | p95 ms |\n| --- | ---: | ---: | ---: |")
        lines.append(
            _row(
                "desk queue (my teams, open, by next deadline)", _latencies(port, queue, clients, per_thread)
            )
        )
        lines.append(_row("case page", _latencies(port, pages, clients, per_thread)))
        lines.append(_row("search, Chinese (水表)", _latencies(port, chinese, clients, per_thread)))
        lines.append(_row("search, English (meter)", _latencies(port, english, clients, per_thread)))
        marker = f"bench-intake-{random.randint(0, 10**9)}"
        _intake(port, 2, 10, f"bench-warm-up-{random.randint(0, 10**9)}")  # as the desk pages had theirs
        cpu_before, client_before = _cpu_seconds(server.pid), time.process_time()
        rate, accepted = _intake(port, 8, max(args.intake // 8, 1), marker)
        cpu = {name: seconds - cpu_before[name] for name, seconds in _cpu_seconds(server.pid).items()}
        cpu["load client"] = time.process_time() - client_before
        probe = f"from bench.probes import count_titled; count_titled({marker!r})"
        stored = int(
            _manage(env, "shell", "--no-imports", "-c", probe, capture=True).strip().splitlines()[-1]
        )
        verdict = "none lost" if stored == accepted else "SUBMISSIONS LOST"
        lines.append(
            f"\nintake: {rate:.0f} accepted/s at concurrency 8; {accepted} accepted, {stored} stored "
            f"({verdict})"
        )
        per_intake = ", ".join(
            f"{name} {seconds / max(accepted, 1) * 1000:.1f} ms" for name, seconds in cpu.items() if seconds
        )
        lines.append(f"CPU per accepted intake: {per_intake}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    probe = "from bench.probes import sweep_once; sweep_once()"
    lines.append(_manage(env, "shell", "--no-imports", "-c", probe, capture=True).strip().splitlines()[-1])
    report = (
        f"## {args.cases} cases on {vendor} (latency with {args.clients} client(s), "
        f"{args.workers} gunicorn workers)\n\n" + "\n".join(lines) + "\n"
    )
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    suffix = "" if args.workers == 2 else f"-w{args.workers}"
    (results / f"cases-{args.cases}-{vendor}{suffix}.md").write_text(report)


if __name__ == "__main__":
    main()
