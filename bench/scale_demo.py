"""Scale-out, shown: two gunicorn processes and two Huey workers on PostgreSQL and Redis, under intake load.

Usage: `make scale-demo` (or `python -m bench.scale_demo --seconds 20 --backlog 300`). It needs PostgreSQL
(SCALE_PG, default postgres://postgres@127.0.0.1:5432, trust auth: it drops and creates the database
`charter_scale`) and Redis (SCALE_REDIS_URL, default redis://127.0.0.1:6379/7: that Redis database is
emptied). What it does:

1. migrates `charter_scale`, loads the demo organisation, and seeds a backlog of cases whose SLA clocks are
   due: half of them with the warning due, half already past the deadline (a breach);
2. starts a local SMTP sink (aiosmtpd) that records every message it receives, two Huey consumers
   (`manage.py run_huey`, separate processes, queue on Redis) and two gunicorn processes on their own ports,
   each with its own control socket and its own PROMETHEUS_MULTIPROC_DIR;
3. sends public intake submissions (half with an e-mail address, so each gets an acknowledgement mail) at
   concurrency 8 for `--seconds` to the first web process alone, then for as long round-robin to both
   (the balancer is the load client), while it asks both workers to sweep the SLA clocks again and again;
4. waits for the workers to drain (queue empty, every mail sent), then checks that every warning and
   breach fired exactly once (one event per clock, the clock stamped), that every accepted submission's
   case exists (exactly once), that each mail was sent once (one SMTP delivery per Message-ID, none left
   queued or failed), and that /metrics of each web process counted the submissions it accepted.

Prints a Markdown table and writes it to bench/results/scale-demo.md. The load client, both web processes,
both workers, PostgreSQL and Redis share this machine's cores: read the 1-vs-2 ratio with that in mind.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path
from typing import Any

from bench.cases import Session
from bench.run import _free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE = "charter_scale"
METRICS_TOKEN = "scale-demo-metrics-token"  # noqa: S105 (the demonstration's own throwaway token)


# Run inside `manage.py shell` (Django set up, the demonstration's database) ----------------------------


def seed_backlog(marker: str, count: int) -> None:
    """Create `count` cases through the intake service, then make their running clocks due: the even ones'
    warnings (deadline tomorrow), the odd ones' breaches (deadline a minute ago)."""
    import datetime as dt

    from django.utils import timezone

    from charter.accounts.models import Customer
    from charter.cases.models import Case, CaseClock
    from charter.cases.services import case_create

    customers = list(Customer.objects.order_by("pk")[:20])
    for index in range(count):
        case_create(
            actor=None,
            kind="complaint" if index % 3 == 0 else "inquiry",
            channel="web",
            customer=customers[index % len(customers)],
            title=f"{marker} backlog {index} 等候时间过长",
            description="在营业厅等了一个多小时才办上业务。",
        )
    now = timezone.now()
    for index, case in enumerate(Case.objects.filter(title__startswith=f"{marker} backlog").order_by("pk")):
        running = CaseClock.objects.filter(case=case, status=CaseClock.Status.RUNNING)
        if index % 2 == 0:
            running.update(warn_at=now - dt.timedelta(seconds=30), due_at=now + dt.timedelta(days=1))
        else:
            running.update(warn_at=now - dt.timedelta(hours=2), due_at=now - dt.timedelta(seconds=60))
    print(json.dumps({"backlog": count}))


def sweeps_enqueue(times: int) -> None:
    """Ask the workers for `times` SLA sweeps at once (on top of the one each runs every minute)."""
    from charter.cases.tasks import sla_sweep_task

    for _ in range(times):
        sla_sweep_task()


def drained() -> None:
    """Print whether the background work is done: queue empty, no mail waiting, no notification pending."""
    from huey.contrib.djhuey import HUEY

    from charter.cases.models import NotificationJob
    from charter.mail.models import OutboundMessage

    waiting = OutboundMessage.objects.filter(status__in=["queued", "sending"]).count()
    state = {
        "pending": HUEY.pending_count(),
        "mail_waiting": waiting,
        "jobs": NotificationJob.objects.count(),
    }
    print(json.dumps(state))


