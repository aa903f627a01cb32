"""The outcome ledger as HR reads it: the entries a user may see, their filters, and the export as a file.

The export goes through the shared writer (charter/common/exports.py): CSV is UTF-8 with a byte order mark,
XLSX one sheet, and every text cell is neutralised against formula injection (a value starting with =, +,
-, @, a tab or a carriage return gets a leading apostrophe). Coefficients stay Decimals, points integers.
Each export is an audit event (`assessment.ledger_export`) with its filters and the number of rows.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charter.accounts.models import Team, User
from charter.accounts.selectors import team_list_led_by
from charter.assessment.models import Cycle, LedgerEntry
from charter.assessment.permissions import (
    can_export_ledger,
    can_see_all_ledger,
    can_view_team_scorecards,
)
from charter.audit.services import audit_record
from charter.common.exports import Cell, Table
from charter.common.models import localized
from charter.common.policy import require


@dataclass(frozen=True)
class LedgerFilter:
    """What the ledger page and its export narrow the entries to; None is no filter."""

    cycle: int | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    team: int | None = None
    person: int | None = None


def ledger_team_list_for(*, user: User) -> QuerySet[Team]:
    """Return the teams whose entries `user` may see (for the team filter)."""
    teams = Team.objects.filter(is_active=True)
    return teams if can_see_all_ledger(user) else team_list_led_by(user=user)


def ledger_list_visible_to(*, user: User) -> QuerySet[LedgerEntry]:
    """Return the ledger entries `user` may see: all of them for HR, administrators and whoever sees every
    scorecard; the entries of the teams he leads (the scorecard's team) for a lead; none for anyone else."""
    entries = LedgerEntry.objects.select_related("person", "cycle__scheme", "scorecard__team").order_by(
        "-cycle__period_start", "scorecard__team__code", "person__username", "kind", "pk"
    )
    if can_see_all_ledger(user):
        return entries
    if not can_view_team_scorecards(user):
        return entries.none()
    return entries.filter(scorecard__team_id__in=team_list_led_by(user=user).values("pk"))


def ledger_filter(entries: QuerySet[LedgerEntry], filters: LedgerFilter) -> QuerySet[LedgerEntry]:
    """Narrow `entries` to `filters`: a cycle, cycles whose period lies within [period_from, period_to],
    a team (the scorecard's), a person."""
    if filters.cycle is not None:
        entries = entries.filter(cycle_id=filters.cycle)
    if filters.period_from is not None:
        entries = entries.filter(cycle__period_start__gte=filters.period_from)
    if filters.period_to is not None:
        entries = entries.filter(cycle__period_end__lte=filters.period_to)
    if filters.team is not None:
        entries = entries.filter(scorecard__team_id=filters.team)
    if filters.person is not None:
        entries = entries.filter(person_id=filters.person)
    return entries


def ledger_cycle_list_for(*, user: User) -> QuerySet[Cycle]:
    """Return the cycles that have entries `user` may see (for the cycle filter)."""
    return Cycle.objects.filter(pk__in=ledger_list_visible_to(user=user).values("cycle_id")).select_related(
        "scheme"
    )


def ledger_headers() -> list[str]:
    """The column headings of the ledger export, in the active language."""
    return [
        _("Staff member"),
        pgettext("assessment", "Name"),
        _("Team"),
        _("Scheme"),
        _("Period starts"),
        _("Period ends"),
        _("Grade"),
        pgettext("assessment", "Outcome"),
        _("Coefficient"),
        _("Points"),
        pgettext("assessment", "Title"),
        _("Note"),
        _("Recorded at"),
    ]


def ledger_row(entry: LedgerEntry) -> list[Cell]:
    """One entry as cells (the writer neutralises formulas)."""
    team = entry.scorecard.team
    return [
        entry.person.get_username(),
        entry.person.display_name,
        localized(team, "name") if team is not None else "",
        str(entry.cycle.scheme),
        entry.cycle.period_start,
        entry.cycle.period_end,
        entry.grade,
        entry.get_kind_display(),
        entry.coefficient,
        entry.points if entry.kind == LedgerEntry.Kind.POINTS else None,
        entry.title,
        entry.note,
        timezone.localtime(entry.created_at),
    ]


def ledger_export(*, actor: User, filters: LedgerFilter, extension: str) -> Table:
    """Return the ledger entries `actor` may see under `filters` as one table, and audit the export.

    Preconditions: `can_export_ledger(actor)`. Side effects: audit `assessment.ledger_export` with the
    filters, the format and the number of rows (in its own transaction, committed before the file is sent).
    """
    require(can_export_ledger(actor))
    entries = list(ledger_filter(ledger_list_visible_to(user=actor), filters))
    table = Table(_("Outcome ledger"), ledger_headers(), [ledger_row(entry) for entry in entries])
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="assessment.ledger_export",
            data={"filters": asdict(filters), "format": extension, "rows": len(entries)},
        )
    return table
