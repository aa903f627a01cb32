"""The demo's story of holding staff to the code, told through the real services (issue 6's "done when").

1. Li, a hotline agent, answers a complaint with wording the code forbids: the reply check warns him before
   sending; he sends it anyway with a reason, and the check records its findings.
2. The case is drawn for review; Sun (QA) scores it against clause 2.3 of the code. Li disputes the review;
   Wang, his supervisor (a second reviewer), upholds it.
3. Li already has a record in effect (education, four months ago), so the violation recorded from the finding
   climbs the ladder: the system proposes a verbal warning, and Wang decides it. Li responds in writing and
   appeals; the appeal waits for someone other than Wang (the administrator) to decide.
4. Five months ago a cluster of complaints about wrong meter readings shared one root cause; the corrective
   action opened from it was worked, checked for effectiveness three months later and closed by someone
   other than its owner.

Records that belong in the past (the earlier violation, the complaint cluster) are made through the services
and then moved back in time by whole days, as `charter.demo.history` does for last month.
"""

import datetime as dt

from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.accounts.services import customer_create
from charter.cases.checks import ReplyCheckWarningError, case_reply_checked
from charter.cases.models import Case, NotificationJob, RootCause
from charter.cases.services import case_assign, case_create, case_reply, case_resolve
from charter.catalog.models import Service
from charter.common.vocabulary import CaseKind
from charter.conduct.demo import violation_decide_as_proposed, violation_record_from_finding, violation_settle
from charter.conduct.models import Violation, ViolationEvent
from charter.conduct.services import (
    EvidenceInput,
    violation_appeal,
    violation_evidence_add,
    violation_record,
    violation_respond,
)
from charter.demo.history import cases_moved
from charter.improvement.demo import corrective_action_story
from charter.quality.demo import demo_scores
from charter.quality.models import Check, Finding, Review
from charter.quality.services import (
    findings_record,
    review_dispute,
    review_dispute_decide,
    review_sample_case,
    review_scores_save,
)
from charter.standards.models import StandardAcknowledgement, StandardDocument
from charter.standards.selectors import standard_clause_in_force, standard_version_in_force
from charter.standards.services import standard_version_acknowledge
from charter.surveys.models import Invitation

MARKER = "【示例质检】"
CLUSTER_MARKER = "【示例投诉集中】"
CODE = "code-of-conduct"
IMPROPER_REPLY = "这事不归我管，您去营业厅问吧。"
OVERRIDE_REASON = "客户要求办理的业务确属营业厅，已告知去向。"
_PEOPLE = ("li.agent", "wang.supervisor", "sun.qa")


def _rows_moved(rows: QuerySet[models.Model], days: int) -> None:
    """Move every date and time of `rows` back by `days` whole days."""
    shift = dt.timedelta(days=days)
    for field in rows.model._meta.concrete_fields:
        if isinstance(field, models.DateTimeField):
            rows.filter(**{f"{field.name}__isnull": False}).update(**{field.name: F(field.name) - shift})


def _staff_acknowledges(user: User) -> None:
    """The agent has read and accepted the code in force: only then can it found discipline."""
    document = StandardDocument.objects.filter(code=CODE).first()
    version = standard_version_in_force(document=document, at=timezone.now()) if document else None
    if (
        version is not None
        and not StandardAcknowledgement.objects.filter(user=user, version=version).exists()
    ):
        standard_version_acknowledge(user=user, version=version)


def _earlier_record(*, supervisor: User, agent: User, days_ago: int) -> Violation | None:
    """A minor violation of clause 2.3 `days_ago` days back, decided (education) and in effect."""
    document = StandardDocument.objects.get(code=CODE)
    clause = standard_clause_in_force(document=document, number="2.3", at=timezone.now())
    if clause is None:
        return None
    violation = violation_record(
        actor=supervisor,
        staff=agent,
        clause=clause,
        occurred_at=timezone.now(),
        severity="minor",
        description="电话中打断客户陈述，语气生硬。",
        evidence=[EvidenceInput(kind="observation", text="主管旁听电话时发现。")],
    )
    violation = violation_settle(decider=supervisor, violation=violation)
    _rows_moved(Violation.objects.filter(pk=violation.pk), days_ago)
    _rows_moved(ViolationEvent.objects.filter(violation=violation), days_ago)
    return violation


def _flagged_reply_case(*, agent: User, supervisor: User, team: Team, customer: Customer) -> Case:
    """A complaint Li answers with forbidden wording: warned before sending, sent with a reason, resolved."""
    case = case_create(
        actor=None,
        kind=CaseKind.COMPLAINT,
        channel="web",
        customer=customer,
        title=f"{MARKER}营业厅业务办理推诿",
        description="我打电话问过户手续，客服说不归他管，让我自己去找，态度很差。",
        team=team,
    )
    case = case_assign(actor=supervisor, case=case, team=team, assignee=agent, reason="热线班组受理")
    try:
        message = case_reply_checked(actor=agent, case=case, body=IMPROPER_REPLY)
    except ReplyCheckWarningError:
        # Warned before sending, as the code requires; he sends it anyway, saying why.
        message = case_reply_checked(
            actor=agent, case=case, body=IMPROPER_REPLY, override_reason=OVERRIDE_REASON
        )
    findings_record(message=message)
    case_reply(
        actor=agent,
        case=case,
        body="您好，刚才的答复不够妥当，向您致歉。过户手续可在任一营业厅办理，所需材料已短信发送给您。",
    )
    return case_resolve(
        actor=supervisor,
        case=case,
        outcome="upheld",
        reasons="坐席答复推诿，已致歉并告知办理方式。",
        root_cause=RootCause.STAFF_CONDUCT,
    )