def mail_mark() -> None:
    """Print the highest id of the mail log so far (this run's mails come after it)."""
    from django.db.models import Max

    from charter.mail.models import OutboundMessage

    print(json.dumps({"last": OutboundMessage.objects.aggregate(last=Max("pk"))["last"] or 0}))


def verify(marker: str, after: int = 0) -> None:
    """Print, as JSON, what the backlog's clocks fired, which submissions are stored, and the mail log
    (messages with an id above `after`)."""
    from django.db.models import Count

    from charter.cases.models import Case, CaseClock, CaseEvent
    from charter.mail.models import OutboundMessage

    backlog = Case.objects.filter(title__startswith=f"{marker} backlog")
    clocks = CaseClock.objects.filter(case__in=backlog).exclude(status=CaseClock.Status.CANCELLED)
    kinds = (CaseEvent.Kind.CLOCK_WARNED, CaseEvent.Kind.CLOCK_BREACHED)
    fired: Counter[tuple[int, str, str]] = Counter()
    for case_id, kind, data in CaseEvent.objects.filter(case__in=backlog, kind__in=kinds).values_list(
        "case_id", "kind", "data"
    ):
        fired[(case_id, kind, data.get("metric", ""))] += 1
    expected_warnings = {
        (c, m) for c, m in clocks.filter(breached_at__isnull=True).values_list("case_id", "metric")
    }
    expected_breaches = {
        (c, m) for c, m in clocks.filter(breached_at__isnull=False).values_list("case_id", "metric")
    }
    warned = {(c, m): n for (c, k, m), n in fired.items() if k == CaseEvent.Kind.CLOCK_WARNED}
    breached = {(c, m): n for (c, k, m), n in fired.items() if k == CaseEvent.Kind.CLOCK_BREACHED}
    titles = Counter(
        Case.objects.filter(title__startswith=f"{marker} intake").values_list("title", flat=True)
    )
    outbound = OutboundMessage.objects.filter(pk__gt=after)
    mail = dict(outbound.order_by().values_list("status").annotate(n=Count("pk")))
    result = {
        "clocks": clocks.count(),
        "warnings_expected": len(expected_warnings),
        "warnings_fired": sum(warned.values()),
        "warnings_missing": len(expected_warnings - set(warned)),
        "warnings_twice": sum(1 for n in warned.values() if n > 1),
        "warnings_unstamped": clocks.filter(breached_at__isnull=True, warned_at__isnull=True).count(),
        "breaches_expected": len(expected_breaches),
        "breaches_fired": sum(breached.values()),
        "breaches_missing": len(expected_breaches - set(breached)),
        "breaches_twice": sum(1 for n in breached.values() if n > 1),
        "stored_titles": sorted(titles),
        "stored_twice": sum(1 for n in titles.values() if n > 1),
        "mail": mail,
        # This run's mails, and every mail ever logged as sent (the demo's own mails wait for a worker).
        "message_ids": list(outbound.filter(status="sent").values_list("message_id", flat=True)),
        "message_ids_all": list(
            OutboundMessage.objects.filter(status="sent").values_list("message_id", flat=True)
        ),
    }
    print(json.dumps(result, ensure_ascii=False))


# The demonstration ---------------------------------------------------------------------------------------


