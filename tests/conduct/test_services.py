"""The services of conduct: recording against the version in force, the ladder's proposal, due process."""

import datetime as dt
import os
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, NotFoundError, PermissionDeniedError
from charter.conduct.errors import ErrorCode
from charter.conduct.models import Evidence, EvidenceFile, LadderSetting, Violation, ViolationEvent
from charter.conduct.selectors import violation_proposal
from charter.conduct.services import (
    EvidenceInput,
    evidence_orphans_delete,
    ladder_setting_update,
    violation_appeal,
    violation_appeal_decide,
    violation_approve,
    violation_deadlines_run,
    violation_decide,
    violation_evidence_add,
    violation_evidence_add_many,
    violation_respond,
)
from charter.conduct.tasks import evidence_orphans_delete_task
from charter.mail.models import OutboundMessage
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.services import standard_clause_add, standard_version_draft_create
from tests.conduct.conftest import DAY, NOW, Recorder, step
from tests.standards.conftest import Publisher, conduct_content

pytestmark = pytest.mark.django_db
Status = Violation.Status


def in_effect(
    record: Recorder, supervisor: User, member: User, code: str = "education", **kw: Any
) -> Violation:
    """A violation of alice's whose step took effect now (decided, she responded)."""
    violation = record(**kw)
    proposal = violation_proposal(violation=violation).step
    assert proposal is not None
    reason = "" if proposal.code == code else "依据情节"
    violation_decide(actor=supervisor, violation=violation, step=step(code), reason=reason)
    return violation_respond(actor=member, violation=violation, text="我接受。")


# Recording ----------------------------------------------------------------------------------------------


def test_record_cites_the_version_in_force_and_keeps_the_evidence(
    record: Recorder, clause: StandardClause, supervisor: User
) -> None:
    violation = record()

    assert violation.version == clause.version
    assert violation.status == Status.RECORDED
    assert violation.team is not None and violation.team.code == "team-a"
    assert list(violation.evidence.values_list("kind", flat=True)) == ["observation"]
    assert list(violation.events.values_list("kind", flat=True)) == ["recorded", "evidence_added"]
    assert AuditEvent.objects.filter(action="conduct.violation_recorded").count() == 1


def test_record_refuses_a_clause_of_an_unpublished_version(
    record: Recorder, conduct: StandardDocument, code_v1: StandardVersion, administrator: User
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=conduct)
    draft_clause = draft.clauses.get(number="2.3")

    with pytest.raises(DomainError) as error:
        record(clause=draft_clause)

    assert error.value.code == ErrorCode.CLAUSE_NOT_PUBLISHED
    assert not Violation.objects.exists()


def test_record_refuses_a_clause_of_a_version_not_in_force_on_the_day(
    record: Recorder, conduct: StandardDocument, code_v1: StandardVersion, publish: Publisher
) -> None:
    v2 = publish(conduct, [conduct_content("9.9")], effective_at=NOW - 10 * DAY)

    with pytest.raises(DomainError) as error:
        record(clause=v2.clauses.get(number="2.3"), occurred_at=NOW - 20 * DAY)

    assert error.value.code == ErrorCode.CLAUSE_NOT_IN_FORCE
    assert record(clause=v2.clauses.get(number="2.3"), occurred_at=NOW - DAY).version == v2


def test_record_refuses_the_future_and_other_teams_and_oneself(
    record: Recorder, outsider: User, supervisor: User, teammate: User
) -> None:
    with pytest.raises(DomainError) as future:
        record(occurred_at=NOW + DAY)
    with pytest.raises(PermissionDeniedError) as outside:
        record(staff=outsider)
    with pytest.raises(PermissionDeniedError) as own:
        record(staff=supervisor)
    with pytest.raises(PermissionDeniedError) as agent:
        record(actor=teammate)

    assert future.value.code == ErrorCode.OCCURRED_IN_FUTURE
    assert outside.value.code == own.value.code == agent.value.code == ErrorCode.RECORD_DENIED


