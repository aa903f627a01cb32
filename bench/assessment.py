"""Benchmark opening a monthly assessment cycle (issue 14): N staff over a database of M cases.

Usage: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench_assessment python -m
bench.assessment --cases 1000000 --staff 500` (SQLite under var/bench-assessment/ without the variable).
Seeds the database (migrate, load_demo, `bench_seed --cases M --staff N --assessment`: resolutions, clocks,
survey responses, QA reviews, reply findings, complaints and praise naming staff, violations) unless it
already holds that seed, or `--reuse`. Then publishes an agent scheme weighting EVERY registered indicator
(weights adding to 100, published before the period), and times `cycle_open` for last month `--runs`
times (the cycle deleted between runs), then `cycle_recalculate` once, reporting wall time, queries in all
and per indicator, the time of each indicator's `compute`, and the rows written. An indicator slower than
`--explain-over` seconds gets its slowest query run again under EXPLAIN ANALYZE in the report.
Writes a Markdown report to stdout and to bench/results/assessment-<M>-<vendor>.md.
"""

import argparse
import cProfile
import dataclasses
import datetime as dt
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCHEME_CODE = "bench_agents"

# A reasonable curve per indicator (floor, target, cap in the indicator's unit; mirrored when lower is
# better); any indicator registered later falls back to one by its unit and direction.
CURVES: dict[str, tuple[str, str, str]] = {
    "volume_handled": ("0", "120", "200"),
    "commendations": ("0", "2", "5"),
    "qa_average": ("60", "90", "100"),
    "nps_attributed": ("-20", "50", "100"),
    "first_response_minutes_avg": ("480", "60", "0"),
    "resolution_minutes_avg": ("4800", "960", "0"),
}
FALLBACK: dict[tuple[str, bool], tuple[str, str, str]] = {
    ("percent", True): ("50", "90", "100"),
    ("percent", False): ("30", "5", "0"),
    ("count", True): ("0", "10", "20"),
    ("count", False): ("3", "0", "0"),
    ("per_100", False): ("10", "1", "0"),
    ("per_100", True): ("0", "10", "20"),
    ("points", True): ("0", "80", "100"),
    ("points", False): ("100", "20", "0"),
    ("minutes", False): ("2880", "240", "0"),
    ("minutes", True): ("0", "240", "2880"),
}
GRADES = [
    {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "minimum": "90"},
    {"code": "good", "name_zh": "良好", "name_en": "Good", "minimum": "75"},
    {"code": "pass", "name_zh": "合格", "name_en": "Pass", "minimum": "60"},
    {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "minimum": None},
]


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "charter.config.settings",
            "CHARTER_VAR_DIR": str(var_dir),
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}"),
            "CHARTER_DEBUG": "0",
            "CHARTER_LOG_LEVEL": "WARNING",
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


def _seeded(cases: int, staff: int) -> bool:
    """True when the database holds this seed: at least `cases` cases, exactly `staff` bench agents, and
    the assessment data (survey responses on bench teams' cases)."""
    from django.db.utils import DatabaseError

    from charter.accounts.models import User
    from charter.cases.models import Case
    from charter.surveys.models import Response

    try:
        return (
            User.objects.filter(username__startswith="bench.agent").count() == staff
            and Case.objects.filter(team__code__startswith="bench-team-").count() == cases
            and Response.objects.filter(team__code__startswith="bench-team-").exists()
        )
    except DatabaseError:
        return False


def prepare(env: dict[str, str], var_dir: Path, cases: int, staff: int) -> None:
    """Build the database from nothing: a new schema (PostgreSQL) or file, migrate, demo, bench seed."""
    var_dir.mkdir(parents=True, exist_ok=True)
    if "BENCH_DATABASE_URL" in os.environ:
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
    started = time.monotonic()
    _manage(env, "bench_seed", "--cases", str(cases), "--staff", str(staff), "--assessment", capture=True)
    print(f"seeded {cases} cases and {staff} staff in {time.monotonic() - started:.0f} s", flush=True)


def _curve(code: str, unit: str, higher_is_better: bool) -> dict[str, str]:
    floor, target, cap = CURVES.get(code) or FALLBACK[(unit, higher_is_better)]
    return {"type": "linear", "floor": floor, "target": target, "cap": cap}


def _weights(count: int) -> list[Decimal]:
    """Whole weights adding to 100: the remainder one point each on the first items."""
    base, extra = divmod(100, count)
    return [Decimal(base + (1 if index < extra else 0)) for index in range(count)]