class SmtpSink:
    """A real SMTP server on loopback that keeps the Message-ID of every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.message_ids: list[str] = []
        self.port = _free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = message_from_bytes(envelope.content)
                sink.message_ids.append(str(message.get("Message-ID", "")).strip().strip("<>"))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def _env(var_dir: Path, smtp_port: int, redis_url: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHARTER_", "EMAIL_", "PROMETHEUS_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "charter.config.settings",
            "CHARTER_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHARTER_HUEY_NAME": "charter-scale",
            "CHARTER_DEBUG": "0",
            "CHARTER_LOG_LEVEL": "WARNING",
            "CHARTER_INTAKE_MAX_PER_HOUR": "1000000",
            "CHARTER_ALLOWED_HOSTS": "127.0.0.1",
            "CHARTER_METRICS_TOKEN": METRICS_TOKEN,
            "CHARTER_WORKER_THREADS": "4",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (manage.py with our own arguments)
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _shell(env: dict[str, str], code: str) -> Any:
    """Run `code` in `manage.py shell` and return the JSON its last line printed."""
    output = _manage(env, "shell", "--no-imports", "-c", code)
    return json.loads(output.strip().splitlines()[-1])


def _database_reset(server: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return f"{server}/{DATABASE}"


def _wait_listening(port: int) -> None:
    import socket

    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


def _load(ports: list[int], seconds: float, marker: str, phase: str) -> dict[str, Any]:
    """Public intake at concurrency 8 for `seconds`, round-robin over `ports`; what was accepted where."""
    accepted: list[tuple[str, int]] = []
    refused: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(worker: int) -> None:
        sessions = [Session(port) for port in ports]
        for session in sessions:
            session.request("GET", "/cases/new/")
        cookies = sessions[0].cookies
        index = 0
        while time.monotonic() < deadline:
            target = (worker + index) % len(ports)
            session = sessions[target]
            session.cookies = cookies
            title = f"{marker} intake {phase}-{worker}-{index}"
            form = {
                "csrfmiddlewaretoken": cookies["csrftoken"],
                "kind": "inquiry",
                "service": "",
                "title": title,
                "description": "请问本月水费为什么比上月高？",
                "name": "压测客户",
                "phone": f"139{worker:02d}{index:06d}",
                "consent": "on",
            }
            if index % 2 == 0:
                form["email"] = f"scale-{phase}-{worker}-{index}@example.com"
            status, _text, _headers = session.request("POST", "/cases/new/", form)
            with lock:
                if status == 302:
                    accepted.append((title, ports[target]))
                else:
                    refused.append(status)
            cookies.pop("messages", None)
            index += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "titles": [title for title, _port in accepted],
        "by_port": Counter(port for _title, port in accepted),
        "refused": Counter(refused),
        "rate": len(accepted) / elapsed,
        "seconds": elapsed,
    }


def _combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of several load runs of one configuration taken together."""
    titles = [title for run in runs for title in run["titles"]]
    seconds = sum(run["seconds"] for run in runs)
    return {
        "titles": titles,
        "by_port": sum((run["by_port"] for run in runs), Counter()),
        "refused": sum((run["refused"] for run in runs), Counter()),
        "rate": len(titles) / seconds,
        "seconds": seconds,
    }


def _scrape(port: int) -> dict[str, float]:
    """The intake's accepted count and the SLA counters, as one web process's /metrics reports them."""
    from prometheus_client.parser import text_string_to_metric_families

    session = Session(port)
    session.connection.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    text = session.connection.getresponse().read().decode()
    figures: dict[str, float] = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "charter_http_requests_total" and labels.get("method") == "POST":
                if labels.get("status") == "302" and labels.get("route", "").endswith("intake"):
                    figures["intake_302"] += sample.value
            elif sample.name in ("charter_sla_warnings_total", "charter_sla_breaches_total"):
                figures[sample.name] += sample.value
            elif sample.name in ("charter_mails_sent_total", "charter_queue_pending_tasks"):
                figures[sample.name] += sample.value
    return figures


