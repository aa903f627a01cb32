"""Benchmark the monthly service-quality report at a chosen number of cases: generating last month's
report (both PDFs) as an administrator's "generate again" does, which is what the worker does on the first
working day.

Usage: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench python -m bench.monthly_report
--reuse` reuses the database bench/cases.py seeded (without --reuse it seeds one first). The dashboard's
rollups are backfilled first when they are empty (bench/dashboard.py does it too). Each run is timed inside
one process (wall and this process's CPU; PostgreSQL's own CPU is in the wall time), three runs after one
warm-up; the target is 30 s. Writes a Markdown table to stdout and to
bench/results/monthly-report-<N>-<vendor>.md.
"""

import argparse
import json
import os

from bench.cases import ROOT, _env, _manage, prepare

TARGET_SECONDS = 30

PROBE = """
import json, time
from django.utils import timezone
from charter.accounts.models import User
from charter.cases.models import Case
from charter.reports.models import DailyFact
from charter.reports.monthly import monthly_report_generate
from charter.reports.periods import last_full_month
from charter.reports.rollups import rollup_refresh

backfill = None
if not DailyFact.objects.exists():
    started = time.perf_counter()
    rollup_refresh(full=True)
    backfill = time.perf_counter() - started
admin = User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.get(username="admin")
month = last_full_month(timezone.now()).start
runs = []
for index in range(RUNS + 1):
    wall, cpu = time.perf_counter(), time.process_time()
    report = monthly_report_generate(month=month, actor=admin)
    runs.append({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "state": report.state,
                 "error": report.error, "zh": report.file_zh.size if report.file_zh else 0,
                 "en": report.file_en.size if report.file_en else 0})
print(json.dumps({"cases": Case.objects.count(), "month": month.isoformat(), "backfill": backfill,
                  "warmup": runs[0], "runs": runs[1:]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    vendor = "postgresql" if "BENCH_DATABASE_URL" in os.environ else "sqlite"
    var_dir = ROOT / "var" / f"bench-cases-{vendor}"
    env = _env(var_dir)
    prepare(env, var_dir, args.cases, args.reuse)
    # Only the reports app's migrations: the report needs its tables, and a migration of another app may
    # rewrite a million rows (cases' search positions did), which is not what is measured here.
    _manage(env, "migrate", "reports", "--no-input", "-v", "0")
    output = _manage(env, "shell", "--no-imports", "-c", PROBE.replace("RUNS", str(args.runs)), capture=True)
    result = json.loads(output.strip().splitlines()[-1])
    runs = result["runs"]
    for run in [result["warmup"], *runs]:
        if run["state"] != "ready":
            raise SystemExit(f"the report failed: {run['error']}")
    lines = [
        "| run | wall s | Python CPU s | PDF zh KiB | PDF en KiB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for index, run in enumerate([result["warmup"], *runs]):
        name = "warm-up" if index == 0 else str(index)
        lines.append(
            f"| {name} | {run['wall']:.2f} | {run['cpu']:.2f} "
            f"| {run['zh'] / 1024:.0f} | {run['en'] / 1024:.0f} |"
        )
    worst = max(run["wall"] for run in runs)
    verdict = "met" if worst <= TARGET_SECONDS else "NOT MET"
    backfill = result["backfill"]
    report = (
        f"## Monthly service quality report, {result['cases']} cases on {vendor}\n\n"
        f"Generating the report of {result['month'][:7]} (both PDFs, figures, storage, audit), as the worker "
        "does on the first working day:\n\n"
        + "\n".join(lines)
        + f"\n\nTarget {TARGET_SECONDS} s: {verdict} (slowest run {worst:.2f} s).\n"
        + (
            f"\nThe dashboard's rollups were empty and were backfilled first in {backfill:.1f} s.\n"
            if backfill
            else ""
        )
    )
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"monthly-report-{args.cases}-{vendor}.md").write_text(report)


if __name__ == "__main__":
    main()