def build_scheme(period_start: dt.date) -> Any:
    """Create (again) the agent scheme weighting every registered indicator over every bench team, and
    publish it a week before the period, as `tests/assessment/test_cycles.py` does."""
    import time_machine
    from django.utils import timezone

    from charter.accounts.models import Team, User
    from charter.assessment.indicators import INDICATORS
    from charter.assessment.models import Cycle, Scheme, SchemeItem, SchemeVersion
    from charter.common.versioning import version_publish

    codes = sorted(INDICATORS)
    old = Scheme.objects.filter(code=SCHEME_CODE).first()
    if old is not None:
        # A published version never changes nor goes away: reuse the scheme when it weighs the same
        # indicators, else set it aside under another code.
        Cycle.objects.filter(scheme=old).delete()
        used = sorted(SchemeItem.objects.filter(version__scheme=old).values_list("code", flat=True))
        if used == codes:
            return old
        Scheme.objects.filter(pk=old.pk).update(code=f"{SCHEME_CODE}_{old.pk}")
        old.teams.clear()
    admin = User.objects.get(username="admin")
    scheme = Scheme.objects.create(code=SCHEME_CODE, name_zh="压测坐席月度考核", name_en="Bench agents")
    scheme.teams.add(*Team.objects.filter(code__startswith="bench-team-"))
    version = SchemeVersion.objects.create(
        scheme=scheme,
        number=1,
        grades=GRADES,
        quota_grade="excellent",
        quota_share=Decimal(20),
        affects_pay=True,
        effective_from=period_start - dt.timedelta(days=31),
    )
    for code, weight in zip(codes, _weights(len(codes)), strict=True):
        indicator = INDICATORS[code]
        SchemeItem.objects.create(
            version=version,
            kind="indicator",
            code=code,
            weight=weight,
            curve=_curve(code, str(indicator.unit), indicator.higher_is_better),
        )
    published = timezone.make_aware(dt.datetime.combine(period_start - dt.timedelta(days=7), dt.time(9)))
    with time_machine.travel(published, tick=False):
        version_publish(version=version, actor=admin)
    return scheme


@dataclasses.dataclass
class IndicatorRun:
    seconds: float = 0.0
    queries: int = 0
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    with_value: int = 0
    sample: int = 0


