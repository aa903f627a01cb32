"""Workflows as data: a map of the states a row may move to next, enforced in one function.

Each app keeps its own map beside its services (it is business data: `charter/cases/workflow.py`,
`charter/conduct/workflow.py`, ...); this module holds only the mechanism, so every workflow refuses the same
way: `InvalidTransitionError` (409, `invalid_transition`) whose message names the current and the requested
state in the reader's language. The model is django-oscar's `set_status`.

    VIOLATION_WORKFLOW = Workflow(
        Violation.Status,
        {
            S.RECORDED: {S.AWAITING_RESPONSE: Move("decide")},
            S.AWAITING_RESPONSE: {S.IN_EFFECT: Move("end_response", condition=...)},
            ...
        },
    )
    VIOLATION_WORKFLOW.move(violation, to=S.AWAITING_RESPONSE, name="decide")  # then the service saves

A move may carry a `name` (the step's verb: a service that passes `name=` takes only its own step, even
when another step leads to the same state) and a `condition` on the row, which returns None to allow the
move or the refusal people read. Conditions are about the row alone; who is acting is a permission
question (the app's `permissions.py`), and the input a step needs (a reason, a note) is checked by its
service.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.common.errors import InvalidTransitionError

RowT = TypeVar("RowT")
MoveT = TypeVar("MoveT", bound="Move[Any]")

Message = str | Promise

DEFAULT_REFUSAL = _("This cannot go from “%(from)s” to “%(to)s”.")


@dataclass(frozen=True)
class Move(Generic[RowT]):
    """One allowed step: its verb, a condition on the row, and the code its condition refuses with.

    `condition(row)` returns None when the step may be taken, else the refusal message; `code` is the error
    code of that refusal (default `invalid_transition`). An app may subclass Move to carry more (the cases
    workflow notes which steps need a reason).
    """

    name: str = ""
    condition: Callable[[RowT], Message | None] | None = None
    code: str = ""

    def refusal(self, row: RowT) -> Message | None:
        """Return why the condition refuses this step for `row`, or None when it allows it."""
        return None if self.condition is None else self.condition(row)


class Workflow(Generic[RowT, MoveT]):
    """The map {from_state: {to_state: move}} of one kind of row, and the one place it is enforced.

    Every state of `states` must appear as a key of `moves` (a final state maps to {}), and nothing else,
    so a state added to the model and forgotten here fails at import. `refusal` is the message of a move the
    map does not allow, formatted with the labels of `from` and `to`. `field` names the row's state field.
    """

    def __init__(
        self,
        states: type[TextChoices],
        moves: Mapping[str, Mapping[str, MoveT]],
        *,
        refusal: Message = DEFAULT_REFUSAL,
        field: str = "status",
    ) -> None:
        known = set(states.values)
        if set(moves) != known:
            raise ValueError(f"The workflow of {states.__name__} must name every state once: {sorted(moves)}")
        for from_state, targets in moves.items():
            unknown = set(targets) - known
            if unknown:
                raise ValueError(f"{states.__name__}.{from_state} moves to unknown states {sorted(unknown)}")
        self.states = states
        self.moves: dict[str, dict[str, MoveT]] = {
            str(from_state): {str(to): move for to, move in targets.items()}
            for from_state, targets in moves.items()
        }
        self.refusal = refusal
        self.field = field

    def state_of(self, row: RowT) -> str:
        """Return the current state of `row`."""
        return str(getattr(row, self.field))

    def label(self, state: str) -> str:
        """Return the label of `state` in the active language (the raw value when it is no state)."""
        labels: dict[Any, Any] = dict(self.states.choices)
        return str(labels.get(state, state))

    def move_for(self, from_state: str, to_state: str) -> MoveT | None:
        """Return the move from `from_state` to `to_state`, or None when the map does not allow it."""
        return self.moves.get(from_state, {}).get(to_state)

    def targets(self, from_state: str) -> list[str]:
        """Return the states the map allows after `from_state`, in the order of the map (conditions not
        asked)."""
        return list(self.moves.get(from_state, {}))

    def is_final(self, row: RowT) -> bool:
        """Return whether `row` is in a state the map allows no move from (its workflow has ended)."""
        return not self.moves.get(self.state_of(row))

    def allowed_next(self, row: RowT, *, where: Callable[[MoveT], bool] | None = None) -> list[str]:
        """Return the states `row` may move to now: allowed by the map and by each move's condition, in the
        order of the map; only the moves `where` accepts when given (a page that offers the plain steps
        and leaves the others to their own forms). For pages that offer only what the service will accept.
        """
        return [
            to
            for to, move in self.moves.get(self.state_of(row), {}).items()
            if (where is None or where(move)) and move.refusal(row) is None
        ]

    def refusal_for(
        self, row: RowT, *, to: str, name: str = "", refusal: Message | None = None
    ) -> InvalidTransitionError | None:
        """Return the error that refuses moving `row` to `to` (as the step `name` when given), or None.

        `refusal` replaces the message of a move the map does not allow, for a service that words it for
        its own action ("There is no appeal to decide."); a condition's refusal keeps its own message.
        """
        current = self.state_of(row)
        move = self.move_for(current, to)
        if move is None or (name and move.name != name):
            message = refusal or self.refusal % {"from": self.label(current), "to": self.label(to)}
            return InvalidTransitionError(message)
        condition_refusal = move.refusal(row)
        if condition_refusal is not None:
            return InvalidTransitionError(condition_refusal, code=move.code or None)
        return None

    def can_move(self, row: RowT, *, to: str, name: str = "") -> bool:
        """Return whether `row` may move to `to` now (as the step `name` when given)."""
        return self.refusal_for(row, to=to, name=name) is None

    def can_take(self, row: RowT, *, name: str) -> bool:
        """Return whether the step `name` may be taken from `row`'s state now, to whichever state it leads
        (a page asks this to show the form of a step)."""
        return any(
            move.name == name and move.refusal(row) is None
            for move in self.moves.get(self.state_of(row), {}).values()
        )

    def check(self, row: RowT, *, to: str, name: str = "", refusal: Message | None = None) -> MoveT:
        """Return the move of `row` to `to`, or raise InvalidTransitionError (409) when the map, the step's
        `name` or the move's condition refuses it. Writes nothing."""
        error = self.refusal_for(row, to=to, name=name, refusal=refusal)
        if error is not None:
            raise error
        move = self.move_for(self.state_of(row), to)
        assert move is not None  # noqa: S101 (refusal_for found it)
        return move

    def move(self, row: RowT, *, to: str, name: str = "", refusal: Message | None = None) -> MoveT:
        """Check the move of `row` to `to` (see `check`), set the row's state and return the move.

        The row is changed in memory only: the caller saves it in its transaction with the move's other
        effects (its timeline event, its audit record), after locking the row so the state it checked holds.
        """
        move = self.check(row, to=to, name=name, refusal=refusal)
        setattr(row, self.field, to)
        return move
