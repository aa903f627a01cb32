"""Withdrawal without sign-in: the link in a survey or progress e-mail, the page it opens, and its effect."""

import datetime as dt
import email
import email.policy
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.cases.services import case_transition
from charter.privacy.consent import has_withdrawn, opt_out_path, opt_out_token
from charter.privacy.models import ConsentRecord
from charter.surveys.invitations import invitations_from_resolved_cases, invitations_send_due
from charter.surveys.models import Invitation, SurveyRule
from tests.mail.servers import SmtpServer
from tests.surveys.conftest import (  # noqa: F401 - fixtures
    customer,
    resolved_case,
    routed_team,
    rule,
    smtp,
    smtp_server,
    survey,
)

pytestmark = pytest.mark.django_db

OPT_OUT = re.compile(r"http://testserver(/privacy/opt-out/[^/\s]+/)")


def _mails(smtp: SmtpServer, to: str) -> list[email.message.EmailMessage]:  # noqa: F811
    found = []
    for envelope in smtp.envelopes:
        if to in envelope.rcpt_tos:
            found.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
    return found


def _survey_mails(smtp: SmtpServer, to: str) -> list[email.message.EmailMessage]:  # noqa: F811
    return [mail for mail in _mails(smtp, to) if "/s/" in mail.get_content()]


def _send(capture: Any) -> None:
    with capture(execute=True):
        invitations_from_resolved_cases()
        invitations_send_due()


def test_the_survey_mail_carries_an_opt_out_link_that_stops_the_next_invitation(
    rule: SurveyRule,  # noqa: F811
    customer: Customer,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    (mail,) = _survey_mails(smtp, "wang@example.com")
    body = mail.get_content()
    # The footer speaks both languages, whatever the customer's, and the header lets a mail client offer it.
    assert "退订" in body and "Opt out" in body
    match = OPT_OUT.search(body)
    assert match is not None, body
    path = match.group(1)
    assert path in mail["List-Unsubscribe"]
    visitor = Client()

    page = visitor.get(path)  # opening (a link scanner) records nothing
    assert page.status_code == 200 and "满意度回访" in page.content.decode()
    assert not ConsentRecord.objects.exists()
    done = visitor.post(path)
    again = visitor.post(path)

    assert done.status_code == 200 and "已退订" in done.content.decode()
    assert again.status_code == 200 and again.context["already"] is True
    (record,) = ConsentRecord.objects.all()
    assert record.action == "withdrawn" and record.channel == "link" and record.purpose.code == "surveys"
    assert AuditEvent.objects.filter(action="privacy.consent_withdrawn").count() == 1
    assert "已经退订" in visitor.get(path).content.decode()
    # The next resolved case asks him nothing: the invitation is kept as skipped, with the reason.
    smtp.envelopes.clear()
    Invitation.objects.update(created_at=timezone.now() - dt.timedelta(days=400))
    second = resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    assert _survey_mails(smtp, "wang@example.com") == []
    invitation = Invitation.objects.get(case=second)
    assert invitation.status == Invitation.Status.SKIPPED and invitation.skip_reason == "withdrawn"


def test_a_withdrawal_after_the_invitation_was_scheduled_stops_its_sending(
    rule: SurveyRule,  # noqa: F811
    customer: Customer,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    resolved_case(customer)
    invitations_from_resolved_cases()
    Client().post(opt_out_path(customer_id=customer.pk, purpose_code="surveys"))

    _send(django_capture_on_commit_callbacks)

    assert _survey_mails(smtp, "wang@example.com") == []
    assert Invitation.objects.get().status == Invitation.Status.SKIPPED


def test_a_restricted_customer_gets_no_survey(
    rule: SurveyRule,  # noqa: F811
    customer: Customer,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    Customer.objects.filter(pk=customer.pk).update(restricted_at=timezone.now())
    customer.refresh_from_db()

    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)

    assert _survey_mails(smtp, "wang@example.com") == []
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.SKIPPED and invitation.skip_reason == "restricted"


def test_a_tampered_or_foreign_token_is_a_404_and_records_nothing(customer: Customer) -> None:  # noqa: F811
    token = opt_out_token(customer_id=customer.pk, purpose_code="surveys")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    # A token signed for another purpose's salt, or for the required purpose, withdraws nothing.
    required = opt_out_token(customer_id=customer.pk, purpose_code="case_handling")
    client = Client()

    for bad in (forged, "nonsense", required):
        url = reverse("consent:opt_out", args=[bad])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not ConsentRecord.objects.exists()
    assert not has_withdrawn(customer_id=customer.pk, purpose_code="case_handling")


def test_progress_mails_carry_the_link_and_stop_after_it_while_the_decision_still_arrives(
    routed_team: Team,  # noqa: F811
    customer: Customer,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    from charter.cases.services import case_create

    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            actor=None, kind="inquiry", channel="web", customer=customer, title="水压低", description="水压低"
        )
    handler = case.assignee
    assert isinstance(handler, User)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, to_status="in_progress")
    progress = [mail for mail in _mails(smtp, "wang@example.com") if OPT_OUT.search(mail.get_content())]
    assert len(progress) == 1  # the acknowledgement carries no opt-out: the case needs it
    match = OPT_OUT.search(progress[0].get_content())
    assert match is not None
    Client().post(match.group(1))
    smtp.envelopes.clear()

    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, to_status="waiting_customer", reason="请提供表号")

    assert has_withdrawn(customer_id=customer.pk, purpose_code="case_updates")
    assert _mails(smtp, "wang@example.com") == []


def test_a_restricted_customer_gets_no_progress_mail(
    routed_team: Team,  # noqa: F811
    customer: Customer,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    from charter.cases.services import case_create

    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            actor=None, kind="inquiry", channel="web", customer=customer, title="水压低", description="水压低"
        )
    Customer.objects.filter(pk=customer.pk).update(restricted_at=timezone.now())
    smtp.envelopes.clear()
    handler = case.assignee
    assert isinstance(handler, User)

    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, to_status="in_progress")

    assert _mails(smtp, "wang@example.com") == []