def _start_web(
    env: dict[str, str], run_dir: Path, name: str, port: int, workers: int
) -> subprocess.Popen[bytes]:
    metrics_dir = run_dir / f"metrics-{name}"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    command = [
        PYTHON, "-m", "gunicorn", "charter.config.wsgi",
        "-b", f"127.0.0.1:{port}",
        "-w", str(workers),
        # Each instance its own control socket: gunicorn 27's default path is shared by every instance.
        "--control-socket", str(run_dir / f"gunicorn-{name}.ctl"),
        "--logger-class", "charter.common.logredact.GunicornLogger",
        "--log-level", "warning",
        "--timeout", "120",
    ]  # fmt: skip
    web_env = dict(env, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    return subprocess.Popen(command, env=web_env, cwd=ROOT)  # noqa: S603 (our own fixed command)


def _drain(env: dict[str, str], timeout: float) -> dict[str, int]:
    started = time.monotonic()
    state: dict[str, int] = {}
    while time.monotonic() - started < timeout:
        state = _shell(env, "from bench.scale_demo import drained; drained()")
        if not any(state.values()):
            break
        time.sleep(3)
    state["seconds"] = round(time.monotonic() - started)
    return state


def _report(
    args: argparse.Namespace,
    one: dict[str, Any],
    two: dict[str, Any],
    checked: dict[str, Any],
    drain: dict[str, int],
    ports: list[int],
    scraped: list[dict[str, float]],
    delivered: Counter[str],
) -> str:
    """The Markdown table of the throughput and of every check."""
    accepted_titles = one["titles"] + two["titles"]
    stored = set(checked["stored_titles"])
    lost = [title for title in accepted_titles if title not in stored]
    logged = set(checked["message_ids"])
    mails_twice = sum(1 for n in delivered.values() if n > 1)
    logged_ever = set(checked["message_ids_all"])
    mails_unlogged = sum(1 for message_id in delivered if message_id not in logged_ever)
    mails_undelivered = sum(1 for message_id in logged if message_id not in delivered)
    mail_left = {k: v for k, v in checked["mail"].items() if k != "sent"}
    cpus = os.cpu_count()

    def verdict(ok: bool) -> str:
        return "yes" if ok else "**NO**"

    c = checked
    warnings_ok = c["warnings_fired"] == c["warnings_expected"] > 0 and not (
        c["warnings_missing"] or c["warnings_twice"] or c["warnings_unstamped"]
    )
    breaches_ok = c["breaches_fired"] == c["breaches_expected"] > 0 and not (
        c["breaches_missing"] or c["breaches_twice"]
    )
    mail_ok = bool(logged) and not (mails_twice or mails_undelivered or mails_unlogged or mail_left)
    drained_ok = not (drain.get("pending") or drain.get("mail_waiting") or drain.get("jobs"))
    ratio = two["rate"] / max(one["rate"], 0.001)
    lines = [
        f"## Scale-out demonstration ({cpus} CPUs shared by everything below; {args.web_workers} gunicorn "
        f"worker(s) per web process, 2 Huey consumers, PostgreSQL, Redis)",
        "",
        "| web processes | seconds | accepted | accepted/s | refused | ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| 1 | {one['seconds']:.0f} | {len(one['titles'])} | {one['rate']:.1f} | "
        f"{sum(one['refused'].values())} | 1.00 |",
        f"| 2 | {two['seconds']:.0f} | {len(two['titles'])} | {two['rate']:.1f} | "
        f"{sum(two['refused'].values())} | {ratio:.2f} |",
        "",
        "| check | figures | holds |",
        "| --- | --- | :---: |",
        f"| every SLA warning fired exactly once | {c['warnings_fired']} fired for {c['warnings_expected']} "
        f"clocks due; {c['warnings_missing']} missing, {c['warnings_twice']} twice, "
        f"{c['warnings_unstamped']} unstamped | {verdict(warnings_ok)} |",
        f"| every SLA breach fired exactly once | {c['breaches_fired']} fired for {c['breaches_expected']} "
        f"clocks late; {c['breaches_missing']} missing, {c['breaches_twice']} twice | "
        f"{verdict(breaches_ok)} |",
        f"| no accepted intake lost | {len(accepted_titles)} accepted, {len(lost)} missing, "
        f"{c['stored_twice']} stored twice | {verdict(not lost and not c['stored_twice'])} |",
        f"| each mail sent once | {len(logged)} logged as sent, {sum(delivered.values())} SMTP deliveries; "
        f"{mails_twice} delivered twice, {mails_undelivered} never delivered, {mails_unlogged} not in the "
        f"log; left {mail_left or 'none'} | {verdict(mail_ok)} |",
        f"| workers drained | queue {drain.get('pending')}, mail waiting {drain.get('mail_waiting')}, "
        f"notifications {drain.get('jobs')} after {drain['seconds']} s | {verdict(drained_ok)} |",
    ]
    for name, port, figures in zip(("a", "b"), ports, scraped, strict=True):
        counted = int(figures.get("intake_302", 0))
        served = one["by_port"].get(port, 0) + two["by_port"].get(port, 0)
        lines.append(
            f"| /metrics of web process {name} counts its accepted intakes | {counted} counted, {served} "
            f"accepted there; SLA warnings {int(figures.get('charter_sla_warnings_total', 0))}, breaches "
            f"{int(figures.get('charter_sla_breaches_total', 0))} | {verdict(counted == served)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20, help="load per phase (one web process, two)")
    parser.add_argument("--backlog", type=int, default=300, help="cases whose SLA warning or breach is due")
    parser.add_argument("--web-workers", type=int, default=1, help="gunicorn workers per web process")
    parser.add_argument("--reuse", action="store_true", help="keep charter_scale from an earlier run")
    args = parser.parse_args()

    server = os.environ.get("SCALE_PG", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/7")
    var_dir = ROOT / "var" / "scale-demo"
    run_dir = var_dir / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    marker = f"scale-{random.randint(0, 10**9)}"

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    database_url = f"{server}/{DATABASE}" if args.reuse else _database_reset(server)
    processes: list[subprocess.Popen[bytes]] = []
    with SmtpSink() as sink:
        env = _env(var_dir, sink.port, redis_url, database_url)
        print("preparing charter_scale (migrate, demo, backlog)…", flush=True)
        _manage(env, "migrate", "--no-input", "-v", "0")
        if not args.reuse:
            _manage(env, "load_demo")
        _manage(env, "collectstatic", "--no-input", "-v", "0")
        mark = _shell(env, "from bench.scale_demo import mail_mark; mail_mark()")["last"]
        _shell(env, f"from bench.scale_demo import seed_backlog; seed_backlog({marker!r}, {args.backlog})")
        sink.message_ids.clear()  # the demo's own mails (none are sent before a worker runs)
        ports = [_free_port(), _free_port()]
        try:
            for name, port in zip(("a", "b"), ports, strict=True):
                processes.append(_start_web(env, run_dir, name, port, args.web_workers))
            for _ in range(2):
                worker = [PYTHON, str(ROOT / "manage.py"), "run_huey", "--quiet"]
                processes.append(subprocess.Popen(worker, env=env, cwd=ROOT))  # noqa: S603 (our own command)
            for port in ports:
                _wait_listening(port)
            for port in ports:  # warm-up: each worker imports and connects before it is measured
                Session(port).request("GET", "/cases/new/")
            print(f"load: {args.seconds:.0f} s on one web process, then on two…", flush=True)
            # One, two, one, two: the backlog's firing and the machine's other work fall on both alike.
            runs: dict[str, list[dict[str, Any]]] = {"one": [], "two": []}
            for round_number in range(2):
                for phase, targets in (("one", ports[:1]), ("two", ports)):
                    sweeps = "from bench.scale_demo import sweeps_enqueue; sweeps_enqueue(3); print('{}')"
                    _shell(env, sweeps)
                    runs[phase].append(_load(targets, args.seconds / 2, marker, f"{phase}{round_number}"))
            one, two = _combined(runs["one"]), _combined(runs["two"])
            _shell(env, "from bench.scale_demo import sweeps_enqueue; sweeps_enqueue(2); print('{}')")
            print("waiting for the workers to drain…", flush=True)
            drain = _drain(env, timeout=600)
            scraped = [_scrape(port) for port in ports]
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        checked = _shell(env, f"from bench.scale_demo import verify; verify({marker!r}, {mark})")
        delivered = Counter(sink.message_ids)

    report = _report(args, one, two, checked, drain, ports, scraped, delivered)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "scale-demo.md").write_text(report)
    if "**NO**" in report:
        raise SystemExit("the scale-out demonstration found a problem (see the table)")


if __name__ == "__main__":
    main()
