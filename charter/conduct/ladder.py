"""The disciplinary ladder's proposal: a pure function of the rules, the staff member's prior records and the
violation at hand. No database, so it is tested with properties.

Steps are positions 0..n-1 on the ladder, mildest first. A prior record counts while it is active: it took
effect within the look-back window before the moment of the proposal. Repeats climb: the proposal is one step
above the highest active record, and at least as many steps up as there are active records. Severity and
harm to customers or reputation may start the proposal at a higher step. It never goes past the last step.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LadderRules:
    """`step_count` steps; `harm_floor` and `severity_floors` are positions (None or absent: no floor)."""

    step_count: int
    window: dt.timedelta
    harm_floor: int | None = None
    severity_floors: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PriorRecord:
    """A decided step of an earlier violation: its position and when it took effect."""

    position: int
    effective_at: dt.datetime


def active_records(
    records: Sequence[PriorRecord], *, at: dt.datetime, window: dt.timedelta
) -> list[PriorRecord]:
    """Return the records still on the active ladder at `at`: in effect no later than `at`, less than
    `window` before it."""
    return [record for record in records if at - window < record.effective_at <= at]


def step_propose(
    *,
    rules: LadderRules,
    prior: Sequence[PriorRecord],
    at: dt.datetime,
    severity: str,
    has_harm: bool,
) -> int:
    """Return the position of the step to propose for a new violation, given the staff member's `prior`
    records, at moment `at`.

    Requires at least one step. Monotone: more active records, harm, or a severity with a higher floor never
    propose a lower step.
    """
    if rules.step_count < 1:
        raise ValueError("the ladder has no steps")
    last = rules.step_count - 1
    active = active_records(prior, at=at, window=rules.window)
    proposal = 0
    if active:
        proposal = max(len(active), max(min(record.position, last) for record in active) + 1)
    if has_harm and rules.harm_floor is not None:
        proposal = max(proposal, rules.harm_floor)
    floor = rules.severity_floors.get(severity)
    if floor is not None:
        proposal = max(proposal, floor)
    return max(0, min(proposal, last))