def _reviewed_and_disputed(*, case: Case, agent: User, reviewer: User, supervisor: User) -> Review:
    """Sun scores the reply against clause 2.3; Li disputes; Wang upholds the review."""
    review = review_sample_case(actor=reviewer, case=case, agent=agent, reviewer=reviewer)
    review_scores_save(
        actor=reviewer,
        review=review,
        version=review.version,
        scores=demo_scores(review, {"2.3": 2}, {"2.3": "“这事不归我管”属于推诿用语，违反第 2.3 条。"}),
        submit=True,
    )
    review.refresh_from_db()
    review = review_dispute(
        actor=agent, review=review, reason="当时客户要办的业务确实不归热线，我只是实话实说。"
    )
    return review_dispute_decide(
        actor=supervisor,
        review=review,
        decision=Review.Decision.UPHELD,
        reason="即使业务不归热线，也应首问负责、说明去向，不得使用推诿用语。维持原评分。",
    )


def _cluster(*, handler: User, team: Team, service: Service, days_ago: int) -> list[Case]:
    """Five complaints about wrong meter readings, resolved with one root cause, `days_ago` days back."""
    cases = []
    for index, name in enumerate(("何先生", "罗女士", "高先生", "林女士", "郭先生")):
        customer = customer_create(actor=handler, name=name, phone=f"1370000{index:04d}")
        case = case_create(
            actor=handler,
            kind=CaseKind.COMPLAINT,
            channel="phone",
            customer=customer,
            service=service,
            title=f"{CLUSTER_MARKER}水费账单金额异常",
            description="本月账单用水量比平时多了好几倍，怀疑抄表读数有误。",
            team=team,
        )
        case_reply(actor=handler, case=case, body="您好，已安排重新抄表核实。")
        cases.append(
            case_resolve(
                actor=handler,
                case=case,
                outcome="upheld",
                reasons="经重新抄表确认读数录入错误，已更正账单。",
                root_cause=RootCause.PROCESS,
            )
        )
    for case in cases:
        cases_moved([case], days_ago + cases.index(case) * 2)
    ids = [case.pk for case in cases]
    Invitation.objects.filter(case_id__in=ids).delete()
    NotificationJob.objects.filter(case_id__in=ids).delete()
    return [Case.objects.get(pk=pk) for pk in ids]


def demo_conduct_story_load(*, actor: User) -> bool:
    """Tell the story once (nothing when it was told, or the demo lacks its people); return whether it ran."""
    if Case.objects.filter(title__startswith=MARKER).exists():
        return False
    people = {user.username: user for user in User.objects.filter(username__in=_PEOPLE)}
    team = Team.objects.filter(code="hotline").first()
    service = Service.objects.filter(slug="meter-reading-dispute").first()
    if len(people) != len(_PEOPLE) or team is None or service is None:
        return False
    agent, supervisor, reviewer = people["li.agent"], people["wang.supervisor"], people["sun.qa"]
    _staff_acknowledges(agent)
    customer = customer_create(actor=actor, name="马先生", phone="13600001234")

    _earlier_record(supervisor=supervisor, agent=agent, days_ago=120)
    case = _flagged_reply_case(agent=agent, supervisor=supervisor, team=team, customer=customer)
    review = _reviewed_and_disputed(case=case, agent=agent, reviewer=reviewer, supervisor=supervisor)

    finding = Finding.objects.get(case=case, check_code=Check.IMPROPER_WORDING)
    violation = violation_record_from_finding(
        actor=supervisor,
        finding=finding,
        description="答复客户时使用推诿用语“这事不归我管”，客户因此投诉。",
        has_harmed_customers=False,
    )
    violation_evidence_add(
        actor=supervisor, violation=violation, item=EvidenceInput(kind="qa_review", review=review)
    )
    violation = violation_decide_as_proposed(actor=supervisor, violation=violation)
    violation = violation_respond(
        actor=agent, violation=violation, text="我承认用语不当，但当时是想尽快告诉客户该去哪里办理。"
    )
    violation_appeal(
        actor=agent, violation=violation, text="四个月前的记录是旁听所记，我未当面确认，请复核。"
    )

    cluster = _cluster(handler=agent, team=team, service=service, days_ago=165)
    corrective_action_story(
        opener=supervisor,
        owner=supervisor,
        item_owner=agent,
        closer=actor,
        cases=cluster,
        root_cause=RootCause.PROCESS,
        opened_at=timezone.now() - dt.timedelta(days=150),
        service=service,
        team=team,
    )
    return True
