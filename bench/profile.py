"""Profile public intake or a desk page in-process: CPU time and SQL queries per request, and where it goes.

Usage: `python -m bench.profile --seed 5000` once (migrates, loads the demo, seeds N cases), then
`python -m bench.profile -n 200` (public intake) or `python -m bench.profile --page /desk/cases/NUMBER/`
(a desk page, signed in as the bench agent; `--page case` takes one of his team's cases). The database is
SQLite under CHARTER_VAR_DIR unless DATABASE_URL says otherwise. Intake posts the bench's intake form
(bench/cases.py) through django.test.Client with CSRF checks on, like a browser. CPU time (time.process_time,
so another process sharing the cores barely skews it) is measured over a plain pass, the query count over a
second pass with the queries captured, and the cProfile top list over a third. `--queries` prints the SQL
of one request.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _environment() -> None:
    var_dir = Path(os.environ.setdefault("CHARTER_VAR_DIR", str(ROOT / "var" / "profile-intake")))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'profile.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charter.config.settings")
    os.environ.setdefault("CHARTER_DEBUG", "0")
    os.environ.setdefault("CHARTER_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CHARTER_INTAKE_MAX_PER_HOUR", "1000000")
    os.environ.setdefault("CHARTER_ALLOWED_HOSTS", "testserver,127.0.0.1")


def _seed(cases: int) -> None:
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    call_command("bench_seed", "--cases", str(cases), stdout=io.StringIO())


class Intake:
    """One browser tab posting intakes, as bench/cases.py does."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.client.get("/cases/new/")
        self.marker = f"profile-{random.randint(0, 10**9)}"
        self.sent = 0

    def post(self) -> None:
        self.sent += 1
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"].value,
                "kind": "inquiry",
                "service": "",
                "title": f"{self.marker} {self.sent} 水费咨询",
                "description": "请问本月水费为什么比上月高？",
                "name": "压测客户",
                "phone": f"139{self.sent:08d}",
                "consent": "on",
            }
        )
        # Form-encoded, as a browser (and bench/cases.py) sends it; the test client would send multipart.
        response = self.client.post("/cases/new/", form, content_type="application/x-www-form-urlencoded")
        if response.status_code != 302:
            raise SystemExit(f"intake answered {response.status_code}, not a redirect")
        # A browser follows the redirect, and the tracking page it opens consumes the confirmation message;
        # without this, every later post would carry (and re-sign) all the earlier confirmations.
        self.client.cookies.pop("messages", None)


class Page:
    """The bench agent opening one desk page again and again, as bench/cases.py does."""

    def __init__(self, path: str) -> None:
        from django.test import Client

        from bench.cases import AGENT, PASSWORD

        if path == "case":
            from charter.cases.models import Case

            number = Case.objects.filter(team__code="bench-team-00").values_list("number", flat=True).first()
            path = f"/desk/cases/{number}/"
        self.path = path
        self.client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
        if not self.client.login(username=AGENT, password=PASSWORD):
            raise SystemExit(f"could not sign in as {AGENT}")

    def post(self) -> None:
        response = self.client.get(self.path)
        if response.status_code != 200:
            raise SystemExit(f"{self.path} answered {response.status_code}")


class WriterLockMeter:
    """CPU time the process spends holding SQLite's writer lock (charter.common.sqlite): the part of each
    request that other writers wait for."""

    def __init__(self) -> None:
        from charter.common.sqlite.base import DatabaseWrapper

        self.held = 0.0
        self._since: float | None = None
        acquire, release = DatabaseWrapper._writer_lock_acquire, DatabaseWrapper._writer_lock_release
        meter = self

        def acquire_metered(wrapper: DatabaseWrapper) -> None:
            acquire(wrapper)
            if wrapper._writer_lock is not None and meter._since is None:
                meter._since = time.process_time()

        def release_metered(wrapper: DatabaseWrapper) -> None:
            if wrapper._writer_lock is not None and meter._since is not None:
                meter.held += time.process_time() - meter._since
                meter._since = None
            release(wrapper)

        DatabaseWrapper._writer_lock_acquire = acquire_metered  # type: ignore[method-assign]
        DatabaseWrapper._writer_lock_release = release_metered  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=200, help="requests per pass")
    parser.add_argument(
        "--seed", type=int, metavar="CASES", help="migrate, load the demo and seed CASES first"
    )
    parser.add_argument("--page", metavar="PATH", help="GET PATH as the bench agent instead of the intake")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request")
    parser.add_argument("--top", type=int, default=35, help="lines of the cProfile list")
    args = parser.parse_args()

    _environment()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if args.seed:
        _seed(args.seed)
    intake: Intake | Page = Page(args.page) if args.page else Intake()
    for _ in range(20):  # warm-up: imports, templates, connections, per-process caches
        intake.post()

    meter = WriterLockMeter() if connection.vendor == "sqlite" else None
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(args.n):
        started, started_wall = time.process_time(), time.perf_counter()
        intake.post()
        cpu.append(time.process_time() - started)
        wall.append(time.perf_counter() - started_wall)

    locked = meter.held / args.n if meter is not None else None
    if meter is not None:
        meter.held = 0.0
    counts: list[int] = []
    for index in range(args.n):
        with CaptureQueriesContext(connection) as captured:
            intake.post()
        counts.append(len(captured.captured_queries))
        if args.queries and index == 0:
            for query in captured.captured_queries:
                sys.stdout.write(f"{query['sql'][:300]}\n")

    profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the database
    profiler.enable()
    for _ in range(args.n):
        intake.post()
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    sys.stdout.write(stream.getvalue())

    vendor = connection.vendor
    sys.stdout.write(
        f"\n{vendor}: {args.n} requests per pass; CPU per request: "
        f"mean {statistics.mean(cpu) * 1000:.1f} ms, "
        f"median {statistics.median(cpu) * 1000:.1f} ms; wall-clock median "
        f"{statistics.median(wall) * 1000:.1f} ms; queries per request: "
        f"min {min(counts)}, max {max(counts)}, mean {statistics.mean(counts):.1f}\n"
    )
    if locked is not None:
        sys.stdout.write(
            f"holding the writer lock: {locked * 1000:.1f} ms of CPU per request "
            f"({locked / statistics.mean(cpu):.0%})\n"
        )


if __name__ == "__main__":
    main()
