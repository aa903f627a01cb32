"""Benchmark assigning a course to every staff member when a new version of the code of conduct is published
(issue 15: 5,000 staff within 30 s).

Usage: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench_training python -m
bench.training_assign --staff 5000` (SQLite under var/bench-training/ without the variable; the PostgreSQL
database is created when missing). Builds the database from nothing unless it already holds `--staff` bench
staff (or `--reuse`): migrate, then N agents in teams of 100, the code of conduct and a course introducing it.
Then `--runs` times publishes a new version of the code with the worker inline (huey immediate): the
publication, its listener, the batch and `batch_carry_out` for everyone, timed together with their queries;
the batch's "course assigned" mails are timed apart (the worker renders and queues them after the batch; their
delivery, a task each, is left queued). A second
`batch_carry_out` of the same batch is timed too (it must assign nobody). Writes a Markdown report to stdout
and to bench/results/training-assign-<N>-<vendor>.md.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TEAM_SIZE = 100


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


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)  # noqa: S603


def _database_create(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist (connecting to `postgres`)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict[str, str], var_dir: Path) -> None:
    """A new schema (PostgreSQL) or file, migrated."""
    var_dir.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        _database_create(url)
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


def seed(staff: int) -> None:
    """`staff` agents (bench.staff<n>) in teams of TEAM_SIZE under one unit, an administrator, the code of
    conduct with a published version 1, and an active course introducing it (published version 1)."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    from charter.accounts.models import OrgUnit, Team, TeamMembership, User
    from charter.accounts.roles import Role
    from charter.common.versioning import VersionStatus, version_publish
    from charter.training.models import Course, CourseVersion, Lesson

    started = time.monotonic()
    with transaction.atomic():
        admin = User.objects.create(username="bench.admin", display_name="压测管理员", is_staff=True)
        admin.groups.add(Group.objects.get(name=str(Role.ADMINISTRATOR)))
        unit = OrgUnit.objects.create(code="bench-org", name_zh="压测单位", kind=OrgUnit.Kind.ORGANISATION)
        if not unit.path:
            unit.path = f"/{unit.pk}/"
            unit.save()
        teams = Team.objects.bulk_create(
            Team(unit=unit, code=f"bench-team-{index}", name_zh=f"压测班组{index}")
            for index in range((staff + TEAM_SIZE - 1) // TEAM_SIZE)
        )
        users = User.objects.bulk_create(
            User(
                username=f"bench.staff{index}",
                display_name=f"员工{index}",
                email=f"staff{index}@bench.example",
                password="!",  # noqa: S106 (an unusable password, as set_unusable_password writes)
            )
            for index in range(staff)
        )
        agent = Group.objects.get(name=str(Role.AGENT))
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=agent.pk) for user in users
        )
        TeamMembership.objects.bulk_create(
            TeamMembership(team=teams[index // TEAM_SIZE], user=user) for index, user in enumerate(users)
        )
    document = _code(admin)
    course = Course.objects.create(
        code="bench-code-course", title_zh="员工服务行为规范解读", standard=document, standard_days=30
    )
    version = CourseVersion.objects.create(course=course, number=1, status=VersionStatus.DRAFT)
    Lesson.objects.create(version=version, ordering=1, title_zh="第1课", body_zh="<p>内容</p>")
    version_publish(version=version, actor=admin)
    print(f"seeded {staff} staff in {time.monotonic() - started:.1f} s", flush=True)


def _code(admin: Any) -> Any:
    from charter.standards.models import StandardDocument
    from charter.standards.services import standard_document_create

    found = StandardDocument.objects.filter(code="bench-code").first()
    return found or standard_document_create(
        actor=admin,
        code="bench-code",
        kind=StandardDocument.Kind.CODE_OF_CONDUCT,
        title_zh="压测员工服务行为规范",
        title_en="Bench code of conduct",
    )


def publish_version(admin: Any, document: Any, number: int) -> Any:
    """Open a draft of the code, add one clause, publish it effective now; the listeners run on commit."""
    from django.utils import timezone

    from charter.standards.models import StandardClause
    from charter.standards.services import (
        ClauseContent,
        standard_clause_add,
        standard_version_draft_create,
        standard_version_publish,
    )

    draft = standard_version_draft_create(actor=admin, document=document)
    if not StandardClause.objects.filter(version=draft).exists():
        standard_clause_add(
            actor=admin,
            version=draft,
            content=ClauseContent(
                number="1.1",
                title_zh="以礼待人",
                text_zh="员工需以礼待人。",
                category=StandardClause.Category.ATTITUDE,
                is_disciplinary=True,
            ),
        )
    return standard_version_publish(actor=admin, version=draft, effective_at=timezone.now())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    args = parser.parse_args()

    vendor = "postgresql" if "BENCH_DATABASE_URL" in os.environ else "sqlite"
    var_dir = ROOT / "var" / "bench-training"
    env = _env(var_dir)
    os.environ.update(env)
    var_dir.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.db import connection
    from django.db.utils import DatabaseError
    from django.test.utils import CaptureQueriesContext
    from huey.contrib.djhuey import HUEY

    from charter.accounts.models import User
    from charter.mail.models import OutboundMessage
    from charter.training import assignments, mailing_assignments
    from charter.training.models import Assignment, AssignmentBatch

    try:
        seeded = User.objects.filter(username__startswith="bench.staff").count() == args.staff
    except DatabaseError:
        seeded = False
    if not args.reuse and not seeded:
        connection.close()
        prepare(env, var_dir)
        seed(args.staff)
    admin = User.objects.get(username="bench.admin")
    document = _code(admin)
    HUEY.immediate = True
    # The batch's mails are timed apart: remember the batches instead of mailing them inline.
    mailed: list[int] = []
    assignments.batch_mail_later = mailed.append  # type: ignore[assignment]
    rows: list[str] = []
    for number in range(args.runs):
        mailed.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as context:
            version = publish_version(admin, document, number)
        wall = time.perf_counter() - started
        batch = AssignmentBatch.objects.get(standard_version=version)
        assigned = Assignment.objects.filter(batch=batch).count()
        assert batch.finished_at is not None and assigned == batch.assigned_count, "batch not carried out"
        again_started = time.perf_counter()
        AssignmentBatch.objects.filter(pk=batch.pk).update(finished_at=None)
        again = assignments.batch_carry_out(batch_id=batch.pk)
        again_wall = time.perf_counter() - again_started
        mail_started = time.perf_counter()
        before = OutboundMessage.objects.count()
        # Rendered and queued as the worker does; their delivery (another task each) is queued, not run.
        HUEY.immediate = False
        for batch_id in mailed:
            mailing_assignments.batch_assigned_mail(batch_id=batch_id)
        HUEY.immediate = True
        mails = OutboundMessage.objects.count() - before
        mail_wall = time.perf_counter() - mail_started
        print(
            f"run {number + 1}: version {version.number} published and {assigned} assigned in {wall:.2f} s "
            f"({len(context.captured_queries)} queries); again: {again} in {again_wall:.2f} s; "
            f"{mails} mails in {mail_wall:.1f} s",
            flush=True,
        )
        rows.append(
            f"| {number + 1} | {version.number} | {assigned} | {wall:.2f} | {len(context.captured_queries)} "
            f"| {again} in {again_wall:.2f} | {mails} in {mail_wall:.1f} |"
        )
    report = "\n".join(
        [
            f"# Publishing a code version assigns its course to {args.staff} staff ({vendor})",
            "",
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; the worker inline (huey immediate). Publication, "
            "listener, batch and `batch_carry_out` timed together; the carry-out run again on the same "
            "batch (must assign 0); the batch's mails timed apart.",
            "",
            "| run | version | assigned | seconds | queries | second carry-out (assigned, s) "
            "| mails (count, s) |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"training-assign-{args.staff}-{vendor}.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
