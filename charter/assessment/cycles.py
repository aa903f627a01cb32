"""Running an assessment cycle: open (the snapshot), self-assessment, scoring, calibration, approval,
publication, acknowledgement, the one appeal and its decision, recalculation and closing.

Every service checks its predicate (charter/assessment/permissions.py), takes its step through the workflow
maps (charter/assessment/workflow.py), claims the row's version (optimistic locking: a stale form is refused
with 409 `conflict`), writes a `ScorecardEvent` on the timeline and an audit event, all in one transaction.

Opening snapshots the indicators of every covered person: each indicator of the version is computed once for
all of them (a bounded number of queries per indicator, never per person) and stored on the scorecard lines,
so the scorecard reads what was true when it was opened; `cycle_recalculate` computes again, records every
difference on the timeline and in the audit chain, and rescores.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, TeamMembership, User
from charter.accounts.selectors import team_supervisors_by_depth
from charter.assessment import mailing
from charter.assessment.errors import TEXT_CODES, ErrorCode
from charter.assessment.formula import FormulaError
from charter.assessment.indicators import INDICATORS, Measure, Period
from charter.assessment.models import (
    Appeal,
    Cycle,
    PeriodKind,
    Scheme,
    SchemeVersion,
    Scorecard,
    ScorecardEvent,
    ScorecardLine,
)
from charter.assessment.outcomes import outcomes_apply
from charter.assessment.permissions import (
    can_acknowledge,
    can_appeal,
    can_approve,
    can_calibrate,
    can_decide_appeal,
    can_run_cycles,
    can_score,
    can_self_assess,
)
from charter.assessment.rules import BONUS, DEDUCTION, INDICATOR, QUALITATIVE, SELF, SchemeRules, rules_of
from charter.assessment.scoring import Member, forced_distribution, quota_places
from charter.assessment.selectors import (
    primary_team_ids,
    scheme_staff_covered,
    scheme_version_for_period,
    scheme_version_in_force,
)
from charter.assessment.workflow import CYCLE_WORKFLOW, SCORECARD_WORKFLOW
from charter.audit.services import audit_record
from charter.common.dates import day_start
from charter.common.errors import DomainError
from charter.common.locking import row_claim
from charter.common.policy import require
from charter.common.text import TEXT_MAX_LENGTH, clean_text
from charter.sla.deadlines import add_working_days
from charter.sla.selectors import calendar_for_team

C = Cycle.Status
S = Scorecard.Status
ZERO = Decimal(0)
HUNDRED = Decimal(100)
STALE = _("Someone else changed this assessment in the meantime; reload it and try again.")


# --- Periods and the snapshot ---------------------------------------------------------------------------


def period_for(kind: str, start: dt.date) -> Period:
    """The period of `kind` starting on `start`, which must be its first day (a month's 1st, a quarter's
    1 January/April/July/October, a year's 1 January)."""
    if (
        start.day != 1
        or (kind == PeriodKind.QUARTER and start.month % 3 != 1)
        or (kind == PeriodKind.YEAR and start.month != 1)
    ):
        raise DomainError(
            _("A period starts on its first day: the 1st of a month, of a quarter or of January."),
            code=ErrorCode.PERIOD_INVALID,
            field="period_start",
        )
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[PeriodKind(kind)]
    year, month = divmod(start.month - 1 + months, 12)
    following = dt.date(start.year + year, month + 1, 1)
    return Period(start, following - dt.timedelta(days=1))


def _indicator_codes(rules: SchemeRules) -> list[str]:
    codes = [item.code for item in rules.items if item.kind == INDICATOR]
    codes += [rule.indicator for rule in rules.adjustments if rule.indicator and rule.indicator not in codes]
    return codes


def snapshot_measures(
    rules: SchemeRules, period: Period, people: Sequence[int]
) -> dict[str, dict[int, Measure]]:
    """Compute every indicator the rules use for all `people` at once: indicator code → person → Measure."""
    return {code: INDICATORS[code].compute(period, people) for code in _indicator_codes(rules)}


def _lines_for(
    scorecard: Scorecard, rules: SchemeRules, measures: Mapping[str, Mapping[int, Measure]], at: dt.datetime
) -> list[ScorecardLine]:
    person = scorecard.person_id
    lines = []
    for item in rules.items:
        line = ScorecardLine(scorecard=scorecard, kind=item.kind, code=item.code, weight=item.weight)
        if item.kind == INDICATOR:
            measure = measures[item.code][person]
            line.value, line.sample, line.excluded = measure.value, measure.sample, measure.excluded
            line.points = rules.item_points(item.code, measure.value)
            line.calculated_at = at
        lines.append(line)
    for rule in rules.adjustments:
        line = ScorecardLine(scorecard=scorecard, kind=rule.kind, code=rule.code)
        if rule.indicator:
            measure = measures[rule.indicator][person]
            count = measure.value if measure.value is not None else ZERO
            line.value, line.sample, line.excluded = count, measure.sample, measure.excluded
            line.points = rules.adjustment_points(rule, count)
            line.calculated_at = at
        lines.append(line)
    return lines


def _rescore(scorecard: Scorecard, rules: SchemeRules, lines: Iterable[ScorecardLine]) -> FormulaError | None:
    """Set the scorecard's weighted score, bonus, deductions, total and grade by score from its lines.

    When the scheme's formula cannot be computed for this person (a division by zero in his numbers), the
    total and grade stay empty and the error is returned: opening a cycle goes on for the others, scoring
    shows it to the supervisor."""
    lines = list(lines)
    points = {line.code: line.points for line in lines if line.kind in (INDICATOR, QUALITATIVE, SELF)}
    adjustments = {line.code: line.points or ZERO for line in lines if line.kind in (BONUS, DEDUCTION)}
    try:
        score = rules.score(points, adjustments)
    except FormulaError as error:
        scorecard.total, scorecard.computed_grade = None, ""
        return error
    scorecard.weighted_score = score.weighted
    scorecard.bonus = score.bonus
    scorecard.deduction = score.deduction
    scorecard.total = score.total
    scorecard.computed_grade = score.grade
    return None


def _assessors(people: Sequence[int], teams: Mapping[int, int]) -> dict[int, int | None]:
    """Each person's assessor, the nearest supervisor who is not himself: a lead of his own team; else a lead
    of another team in his team's unit (the unit's supervisors, `team_supervisor_list`); else a lead in the
    nearest unit above. A lead of a team is assessed from above his unit, never by a peer of his unit. Three
    queries, whatever the number of teams and people."""
    result: dict[int, int | None] = dict.fromkeys(people)
    leads_of = {
        (membership.team_id, membership.user_id)
        for membership in TeamMembership.objects.filter(team_id__in=set(teams.values()), is_lead=True)
    }
    team_rows = list(Team.objects.filter(pk__in=set(teams.values())).select_related("unit"))
    supervisors = team_supervisors_by_depth(teams=team_rows)
    for team in team_rows:
        by_depth = supervisors[team.pk]
        own_unit = len(team.unit.path)
        for person in (person for person in people if teams.get(person) == team.pk):
            is_lead = (team.pk, person) in leads_of
            own_team = [lead for (team_id, lead) in sorted(leads_of) if team_id == team.pk and lead != person]
            candidates = [] if is_lead else own_team
            for depth in sorted(by_depth, reverse=True):
                if is_lead and depth >= own_unit:
                    continue  # a peer of his unit does not assess a lead
                candidates += [user for user in by_depth[depth] if user != person and user not in candidates]
            result[person] = candidates[0] if candidates else None
    return result


def _event(
    scorecard: Scorecard, action: str, actor: User | None, at: dt.datetime, note: str = "", **data: Any
) -> ScorecardEvent:
    return ScorecardEvent(scorecard=scorecard, action=action, actor=actor, at=at, note=note, data=data)


def _due(team: Team | None, at: dt.datetime, days: int) -> dt.datetime:
    return add_working_days(calendar_for_team(team=team), at, days)


def cycle_open(
    *, actor: User, scheme: Scheme, period_start: dt.date, now: dt.datetime | None = None
) -> Cycle:
    """Open the cycle of `scheme` for the period starting `period_start`: snapshot every covered person's
    indicators and create their scorecards at self-assessment, each with its assessor. Refused: a period
    not starting on its first day or not begun yet, a scheme without a published version, a version that
    affects pay but was not published before the period started (Labour Contract Law art. 4), a cycle
    already open for the period. Audited as `assessment.cycle_open`."""
    require(can_run_cycles(actor))
    at = now or timezone.now()
    latest = scheme_version_in_force(scheme=scheme)
    if latest is None:
        raise DomainError(
            _("Publish the scheme before opening a cycle."), code=ErrorCode.SCHEME_NOT_PUBLISHED
        )
    version = scheme_version_for_period(scheme=scheme, start=period_start)
    if version is None:
        raise DomainError(
            _("No published version of the scheme applies to this period yet."),
            code=ErrorCode.SCHEME_NOT_IN_FORCE,
            field="period_start",
        )
    period = period_for(version.period_kind, period_start)
    if period.start > timezone.localdate(at):
        raise DomainError(
            _("This period has not begun yet."), code=ErrorCode.PERIOD_INVALID, field="period_start"
        )
    _check_published_in_time(version, period)
    rules = rules_of(version)
    people = list(scheme_staff_covered(scheme=scheme).values_list("pk", flat=True))
    if not people:
        raise DomainError(_("The scheme covers nobody yet."), code=ErrorCode.NOBODY_COVERED)
    measures = snapshot_measures(rules, period, people)
    teams = primary_team_ids(people=people)
    assessors = _assessors(people, teams)
    with transaction.atomic():
        if Cycle.objects.filter(scheme=scheme, period_start=period.start).exists():
            raise DomainError(
                _("A cycle is already open for this period."),
                code=ErrorCode.CYCLE_EXISTS,
                field="period_start",
            )
        cycle = Cycle.objects.create(
            scheme=scheme,
            version=version,
            period_start=period.start,
            period_end=period.end,
            opened_at=at,
            opened_by=actor,
            calculated_at=at,
            step_due_at=_due(None, at, version.self_days),
        )
        cards = Scorecard.objects.bulk_create(
            [
                Scorecard(
                    cycle=cycle, person_id=person, team_id=teams.get(person), assessor_id=assessors[person]
                )
                for person in people
            ]
        )
        lines: list[ScorecardLine] = []
        for card in cards:
            own = _lines_for(card, rules, measures, at)
            _rescore(card, rules, own)
            lines += own
        Scorecard.objects.bulk_update(
            cards, ["weighted_score", "bonus", "deduction", "total", "computed_grade"], batch_size=500
        )
        ScorecardLine.objects.bulk_create(lines, batch_size=1000)
        ScorecardEvent.objects.bulk_create(
            [_event(card, "open", actor, at) for card in cards], batch_size=1000
        )
        audit_record(
            actor=actor,
            action="assessment.cycle_open",
            target=cycle,
            data={"version": version.pk, "people": len(people), "indicators": list(measures)},
        )
        transaction.on_commit(partial(mailing.mail_later, "cycle_opened", cycle.pk))
    return cycle


def _check_published_in_time(version: SchemeVersion, period: Period) -> None:
    if not version.affects_pay:
        return
    starts = day_start(period.start, timezone.get_default_timezone())
    if (
        version.published_at is None
        or version.published_at >= starts
        or (version.effective_from is not None and version.effective_from > period.start)
    ):
        raise DomainError(
            _(
                "This scheme affects pay, so it applies only to periods starting after it was published to "
                "the staff it covers (Labour Contract Law, article 4)."
            ),
            code=ErrorCode.SCHEME_NOT_IN_FORCE,
            field="period_start",
        )


def cycle_recalculate(
    *, actor: User, cycle: Cycle, expected_version: int | None, now: dt.datetime | None = None
) -> int:
    """Compute the cycle's indicators again (at self-assessment or supervisor scoring, before grades are
    calibrated), store the new values, record each difference on the scorecard's timeline and in the audit
    chain, and rescore (a scored scorecard's grade follows its new total). Returns the number of lines that
    changed."""
    require(can_run_cycles(actor))
    at = now or timezone.now()
    with transaction.atomic():
        cycle = row_claim(cycle, expected_version, field="lock_version", stale=STALE)
        if cycle.status not in (C.SELF, C.SUPERVISOR):
            raise DomainError(
                _("The indicators are calculated again only before calibration."), code=ErrorCode.STEP_CLOSED
            )
        rules = rules_of(cycle.version)
        cards = list(cycle.scorecards.all())
        period = Period(cycle.period_start, cycle.period_end)
        measures = snapshot_measures(rules, period, [card.person_id for card in cards])
        stored = {
            (line.scorecard_id, line.code): line
            for line in ScorecardLine.objects.filter(scorecard__cycle=cycle)
        }
        by_card: dict[int, list[ScorecardLine]] = {}
        for (card_id, _code), line in stored.items():
            by_card.setdefault(card_id, []).append(line)
        changed_lines: list[ScorecardLine] = []
        events = []
        for card in cards:
            fresh = {line.code: line for line in _lines_for(card, rules, measures, at) if line.calculated_at}
            differences = {}
            for code, new in fresh.items():
                old = stored[(card.pk, code)]
                if (old.value, old.sample, old.excluded) != (new.value, new.sample, new.excluded):
                    differences[code] = {
                        "from": _text(old.value),
                        "to": _text(new.value),
                        "sample": [old.sample, new.sample],
                    }
                    old.value, old.sample, old.excluded, old.points = (
                        new.value,
                        new.sample,
                        new.excluded,
                        new.points,
                    )
                    changed_lines.append(old)
                old.calculated_at = at
            if differences:
                events.append(_event(card, "recalculate", actor, at, differences=differences))
            _rescore(card, rules, by_card[card.pk])
            if card.status == S.SCORED:
                card.grade = card.computed_grade
            card.lock_version += 1
        # Only the lines whose numbers changed are written; every computed line gets the new time at once.
        ScorecardLine.objects.bulk_update(
            changed_lines, ["value", "sample", "excluded", "points"], batch_size=1000
        )
        ScorecardLine.objects.filter(scorecard__cycle=cycle, calculated_at__isnull=False).update(
            calculated_at=at
        )
        Scorecard.objects.bulk_update(
            cards,
            ["weighted_score", "bonus", "deduction", "total", "computed_grade", "grade", "lock_version"],
            batch_size=500,
        )
        ScorecardEvent.objects.bulk_create(events)
        cycle.calculated_at = at
        cycle.save(update_fields=["calculated_at", "updated_at"])
        audit_record(
            actor=actor,
            action="assessment.cycle_recalculate",
            target=cycle,
            data={"changed_lines": len(changed_lines), "scorecards": len(events)},
        )
    return len(changed_lines)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- One scorecard ---------------------------------------------------------------------------------------


def _claim(scorecard: Scorecard, expected_version: int | None) -> Scorecard:
    """Lock the scorecard's cycle, then claim the scorecard's version. The cycle's steps hold the same cycle
    lock while they move all its scorecards, so a step of one scorecard never interleaves with them."""
    Cycle.objects.select_for_update().filter(pk=scorecard.cycle_id).first()
    return row_claim(
        scorecard,
        expected_version,
        field="lock_version",
        stale=STALE,
        queryset=Scorecard.objects.select_related("cycle", "cycle__version", "team"),
    )


def _points(raw: object, *, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or not ZERO <= value <= HUNDRED or value != value.quantize(Decimal("0.01")):
        raise DomainError(
            _("Give points from 0 to 100, with at most two decimals."),
            code=ErrorCode.POINTS_INVALID,
            field=field,
        )
    return value


def _ratings(
    card: Scorecard,
    kinds: set[str],
    ratings: Mapping[str, object],
    comments: Mapping[str, str],
    *,
    required: bool,
) -> list[ScorecardLine]:
    lines = list(card.lines.filter(kind__in=kinds))
    for line in lines:
        raw = ratings.get(line.code)
        if raw in (None, ""):
            if required:
                raise DomainError(
                    _("Rate every item."), code=ErrorCode.POINTS_INVALID, field=f"rating_{line.code}"
                )
            line.points = None
        else:
            line.points = _points(raw, field=f"rating_{line.code}")
        line.comment = clean_text(
            comments.get(line.code, ""), field=f"comment_{line.code}", codes=TEXT_CODES, max_length=2000
        )
    return lines


def scorecard_self_submit(
    *,
    actor: User,
    scorecard: Scorecard,
    ratings: Mapping[str, object],
    comments: Mapping[str, str] | None = None,
    comment: str = "",
    expected_version: int | None,
) -> Scorecard:
    """The person rates his self-assessment items and writes his summary; the scorecard goes to his
    supervisor. Audited as `assessment.self_submit`."""
    require(can_self_assess(actor, scorecard))
    comment = clean_text(comment, field="comment", codes=TEXT_CODES, max_length=TEXT_MAX_LENGTH)
    with transaction.atomic():
        card = _claim(scorecard, expected_version)
        require(can_self_assess(actor, card))
        lines = _ratings(card, {SELF}, ratings, comments or {}, required=True)
        for line in lines:
            line.self_points = line.points
        ScorecardLine.objects.bulk_update(lines, ["points", "self_points", "comment"])
        SCORECARD_WORKFLOW.move(card, to=S.SUPERVISOR, name="submit")
        card.self_comment = comment
        _rescore(card, rules_of(card.cycle.version), card.lines.all())
        card.save()
        at = timezone.now()
        _event(card, "self_submit", actor, at).save()
        audit_record(actor=actor, action="assessment.self_submit", target=card, data={"items": len(lines)})
    return card


def scorecard_score(
    *,
    actor: User,
    scorecard: Scorecard,
    ratings: Mapping[str, object],
    awards: Mapping[str, object] | None = None,
    comments: Mapping[str, str] | None = None,
    comment: str = "",
    expected_version: int | None,
) -> Scorecard:
    """The supervisor rates every qualitative item (0-100, each may carry a comment), counts the bonus and
    deduction items awarded by hand (服务之星), and writes his comments; the score and grade by score follow.
    He may score again until calibration. Audited as `assessment.score`."""
    require(can_score(actor, scorecard))
    comment = clean_text(comment, field="comment", codes=TEXT_CODES, max_length=TEXT_MAX_LENGTH)
    with transaction.atomic():
        card = _claim(scorecard, expected_version)
        require(can_score(actor, card))
        rules = rules_of(card.cycle.version)
        lines = _ratings(card, {QUALITATIVE}, ratings, comments or {}, required=True)
        manual = {rule.code: rule for rule in rules.adjustments if not rule.indicator}
        awarded = []
        for line in card.lines.filter(code__in=list(manual)):
            raw = (awards or {}).get(line.code, 0)
            try:
                count = int(str(raw or 0))
            except ValueError:
                count = -1
            if not 0 <= count <= 100:
                raise DomainError(
                    _("Give a whole number from 0 to 100."),
                    code=ErrorCode.POINTS_INVALID,
                    field=f"award_{line.code}",
                )
            line.value = Decimal(count)
            line.sample = count
            line.points = rules.adjustment_points(manual[line.code], Decimal(count))
            awarded.append(line)
        ScorecardLine.objects.bulk_update(lines + awarded, ["points", "comment", "value", "sample"])
        SCORECARD_WORKFLOW.move(card, to=S.SCORED, name="score")
        card.supervisor_comment = comment
        failure = _rescore(card, rules, card.lines.all())
        if failure is not None:
            raise failure
        card.grade = card.computed_grade
        card.save()
        at = timezone.now()
        _event(card, "score", actor, at, total=_text(card.total), grade=card.grade).save()
        audit_record(
            actor=actor,
            action="assessment.score",
            target=card,
            data={"total": card.total, "grade": card.grade},
        )
    return card


def scorecard_calibrate(
    *, actor: User, scorecard: Scorecard, grade: str, reason: str, expected_version: int | None
) -> Scorecard:
    """At calibration, set a different grade with the reason (required). Audited as `assessment.calibrate`."""
    require(can_calibrate(actor, scorecard))
    reason = clean_text(reason, field="reason", codes=TEXT_CODES, max_length=2000)
    if not reason:
        raise DomainError(_("Say why the grade changes."), code=ErrorCode.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        card = _claim(scorecard, expected_version)
        require(can_calibrate(actor, card))
        rules = rules_of(card.cycle.version)
        try:
            rules.bands.get(grade)
        except DomainError as error:
            error.field = "grade"
            raise
        _check_quota(card, rules, grade)
        previous = card.grade
        card.grade, card.grade_reason = grade, reason
        card.save()
        _event(card, "calibrate", actor, timezone.now(), reason, **{"from": previous, "to": grade}).save()
        audit_record(
            actor=actor,
            action="assessment.calibrate",
            target=card,
            data={"from": previous, "to": grade, "reason": reason},
        )
    return card


def _check_quota(card: Scorecard, rules: SchemeRules, grade: str) -> None:
    """Refuse a calibrated grade that would give a team more of a limited grade than its quota allows."""
    share = rules.quota.get(grade)
    if share is None or card.grade == grade:
        return
    team = Scorecard.objects.filter(cycle_id=card.cycle_id, team=card.team)
    places = quota_places(share, team.count())
    if team.filter(grade=grade).exclude(pk=card.pk).count() >= places:
        raise DomainError(
            _(
                "%(grade)s is limited to %(share)s%% of the team, that is %(places)s places, and they are "
                "taken: move someone else down first."
            )
            % {"grade": rules.bands.get(grade).label, "share": f"{share.normalize():f}", "places": places},
            code=ErrorCode.QUOTA_FULL,
            field="grade",
        )


def scorecard_acknowledge(*, actor: User, scorecard: Scorecard, expected_version: int | None) -> Scorecard:
    """The person confirms he has seen his published scorecard (he may still appeal within the window)."""
    require(can_acknowledge(actor, scorecard))
    with transaction.atomic():
        card = _claim(scorecard, expected_version)
        require(can_acknowledge(actor, card))
        SCORECARD_WORKFLOW.move(card, to=S.ACKNOWLEDGED, name="acknowledge")
        card.acknowledged_at = timezone.now()
        card.save()
        _event(card, "acknowledge", actor, card.acknowledged_at).save()
        audit_record(actor=actor, action="assessment.acknowledge", target=card)
    return card


def appeal_file(*, actor: User, scorecard: Scorecard, reason: str, expected_version: int | None) -> Appeal:
    """The person appeals his published scorecard, once, within the appeal window, with his grounds."""
    require(can_appeal(actor, scorecard))
    reason = clean_text(reason, field="reason", codes=TEXT_CODES, max_length=TEXT_MAX_LENGTH)
    if not reason:
        raise DomainError(
            _("Give the grounds of your appeal."), code=ErrorCode.REASON_REQUIRED, field="reason"
        )
    with transaction.atomic():
        card = _claim(scorecard, expected_version)
        require(can_appeal(actor, card))
        SCORECARD_WORKFLOW.move(card, to=S.APPEALED, name="appeal")
        at = timezone.now()
        card.save()
        appeal = Appeal.objects.create(scorecard=card, reason=reason, filed_at=at, previous_grade=card.grade)
        _event(card, "appeal", actor, at, reason).save()
        audit_record(actor=actor, action="assessment.appeal_file", target=appeal, data={"scorecard": card.pk})
        transaction.on_commit(partial(mailing.mail_later, "appeal_filed", appeal.pk))
    return appeal


def appeal_decide(
    *,
    actor: User,
    appeal: Appeal,
    status: str,
    decision: str,
    new_grade: str = "",
    expected_version: int | None,
) -> Appeal:
    """Decide an appeal (upheld or partly upheld with the new grade; rejected keeps it), by someone who
    neither scored, calibrated nor approved the scorecard; the scorecard becomes final and its outcomes go to
    the ledger. Audited as `assessment.appeal_decide`."""
    require(can_decide_appeal(actor, appeal))
    if status not in (Appeal.Status.UPHELD, Appeal.Status.PARTLY, Appeal.Status.REJECTED):
        raise DomainError(
            _("Choose a decision from the list."), code=ErrorCode.DECISION_INVALID, field="status"
        )
    decision = clean_text(decision, field="decision", codes=TEXT_CODES, max_length=TEXT_MAX_LENGTH)
    if not decision:
        raise DomainError(
            _("Give the reasons for the decision."), code=ErrorCode.REASON_REQUIRED, field="decision"
        )
    with transaction.atomic():
        appeal = row_claim(appeal, expected_version, field="lock_version", stale=STALE)
        card = _claim(appeal.scorecard, None)
        require(can_decide_appeal(actor, appeal))
        grade = card.grade
        if status != Appeal.Status.REJECTED:
            bands = rules_of(card.cycle.version).bands
            if not new_grade:
                raise DomainError(
                    _("Give the grade after the decision."),
                    code=ErrorCode.DECISION_INVALID,
                    field="new_grade",
                )
            try:
                bands.get(new_grade)
            except DomainError as error:
                error.field = "new_grade"
                raise
            grade = new_grade
        at = timezone.now()
        appeal.status, appeal.decision, appeal.decided_by, appeal.decided_at = status, decision, actor, at
        appeal.new_grade = grade
        appeal.save()
        previous = card.grade
        card.grade = grade
        if grade != previous:
            card.grade_reason = decision
        _finalise(card, actor, at, name="decide")
        _event(
            card, "appeal_decide", actor, at, decision, status=status, **{"from": previous, "to": grade}
        ).save()
        audit_record(
            actor=actor,
            action="assessment.appeal_decide",
            target=appeal,
            data={"status": status, "from": previous, "to": grade},
        )
        transaction.on_commit(partial(mailing.mail_later, "appeal_decided", appeal.pk))
    return appeal


def _finalise(card: Scorecard, actor: User, at: dt.datetime, *, name: str) -> None:
    SCORECARD_WORKFLOW.move(card, to=S.FINAL, name=name)
    card.final_at = at
    card.save()
    outcomes_apply(scorecard=card, actor=actor, at=at)


# --- The cycle's steps -----------------------------------------------------------------------------------


def _cycle_claim(cycle: Cycle, expected_version: int | None) -> Cycle:
    return row_claim(
        cycle,
        expected_version,
        field="lock_version",
        stale=STALE,
        queryset=Cycle.objects.select_related("version", "scheme"),
    )


def cycle_advance(
    *, actor: User, cycle: Cycle, expected_version: int | None, now: dt.datetime | None = None
) -> Cycle:
    """Move the cycle to its next step: self-assessment → supervisor scoring (self-assessments not written are
    left out, and the timeline says so) → calibration (every scorecard scored; the grade quota applied per
    team, each move with its reason) → head approval. Approval and closing have their own services."""
    require(can_run_cycles(actor))
    at = now or timezone.now()
    with transaction.atomic():
        cycle = _cycle_claim(cycle, expected_version)
        version = cycle.version
        target = {C.SELF: C.SUPERVISOR, C.SUPERVISOR: C.CALIBRATION, C.CALIBRATION: C.APPROVAL}.get(
            C(cycle.status)
        )
        if target is None:
            raise DomainError(_("This step is not ended by advancing."), code=ErrorCode.STEP_CLOSED)
        CYCLE_WORKFLOW.move(cycle, to=target, name="advance")
        data: dict[str, object] = {"to": target}
        if target == C.SUPERVISOR:
            missed = list(cycle.scorecards.filter(status=S.SELF))
            for card in missed:
                SCORECARD_WORKFLOW.move(card, to=S.SUPERVISOR, name="submit")
                card.lock_version += 1
            Scorecard.objects.bulk_update(missed, ["status", "lock_version"])
            ScorecardEvent.objects.bulk_create([_event(card, "self_missed", None, at) for card in missed])
            cycle.step_due_at = _due(None, at, version.supervisor_days)
        elif target == C.CALIBRATION:
            data["quota_moves"] = _apply_quota(cycle, actor, at)
            cycle.step_due_at = _due(None, at, version.calibration_days)
        else:
            cycle.step_due_at = _due(None, at, version.approval_days)
        cycle.save()
        audit_record(actor=actor, action="assessment.cycle_advance", target=cycle, data=data)
        if target == C.SUPERVISOR:
            transaction.on_commit(partial(mailing.mail_later, "scoring_open", cycle.pk))
    return cycle


def _apply_quota(cycle: Cycle, actor: User, at: dt.datetime) -> list[dict[str, object]]:
    """Grade every scorecard by its score, then apply the scheme's quota per team; return the moves (person,
    from, to) for the audit event. Each scorecard's version moves on, so a form read before is stale."""
    rules = rules_of(cycle.version)
    cards = list(cycle.scorecards.all())
    for card in cards:
        card.grade = card.computed_grade
        card.lock_version += 1
    events = []
    moves: list[dict[str, object]] = []
    if rules.quota:
        teams: dict[int | None, list[Scorecard]] = {}
        for card in cards:
            teams.setdefault(card.team_id, []).append(card)
        for members in teams.values():
            result = forced_distribution(
                [
                    Member(person_id=card.person_id, score=card.total or ZERO, grade=card.grade)
                    for card in members
                ],
                bands=rules.bands,
                shares=rules.quota,
            )
            by_person = {card.person_id: card for card in members}
            for move in result.moves:
                card = by_person[move.person_id]
                card.grade = move.to_grade
                card.grade_reason = move.reason(rules.bands)
                moves.append({"person": move.person_id, "from": move.from_grade, "to": move.to_grade})
                events.append(
                    _event(
                        card,
                        "quota",
                        None,
                        at,
                        card.grade_reason,
                        **{"from": move.from_grade, "to": move.to_grade},
                    )
                )
    Scorecard.objects.bulk_update(cards, ["grade", "grade_reason", "lock_version"], batch_size=500)
    ScorecardEvent.objects.bulk_create(events)
    return moves


def cycle_return(*, actor: User, cycle: Cycle, reason: str, expected_version: int | None) -> Cycle:
    """The head sends the cycle back from approval to calibration, saying why."""
    require(can_approve(actor, cycle))
    reason = clean_text(reason, field="reason", codes=TEXT_CODES, max_length=2000)
    if not reason:
        raise DomainError(_("Say why the cycle goes back."), code=ErrorCode.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        cycle = _cycle_claim(cycle, expected_version)
        require(can_approve(actor, cycle))
        CYCLE_WORKFLOW.move(cycle, to=C.CALIBRATION, name="return")
        cycle.step_due_at = _due(None, timezone.now(), cycle.version.calibration_days)
        cycle.save()
        audit_record(actor=actor, action="assessment.cycle_return", target=cycle, data={"reason": reason})
    return cycle


def cycle_approve(
    *, actor: User, cycle: Cycle, expected_version: int | None, now: dt.datetime | None = None
) -> Cycle:
    """The head approves the cycle (never one that assesses him); every scorecard is published to its
    person, who may acknowledge it and appeal within the version's appeal window (working days on his
    team's calendar). Audited as `assessment.cycle_approve`."""
    require(can_approve(actor, cycle))
    at = now or timezone.now()
    with transaction.atomic():
        cycle = _cycle_claim(cycle, expected_version)
        require(can_approve(actor, cycle))
        CYCLE_WORKFLOW.move(cycle, to=C.PUBLISHED, name="approve")
        cycle.approved_by, cycle.approved_at, cycle.published_at, cycle.step_due_at = actor, at, at, None
        cards = list(cycle.scorecards.select_related("team", "team__unit"))
        events = []
        due_by_team: dict[int | None, dt.datetime] = {}
        for card in cards:
            SCORECARD_WORKFLOW.move(card, to=S.APPROVED, name="approve")
            SCORECARD_WORKFLOW.move(card, to=S.PUBLISHED, name="publish")
            card.published_at = at
            if card.team_id not in due_by_team:
                due_by_team[card.team_id] = _due(card.team, at, cycle.version.appeal_days)
            card.appeal_due_at = due_by_team[card.team_id]
            card.lock_version += 1
            events += [_event(card, "approve", actor, at), _event(card, "publish", None, at)]
        Scorecard.objects.bulk_update(
            cards, ["status", "published_at", "appeal_due_at", "lock_version"], batch_size=500
        )
        ScorecardEvent.objects.bulk_create(events, batch_size=1000)
        cycle.save()
        audit_record(
            actor=actor, action="assessment.cycle_approve", target=cycle, data={"scorecards": len(cards)}
        )
        transaction.on_commit(partial(mailing.mail_later, "published", cycle.pk))
    return cycle


def cycle_close(
    *, actor: User, cycle: Cycle, expected_version: int | None, now: dt.datetime | None = None
) -> Cycle:
    """Make the published cycle final once no appeal waits and every appeal window has passed; each
    scorecard not yet final becomes final and its outcomes go to the ledger."""
    require(can_run_cycles(actor))
    at = now or timezone.now()
    with transaction.atomic():
        cycle = _cycle_claim(cycle, expected_version)
        open_windows = cycle.scorecards.filter(
            status__in=(S.PUBLISHED, S.ACKNOWLEDGED), appeal_due_at__gt=at
        ).count()
        if cycle.status == C.PUBLISHED and open_windows:
            raise DomainError(
                _("%(count)s people may still appeal; close the cycle when their time is over.")
                % {"count": open_windows},
                code=ErrorCode.APPEAL_WINDOW_OPEN,
            )
        CYCLE_WORKFLOW.move(cycle, to=C.FINAL, name="close")
        cycle.closed_at = at
        cycle.save()
        for card in cycle.scorecards.filter(status__in=(S.PUBLISHED, S.ACKNOWLEDGED)).select_related(
            "cycle", "cycle__version"
        ):
            _finalise(card, actor, at, name="close")
            _event(card, "final", actor, at).save()
        audit_record(actor=actor, action="assessment.cycle_close", target=cycle)
    return cycle
