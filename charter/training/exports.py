"""The training matrix as a file: one row per person, one column per required course, each cell the state
in words (and the due or expiry date), through the shared writer (charter/common/exports.py) so that CSV is
UTF-8 with a byte order mark and every text cell, a course title starting with "=" among them, is written as
text and never run as a formula. Each export is an audit event (`training.matrix_export`) with its filters,
the format and the number of rows.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charter.accounts.models import OrgUnit, Team, User
from charter.audit.services import audit_record
from charter.common.exports import Cell, Table
from charter.common.policy import require
from charter.training.permissions import can_view_matrix
from charter.training.selectors import CellState, Matrix, MatrixRow, training_matrix


def cell_label(state: CellState) -> str:
    """The state of a matrix cell in words, in the active language."""
    return {
        CellState.DONE: pgettext("training matrix", "Done"),
        CellState.DUE: pgettext("training matrix", "Due"),
        CellState.OVERDUE: pgettext("training matrix", "Overdue"),
        CellState.EXPIRED: pgettext("training matrix", "Expired"),
        CellState.NOT_REQUIRED: pgettext("training matrix", "Not required"),
    }[state]


def matrix_table(matrix: Matrix) -> Table:
    """`matrix` as one table: person, teams, then one column per course."""
    headers = [_("Staff member"), _("Username"), _("Teams")] + [str(course) for course in matrix.courses]
    return Table(_("Training matrix"), headers, [_row(row) for row in matrix.rows])


def _row(row: MatrixRow) -> list[Cell]:
    cells: list[Cell] = [
        row.person.display_name or row.person.username,
        row.person.username,
        ", ".join(row.teams),
    ]
    for cell in row.cells:
        text = cell_label(cell.state)
        day = cell.due_on or cell.expires_on
        cells.append(f"{text} {day:%Y-%m-%d}" if day else text)
    return cells


def matrix_export(*, actor: User, team: Team | None, unit: OrgUnit | None, extension: str) -> Table:
    """Return the matrix `actor` may see (narrowed to `team` or `unit`) as a table, and audit the export.

    Preconditions: `can_view_matrix(actor)`. Side effects: audit `training.matrix_export` with the filters,
    the format and the number of rows.
    """
    require(can_view_matrix(actor))
    table = matrix_table(training_matrix(user=actor, team=team, unit=unit))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="training.matrix_export",
            data={
                "team": team.pk if team else None,
                "unit": unit.pk if unit else None,
                "format": extension,
                "rows": len(table.rows),
            },
        )
    return table
