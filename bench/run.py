"""Benchmark the public pages and the API against a real gunicorn server on loopback.

Usage: `make bench` (or `python -m bench.run --requests 400 --concurrency 8`). It builds its own database
under var/bench/ (the demo organisation plus `--extra-services` more published services), starts gunicorn on
127.0.0.1 on a free port, warms up, then sends a bounded number of requests per URL from threads using
keep-alive connections, and prints throughput and latency percentiles as a Markdown table. The client shares
the machine's cores with the server: compare rows of the same run; read absolute figures with that in mind.
"""

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "charter.config.settings",
            "CHARTER_VAR_DIR": str(var_dir),
            "DATABASE_URL": env.get("BENCH_DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}"),
            "CHARTER_DEBUG": "0",
            "CHARTER_LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare(var_dir: Path, extra_services: int) -> None:
    """Create the benchmark database: migrations, the demo data and extra published services."""
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    env = _env(var_dir)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
    subprocess.run([*manage, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bench.seed", str(extra_services)], env=env, check=True, cwd=ROOT
    )


def _worker(port: int, path: str, count: int, latencies: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(count):
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept-Language": "zh-CN"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{path}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
    connection.close()


def measure(port: int, path: str, requests: int, concurrency: int) -> dict[str, float]:
    """Send `requests` GETs to `path` from `concurrency` threads; return throughput and latency figures."""
    latencies: list[float] = []
    errors: list[str] = []
    per_thread = max(requests // concurrency, 1)
    threads = [
        threading.Thread(target=_worker, args=(port, path, per_thread, latencies, errors))
        for _ in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"errors while measuring {path}: {errors[:5]}")
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[int(len(ordered) * 0.95) - 1] * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--extra-services", type=int, default=100)
    args = parser.parse_args()

    var_dir = ROOT / "var" / "bench"
    prepare(var_dir, args.extra_services)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [
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
            # gunicorn 27 opens a control socket at one default path per user: a second server on this host
            # (another bench, a scale-out instance) would take it over. This throwaway server needs none.
            "--no-control-socket",
        ],
        env=_env(var_dir) | {"CHARTER_ALLOWED_HOSTS": "127.0.0.1"},
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        slug = _first_slug(port)
        paths = [
            "/healthz",
            "/",
            "/services/",
            f"/services/{slug}/",
            "/standards/",
            "/api/v1/services/",
            f"/api/v1/services/{slug}/",
        ]
        for path in paths:  # warm-up: templates, connections, caches
            measure(port, path, 20, 2)
        print(
            f"\n{args.requests} requests per URL, {args.concurrency} client threads, "
            f"gunicorn -w {args.workers}, "
            f"{args.extra_services} extra services\n"
        )
        print("| URL | req/s | p50 ms | p95 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |")
        for path in paths:
            row = measure(port, path, args.requests, args.concurrency)
            print(f"| `{path}` | {row['rps']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} |")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _first_slug(port: int) -> str:
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/api/v1/services/?limit=1")
    body = json.loads(connection.getresponse().read())
    return str(body["results"][0]["slug"])


if __name__ == "__main__":
    main()