def instrument(runs: dict[str, IndicatorRun]) -> Callable[[], None]:
    """Wrap every INDICATORS[code].compute to time it and count its queries into `runs` (reset per run);
    return the function that puts the originals back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from charter.assessment.indicators import INDICATORS, Measure, Period

    originals = dict(INDICATORS)

    def timed(code: str, compute: Callable[[Period, Sequence[int]], dict[int, Measure]]) -> Any:
        def wrapper(period: Period, people: Sequence[int]) -> dict[int, Measure]:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as context:
                result = compute(period, people)
            run = runs.setdefault(code, IndicatorRun())
            run.seconds += time.perf_counter() - started
            run.queries += len(context.captured_queries)
            for query in context.captured_queries:
                if float(query["time"]) * 1000 >= run.slowest_ms:
                    run.slowest_ms, run.slowest_sql = float(query["time"]) * 1000, query["sql"]
            run.with_value = sum(1 for measure in result.values() if measure.value is not None)
            run.sample = sum(measure.sample for measure in result.values())
            return result

        return wrapper

    for code, indicator in originals.items():
        INDICATORS[code] = dataclasses.replace(indicator, compute=timed(code, indicator.compute))

    def restore() -> None:
        INDICATORS.update(originals)

    return restore


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured query (PostgreSQL), as text."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(_clip(row[0]) for row in cursor.fetchall())


def _clip(line: str, width: int = 300) -> str:
    """Cut a long line (the people's ids listed in a query) to `width` characters."""
    return line if len(line) <= width else line[:width] + " …"


def _rows(cycle: Any) -> tuple[int, int, int]:
    from charter.assessment.models import Scorecard, ScorecardEvent, ScorecardLine

    return (
        Scorecard.objects.filter(cycle=cycle).count(),
        ScorecardLine.objects.filter(scorecard__cycle=cycle).count(),
        ScorecardEvent.objects.filter(scorecard__cycle=cycle).count(),
    )


def _indicator_table(runs: dict[str, IndicatorRun], staff: int) -> list[str]:
    lines = [
        "| indicator | queries | seconds | people with a value | sample (rows counted) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for code, run in sorted(runs.items(), key=lambda item: -item[1].seconds):
        lines.append(
            f"| {code} | {run.queries} | {run.seconds:.2f} | {run.with_value}/{staff} | {run.sample} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--staff", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="use the database as it is, seeded or not")
    parser.add_argument(
        "--profile", action="store_true", help="open once more under cProfile; report the top functions"
    )
    parser.add_argument(
        "--explain-over", type=float, default=10.0, help="EXPLAIN indicators slower than this"
    )
    args = parser.parse_args()

    vendor = "postgresql" if "BENCH_DATABASE_URL" in os.environ else "sqlite"
    var_dir = ROOT / "var" / "bench-assessment"
    env = _env(var_dir)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from charter.accounts.models import User
    from charter.assessment import cycles
    from charter.assessment.indicators import INDICATORS
    from charter.assessment.models import Cycle

    if not args.reuse and not _seeded(args.cases, args.staff):
        connection.close()
        prepare(env, var_dir, args.cases, args.staff)
    today = timezone.localdate()
    period_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    scheme = build_scheme(period_start)
    admin = User.objects.get(username="admin")
    runs: dict[str, IndicatorRun] = {}
    restore = instrument(runs)
    walls, totals, cycle = [], [], None
    written = (0, 0, 0)
    try:
        for number in range(args.runs):
            if cycle is not None:
                Cycle.objects.filter(pk=cycle.pk).delete()
            runs.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as context:
                cycle = cycles.cycle_open(actor=admin, scheme=scheme, period_start=period_start)
            walls.append(time.perf_counter() - started)
            totals.append(len(context.captured_queries))
            written = _rows(cycle)
            print(f"run {number + 1}: {walls[-1]:.2f} s, {totals[-1]} queries", flush=True)
        open_runs = dict(runs)
        assert cycle is not None
        cycle.refresh_from_db()
        runs.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as context:
            changed = cycles.cycle_recalculate(actor=admin, cycle=cycle, expected_version=cycle.lock_version)
        recalc_wall, recalc_queries = time.perf_counter() - started, len(context.captured_queries)
        recalc_runs = dict(runs)
        profile = ""
        if args.profile:
            Cycle.objects.filter(pk=cycle.pk).delete()
            runs.clear()  # the profiled run's figures are inflated: kept out of the tables
            profiler = cProfile.Profile()
            profiler.enable()
            cycle = cycles.cycle_open(actor=admin, scheme=scheme, period_start=period_start)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
                r"charter/|bulk_update", 30
            )
            profile = out.getvalue()
    finally:
        restore()
    indicator_queries = sum(run.queries for run in open_runs.values())
    lines = [
        f"## Opening a monthly cycle: {args.staff} staff over {args.cases} cases on {vendor}",
        "",
        f"Period {period_start:%Y-%m}; scheme weighting all {len(INDICATORS)} registered indicators "
        f"(weights adding to 100); {len(walls)} runs, the cycle deleted between runs.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| cycle_open wall time, median (runs) | {statistics.median(walls):.2f} s "
        f"({', '.join(f'{wall:.2f}' for wall in walls)}) |",
        f"| queries per cycle_open | {totals[-1]} (runs: {', '.join(map(str, totals))}) |",
        f"| of which computing indicators | {indicator_queries} over {len(open_runs)} indicators |",
        f"| most queries of one indicator | {max(run.queries for run in open_runs.values())} |",
        f"| scorecards / lines / timeline events written | {written[0]} / {written[1]} / {written[2]} |",
        f"| cycle_recalculate wall time | {recalc_wall:.2f} s ({recalc_queries} queries, "
        f"{changed} lines changed) |",
        "",
        "### Per indicator (last cycle_open run)",
        "",
        *_indicator_table(open_runs, args.staff),
        "",
        "### Per indicator (cycle_recalculate)",
        "",
        *_indicator_table(recalc_runs, args.staff),
    ]
    slow = [(code, run) for code, run in open_runs.items() if run.seconds > args.explain_over]
    if slow and vendor == "postgresql":
        lines += ["", f"### Indicators slower than {args.explain_over:g} s: their slowest query", ""]
        for code, run in slow:
            lines += [
                f"#### {code} ({run.slowest_ms:.0f} ms)",
                "",
                "```",
                _clip(run.slowest_sql, 1500),
                "",
                explain(run.slowest_sql),
                "```",
                "",
            ]
    if profile:
        lines += ["", "### One more cycle_open under cProfile (times inflated by the profiler)", "", "```"]
        lines += [line.rstrip() for line in profile.strip().splitlines()[-45:]]
        lines += ["```"]
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"assessment-{args.cases}-{vendor}.md").write_text(report)


if __name__ == "__main__":
    main()