def test_an_observation_keeps_its_file_outside_the_web_root(
    record: Recorder, supervisor: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    violation = record(evidence=[])
    upload = SimpleUploadedFile("note.txt", "现场记录".encode(), content_type="text/plain")

    evidence = violation_evidence_add(
        actor=supervisor,
        violation=violation,
        item=EvidenceInput(kind="observation", text="记录", files=[upload]),
    )

    stored = EvidenceFile.objects.get(evidence=evidence)
    assert stored.original_name == "note.txt"
    assert stored.file.name.startswith("conduct/") and "note" not in stored.file.name
    assert stored.content_type == "text/plain"


def _age(path: str, hours: float) -> None:
    past = time.time() - hours * 3600
    os.utime(default_storage.path(path), (past, past))


def test_the_periodic_task_deletes_evidence_files_no_row_refers_to_once_an_hour_old(
    record: Recorder, supervisor: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    assert evidence_orphans_delete() == 0  # nothing stored yet
    violation = record(evidence=[])
    upload = SimpleUploadedFile("note.txt", "现场记录".encode(), content_type="text/plain")
    evidence = violation_evidence_add(
        actor=supervisor,
        violation=violation,
        item=EvidenceInput(kind="observation", text="记录", files=[upload]),
    )
    kept = EvidenceFile.objects.get(evidence=evidence).file.name
    folder = kept.rsplit("/", 1)[0]
    old_orphan = default_storage.save(f"{folder}/orphan-old", ContentFile(b"x"))
    new_orphan = default_storage.save(f"{folder}/orphan-new", ContentFile(b"y"))
    _age(kept, 5)
    _age(old_orphan, 5)

    evidence_orphans_delete_task.call_local()

    assert default_storage.exists(kept)
    assert default_storage.exists(new_orphan)
    assert not default_storage.exists(old_orphan)
    assert evidence_orphans_delete() == 0


def test_an_executable_file_is_refused_and_nothing_is_written(
    record: Recorder, supervisor: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    violation = record(evidence=[])
    upload = SimpleUploadedFile("x.txt", b"MZ\x90\x00binary", content_type="text/plain")

    with pytest.raises(DomainError) as error:
        violation_evidence_add(
            actor=supervisor,
            violation=violation,
            item=EvidenceInput(kind="observation", text="x", files=[upload]),
        )

    assert error.value.code == ErrorCode.FILE_TYPE_REFUSED
    assert not Evidence.objects.filter(violation=violation).exists()


def test_evidence_kinds_must_name_their_object(record: Recorder, supervisor: User) -> None:
    violation = record(evidence=[])

    with pytest.raises(DomainError) as error:
        violation_evidence_add(actor=supervisor, violation=violation, item=EvidenceInput(kind="finding"))

    assert error.value.code == ErrorCode.INVALID_EVIDENCE


# Proposal -----------------------------------------------------------------------------------------------


def test_a_repeat_within_the_window_proposes_the_next_step(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion
) -> None:
    in_effect(record, supervisor, member, "verbal-warning")

    second = record()

    proposal = violation_proposal(violation=second)
    assert proposal.step is not None and proposal.step.code == "written-warning"
    assert len(proposal.active) == 1


def test_a_record_expires_from_the_active_ladder_after_its_window(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion, frozen: Any
) -> None:
    first = in_effect(record, supervisor, member, "verbal-warning")
    second = record()

    later = NOW + dt.timedelta(days=366)

    assert violation_proposal(violation=second, at=later).step.code == "education"  # type: ignore[union-attr]
    assert not first.is_active_at(later)
    assert Violation.objects.filter(pk=first.pk).exists()


def test_harm_starts_at_the_configured_step(record: Recorder) -> None:
    violation = record(has_harmed_reputation=True)

    assert violation_proposal(violation=violation).step.code == "written-warning"  # type: ignore[union-attr]


def test_a_serious_violation_starts_at_a_demerit(record: Recorder) -> None:
    violation = record(severity="serious")

    assert violation_proposal(violation=violation).step.code == "demerit"  # type: ignore[union-attr]


# Decision -----------------------------------------------------------------------------------------------


def test_decide_opens_the_response_window_and_mails_the_staff_member(
    record: Recorder,
    supervisor: User,
    member: User,
    acknowledged: StandardVersion,
    django_capture_on_commit_callbacks: Any,
) -> None:
    violation = record()

    with django_capture_on_commit_callbacks(execute=True):
        violation_decide(actor=supervisor, violation=violation, step=step("education"))

    violation.refresh_from_db()
    assert violation.status == Status.AWAITING_RESPONSE
    assert violation.response_due_at == NOW + dt.timedelta(days=5)
    assert violation.proposed_step == step("education")
    mail = OutboundMessage.objects.get(template="conduct.decided")
    assert mail.recipient == member.email
    assert "教育" in mail.subject


def test_decide_refuses_when_the_version_was_not_acknowledged(record: Recorder, supervisor: User) -> None:
    violation = record()

    with pytest.raises(DomainError) as error:
        violation_decide(actor=supervisor, violation=violation, step=step("education"))

    assert error.value.code == ErrorCode.NOT_ACKNOWLEDGED
    violation.refresh_from_db()
    assert violation.status == Status.RECORDED


def test_nobody_decides_about_himself(
    record: Recorder, administrator: User, supervisor: User, code_v1: StandardVersion, clause: StandardClause
) -> None:
    from charter.standards.services import standard_version_acknowledge

    standard_version_acknowledge(user=supervisor, version=code_v1)
    violation = record(actor=administrator, staff=supervisor)
    supervisor_of_himself = supervisor  # he leads his own team

    with pytest.raises(PermissionDeniedError) as error:
        violation_decide(actor=supervisor_of_himself, violation=violation, step=step("education"))

    assert error.value.code == ErrorCode.SELF_DECISION


def test_deviating_from_the_proposal_needs_a_reason(
    record: Recorder, supervisor: User, acknowledged: StandardVersion
) -> None:
    violation = record()

    with pytest.raises(DomainError) as error:
        violation_decide(actor=supervisor, violation=violation, step=step("demerit"))

    assert error.value.code == ErrorCode.REASON_REQUIRED
    decided = violation_decide(actor=supervisor, violation=violation, step=step("demerit"), reason="情节恶劣")
    assert decided.step == step("demerit")


def test_fines_are_refused_until_an_administrator_turns_them_on(
    record: Recorder, supervisor: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record()
    with pytest.raises(DomainError) as error:
        violation_decide(
            actor=supervisor, violation=violation, step=step("education"), fine_amount=Decimal("50")
        )
    assert error.value.code == ErrorCode.FINES_DISABLED

    setting = LadderSetting.objects.get(pk=1)
    ladder_setting_update(
        actor=administrator,
        window_days=365,
        response_days=5,
        appeal_days=10,
        harm_floor=setting.harm_floor,
        general_floor=None,
        serious_floor=setting.serious_floor,
        is_fine_enabled=True,
        fine_max_amount=Decimal("200.00"),
    )
    with pytest.raises(DomainError) as too_much:
        violation_decide(
            actor=supervisor, violation=violation, step=step("education"), fine_amount=Decimal("201")
        )
    assert too_much.value.code == ErrorCode.INVALID_FINE

    decided = violation_decide(
        actor=supervisor, violation=violation, step=step("education"), fine_amount=Decimal("50.00")
    )
    assert decided.fine_amount == Decimal("50.00")


def test_only_administrators_configure_the_ladder(supervisor: User) -> None:
    with pytest.raises(PermissionDeniedError):
        ladder_setting_update(
            actor=supervisor,
            window_days=30,
            response_days=5,
            appeal_days=10,
            harm_floor=None,
            general_floor=None,
            serious_floor=None,
            is_fine_enabled=True,
            fine_max_amount=None,
        )

    assert not LadderSetting.objects.get(pk=1).is_fine_enabled


# Response, approval -------------------------------------------------------------------------------------


def test_response_puts_a_simple_step_into_effect(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion
) -> None:
    violation = in_effect(record, supervisor, member)

    assert violation.status == Status.IN_EFFECT
    assert violation.response_text == "我接受。"
    assert violation.effective_at == NOW
    assert violation.expires_at == NOW + dt.timedelta(days=365)
    assert violation.appeal_due_at == NOW + dt.timedelta(days=10)


def test_only_the_staff_member_responds_and_only_in_time(
    record: Recorder,
    supervisor: User,
    member: User,
    teammate: User,
    acknowledged: StandardVersion,
    frozen: Any,
) -> None:
    violation = record()
    violation_decide(actor=supervisor, violation=violation, step=step("education"))
    with pytest.raises(PermissionDeniedError) as refused:
        violation_respond(actor=supervisor, violation=violation, text="不是我")
    with pytest.raises(NotFoundError):  # a teammate does not see it at all
        violation_respond(actor=teammate, violation=violation, text="不是我")
    assert refused.value.code == ErrorCode.RESPOND_DENIED

    frozen.move_to(NOW + dt.timedelta(days=5, seconds=1))
    with pytest.raises(DomainError) as error:
        violation_respond(actor=member, violation=violation, text="迟到的陈述")

    assert error.value.code == ErrorCode.DEADLINE_PASSED


def test_a_step_needing_a_second_approver_waits_for_hr(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record(severity="serious")
    violation_decide(actor=supervisor, violation=violation, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=violation, text="请从轻。")
    violation.refresh_from_db()
    assert violation.status == Status.AWAITING_APPROVAL

    with pytest.raises(PermissionDeniedError) as denied:
        violation_approve(actor=supervisor, violation=violation)
    approved = violation_approve(actor=administrator, violation=violation)

    assert denied.value.code == ErrorCode.APPROVE_DENIED
    assert approved.status == Status.IN_EFFECT
    assert approved.approved_by == administrator


def test_the_approver_is_not_the_decider(
    record: Recorder, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record(actor=administrator, severity="serious")
    violation_decide(actor=administrator, violation=violation, step=step("dismissal"), reason="严重")
    violation_respond(actor=member, violation=violation, text="……")

    with pytest.raises(PermissionDeniedError) as error:
        violation_approve(actor=administrator, violation=violation)

    assert error.value.code == ErrorCode.SAME_APPROVER


def test_hr_sending_back_returns_the_violation_for_a_new_decision(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record(severity="serious")
    violation_decide(actor=supervisor, violation=violation, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=violation, text="……")

    sent_back = violation_approve(actor=administrator, violation=violation, is_approved=False, note="过重")

    assert sent_back.status == Status.RECORDED
    assert sent_back.step is None


# Appeal -------------------------------------------------------------------------------------------------


def test_appeal_once_to_a_different_decision_maker(
    record: Recorder,
    supervisor: User,
    member: User,
    administrator: User,
    acknowledged: StandardVersion,
    django_capture_on_commit_callbacks: Any,
) -> None:
    violation = in_effect(record, supervisor, member, "written-warning")
    violation_appeal(actor=member, violation=violation, text="客户先辱骂我。")

    with pytest.raises(DomainError) as second:
        violation_appeal(actor=member, violation=violation, text="再申诉")
    with pytest.raises(PermissionDeniedError) as same:
        violation_appeal_decide(actor=supervisor, violation=violation, outcome="upheld", reason="维持")
    with django_capture_on_commit_callbacks(execute=True):
        decided = violation_appeal_decide(
            actor=administrator,
            violation=violation,
            outcome="reduced",
            reason="情有可原",
            step=step("verbal-warning"),
        )

    assert second.value.code == ErrorCode.SECOND_APPEAL
    assert same.value.code == ErrorCode.SAME_DECIDER
    assert decided.status == Status.CLOSED
    assert decided.step == step("verbal-warning")
    assert decided.original_step == step("written-warning")
    assert OutboundMessage.objects.filter(template="conduct.appeal_decided").count() == 1
    with pytest.raises(DomainError) as after:
        violation_appeal(actor=member, violation=decided, text="第三次")
    assert after.value.code == ErrorCode.SECOND_APPEAL


def test_a_reduction_must_be_to_a_lower_step(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = in_effect(record, supervisor, member, "verbal-warning")
    violation_appeal(actor=member, violation=violation, text="申诉")

    with pytest.raises(DomainError) as error:
        violation_appeal_decide(
            actor=administrator, violation=violation, outcome="reduced", reason="x", step=step("demerit")
        )

    assert error.value.code == ErrorCode.INVALID_STEP


def test_an_overturned_decision_leaves_the_active_ladder(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = in_effect(record, supervisor, member, "verbal-warning")
    violation_appeal(actor=member, violation=violation, text="申诉")
    violation_appeal_decide(actor=administrator, violation=violation, outcome="overturned", reason="证据不足")

    later = record()

    assert violation_proposal(violation=later).step.code == "education"  # type: ignore[union-attr]


def test_an_appeal_after_the_window_is_refused(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion, frozen: Any
) -> None:
    violation = in_effect(record, supervisor, member)
    frozen.move_to(NOW + dt.timedelta(days=10, seconds=1))

    with pytest.raises(DomainError) as error:
        violation_appeal(actor=member, violation=violation, text="迟了")

    assert error.value.code == ErrorCode.DEADLINE_PASSED


# Deadlines ----------------------------------------------------------------------------------------------


def test_the_deadline_sweep_closes_each_window_exactly_once(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion
) -> None:
    violation = record()
    violation_decide(actor=supervisor, violation=violation, step=step("education"))

    assert violation_deadlines_run(at=NOW + dt.timedelta(days=4)) == 0
    assert violation_deadlines_run(at=NOW + dt.timedelta(days=5)) == 1
    assert violation_deadlines_run(at=NOW + dt.timedelta(days=5)) == 0
    violation.refresh_from_db()
    assert violation.status == Status.IN_EFFECT
    assert violation.effective_at == NOW + dt.timedelta(days=5)

    assert violation_deadlines_run(at=NOW + dt.timedelta(days=15)) == 1
    assert violation_deadlines_run(at=NOW + dt.timedelta(days=16)) == 0
    violation.refresh_from_db()
    assert violation.status == Status.CLOSED
    kinds = list(violation.events.values_list("kind", flat=True))
    assert kinds.count(ViolationEvent.Kind.RESPONSE_WINDOW_CLOSED) == 1
    assert kinds.count(ViolationEvent.Kind.APPEAL_WINDOW_CLOSED) == 1


def test_the_sweep_sends_a_step_needing_approval_to_hr(
    record: Recorder, supervisor: User, acknowledged: StandardVersion
) -> None:
    violation = record()
    violation_decide(actor=supervisor, violation=violation, step=step("major-demerit"), reason="多次")

    violation_deadlines_run(at=NOW + dt.timedelta(days=6))

    violation.refresh_from_db()
    assert violation.status == Status.AWAITING_APPROVAL
    assert violation.effective_at is None


def test_unused_draft_clause_helper(conduct: StandardDocument, administrator: User) -> None:
    draft = standard_version_draft_create(actor=administrator, document=conduct)
    clause = standard_clause_add(actor=administrator, version=draft, content=conduct_content("7.7"))

    assert not clause.version.is_published


# Review fixes -------------------------------------------------------------------------------------------


def test_a_decision_awaiting_the_response_counts_on_the_ladder(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion
) -> None:
    first = record()
    violation_decide(actor=supervisor, violation=first, step=step("education"))
    assert Violation.objects.get(pk=first.pk).status == Status.AWAITING_RESPONSE

    second = record()
    proposal = violation_proposal(violation=second)

    assert proposal.step is not None and proposal.step.code == "verbal-warning"
    assert [record.pk for record in proposal.active] == [first.pk]


def test_a_decision_awaiting_hr_counts_and_the_violation_itself_does_not(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion
) -> None:
    first = record(severity="serious")
    violation_decide(actor=supervisor, violation=first, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=first, text="请从轻。")
    assert Violation.objects.get(pk=first.pk).status == Status.AWAITING_APPROVAL
    undecided = record()

    proposal = violation_proposal(violation=undecided)
    own = violation_proposal(violation=Violation.objects.get(pk=first.pk))

    assert proposal.step is not None and proposal.step.position > step("demotion").position
    assert [record.pk for record in proposal.active] == [first.pk]
    assert own.active == []


def test_two_quick_repeats_climb_the_ladder(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion
) -> None:
    first = record()
    violation_decide(actor=supervisor, violation=first, step=step("education"))
    second = record()
    violation_decide(actor=supervisor, violation=second, step=step("verbal-warning"))

    third = record()

    assert violation_proposal(violation=third).step.code == "written-warning"  # type: ignore[union-attr]


def test_a_pending_decision_sent_back_by_hr_no_longer_counts(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    first = record(severity="serious")
    violation_decide(actor=supervisor, violation=first, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=first, text="……")
    violation_approve(actor=administrator, violation=first, is_approved=False, note="过重")

    later = record()

    assert violation_proposal(violation=later).step.code == "education"  # type: ignore[union-attr]


def test_a_pending_decision_counts_only_within_the_window_of_its_decision(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion
) -> None:
    first = record()
    violation_decide(actor=supervisor, violation=first, step=step("education"))
    second = record()

    later = NOW + dt.timedelta(days=366)

    assert violation_proposal(violation=second, at=later).step.code == "education"  # type: ignore[union-attr]
    assert violation_proposal(violation=second, at=NOW - DAY).step.code == "education"  # type: ignore[union-attr]


def test_the_approver_of_a_step_does_not_decide_its_appeal(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record(severity="serious")
    violation_decide(actor=supervisor, violation=violation, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=violation, text="请从轻。")
    violation_approve(actor=administrator, violation=violation)
    violation_appeal(actor=member, violation=violation, text="申诉")

    with pytest.raises(PermissionDeniedError) as error:
        violation_appeal_decide(actor=administrator, violation=violation, outcome="upheld", reason="维持")

    assert error.value.code == ErrorCode.SAME_APPROVER_APPEAL
    assert Violation.objects.get(pk=violation.pk).status == Status.APPEALED


def test_evidence_is_added_all_or_nothing(record: Recorder, supervisor: User, member: User) -> None:
    violation = record(evidence=[])

    with pytest.raises(DomainError) as error:
        violation_evidence_add_many(
            actor=supervisor,
            violation=violation,
            items=[
                EvidenceInput(kind="observation", text="第二次现场听到。"),
                EvidenceInput(kind="finding", finding=None),
            ],
        )

    assert error.value.code == ErrorCode.INVALID_EVIDENCE
    assert not Evidence.objects.filter(violation=violation).exists()
    assert not ViolationEvent.objects.filter(violation=violation, kind="evidence_added").exists()
    added = violation_evidence_add_many(
        actor=supervisor,
        violation=violation,
        items=[EvidenceInput(kind="observation", text="一"), EvidenceInput(kind="observation", text="二")],
    )
    assert [evidence.text for evidence in added] == ["一", "二"]
    with pytest.raises(DomainError) as empty:
        violation_evidence_add_many(actor=supervisor, violation=violation, items=[])
    assert empty.value.code == ErrorCode.INVALID_EVIDENCE
