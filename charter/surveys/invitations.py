"""Who is asked, when, and through which link.

After a case is resolved (a `resolved` case event, read through the outbox cursor), the first active rule
that matches the case's kind, service and team schedules an invitation after the rule's delay, for the
rule's share of cases (chosen by a stable hash, so the same case always gets the same answer) and unless the
customer was asked within the cool-down. Campaigns invite a sample of the customers served since their last
run. At its time an invitation is sent by e-mail (when the customer has an address) and shown on the case's
tracking page; it is reminded at most once and expires.

Nobody is asked who refused or withdrew consent to surveys (charter.privacy.consent) or whose processing
is restricted (Customer.restricted_at): checked when the invitation is made and again when it is sent or
reminded, so a withdrawal through a mail's link takes effect at once.

Links are random tokens, looked up by their SHA-256; the token itself is kept encrypted so the reminder and
the tracking page offer the same link.
"""

import datetime as dt
import hashlib
import logging
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from charter.accounts.models import Customer
from charter.cases.models import Case, CaseEvent
from charter.common.outbox import outbox_batch
from charter.privacy.consent import customers_withdrawn, has_withdrawn
from charter.privacy.models import ConsentPurpose
from charter.surveys.conf import surveys_setting
from charter.surveys.models import Campaign, Invitation, SurveyRule, SurveyVersion

CURSOR = "surveys.resolved"
logger = logging.getLogger(__name__)


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link opens, whatever its state (the page says when it is used or expired)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("version__survey", "customer", "case")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _version_in_force(rule_or_campaign: SurveyRule | Campaign) -> SurveyVersion | None:
    return rule_or_campaign.survey.versions.filter(status=SurveyVersion.Status.PUBLISHED).first()


def _sampled(rule: SurveyRule, case: Case) -> bool:
    """Whether `case` falls in the rule's share: stable for a rule and a case, uniform across cases."""
    if rule.sample_percent >= 100:
        return True
    digest = hashlib.sha256(f"{rule.pk}:{case.pk}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < rule.sample_percent


def _cooling_down(customer: Customer, at: dt.datetime) -> bool:
    since = at - dt.timedelta(days=int(surveys_setting("CHARTER_SURVEYS_COOLDOWN_DAYS")))
    return (
        Invitation.objects.filter(customer=customer, created_at__gte=since)
        .exclude(status=Invitation.Status.SKIPPED)
        .exists()
    )


def _refusal(customer: Customer) -> str:
    """Why the customer may not be asked ("restricted", "withdrawn"), or "" when he may."""
    if customer.restricted_at is not None:
        return "restricted"
    if has_withdrawn(customer_id=customer.pk, purpose_code=ConsentPurpose.SURVEYS):
        return "withdrawn"
    return ""


def rule_for(case: Case) -> SurveyRule | None:
    """The first active rule (by ordering) whose kinds, services and teams match `case`."""
    rules = (
        SurveyRule.objects.filter(is_active=True, survey__is_active=True)
        .prefetch_related("services", "teams")
        .select_related("survey")
        .order_by("ordering", "pk")
    )
    for rule in rules:
        if rule.kinds and case.kind not in rule.kinds:
            continue
        services = {service.pk for service in rule.services.all()}
        if services and case.service_id not in services:
            continue
        teams = {team.pk for team in rule.teams.all()}
        if teams and case.team_id not in teams:
            continue
        return rule
    return None


def _invitation_add(
    *,
    version: SurveyVersion,
    customer: Customer,
    send_at: dt.datetime,
    case: Case | None = None,
    rule: SurveyRule | None = None,
    campaign: Campaign | None = None,
    skip_reason: str = "",
) -> Invitation | None:
    link_days = int(surveys_setting("CHARTER_SURVEYS_LINK_DAYS"))
    # The one place invitations are made: a customer who said no to surveys is never asked.
    skip_reason = _refusal(customer) or skip_reason
    token = token_new()
    try:
        with transaction.atomic():
            return Invitation.objects.create(
                version=version,
                customer=customer,
                case=case,
                rule=rule,
                campaign=campaign,
                token_hash=token_hash(token),
                token=token,
                status=Invitation.Status.SKIPPED if skip_reason else Invitation.Status.SCHEDULED,
                skip_reason=skip_reason,
                send_at=send_at,
                expires_at=send_at + dt.timedelta(days=link_days),
            )
    except IntegrityError:
        return None  # this case was already invited to this version (resolved again after a reopen)


def invitation_for_case(*, case: Case, at: dt.datetime) -> Invitation | None:
    """Schedule the survey of a case just resolved, if a rule asks for one. Returns the invitation made
    (possibly SKIPPED, with the reason: sampling, cool-down), or None when no rule applies or one exists."""
    if case.customer_id is None:
        return None
    rule = rule_for(case)
    if rule is None:
        return None
    version = _version_in_force(rule)
    if version is None:
        return None
    reason = ""
    if not _sampled(rule, case):
        reason = "sampling"
    elif _cooling_down(case.customer, at):
        reason = "cool-down"
    return _invitation_add(
        version=version,
        customer=case.customer,
        case=case,
        rule=rule,
        send_at=at + dt.timedelta(minutes=rule.delay_minutes),
        skip_reason=reason,
    )


def invitations_from_resolved_cases(*, limit: int = 500) -> int:
    """Schedule surveys for the cases resolved since the last run (the periodic task); return how many
    invitations were made. Reads `resolved` events through the outbox cursor: each once, none skipped."""
    lag = dt.timedelta(seconds=int(surveys_setting("CHARTER_SURVEYS_EVENT_LAG_SECONDS")))
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.RESOLVED).select_related("case__customer")
    made = 0
    with outbox_batch(CURSOR, events, lag=lag, limit=limit) as batch:
        for event in batch:
            made += invitation_for_case(case=event.case, at=event.occurred_at) is not None
    return made


def campaign_run(*, campaign: Campaign, at: dt.datetime | None = None) -> int:
    """Invite up to `sample_size` customers whose cases were resolved since the campaign's last run (or its
    period), at random, skipping those in their cool-down. Moves the next run on. Returns how many were
    invited."""
    at = at or timezone.now()
    version = _version_in_force(campaign)
    since = campaign.last_run_at or at - dt.timedelta(days=campaign.every_days)
    served = list(
        Case.objects.filter(resolved_at__gte=since, resolved_at__lt=at, customer__isnull=False)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    rng = secrets.SystemRandom()
    rng.shuffle(served)
    invited = 0
    if version is not None:
        candidates = list(
            Customer.objects.filter(pk__in=served[: campaign.sample_size * 2], restricted_at__isnull=True)
        )
        refused = customers_withdrawn(
            customer_ids=[customer.pk for customer in candidates], purpose_code=ConsentPurpose.SURVEYS
        )
        for customer in candidates:
            if customer.pk in refused:
                continue
            if invited >= campaign.sample_size:
                break
            if _cooling_down(customer, at):
                continue
            if _invitation_add(version=version, customer=customer, campaign=campaign, send_at=at) is not None:
                invited += 1
    Campaign.objects.filter(pk=campaign.pk).update(
        last_run_at=at, next_run_at=at + dt.timedelta(days=campaign.every_days)
    )
    return invited


def campaigns_run_due(*, at: dt.datetime | None = None) -> int:
    """Run every active campaign whose time has come; each run is claimed so two workers run it once."""
    at = at or timezone.now()
    invited = 0
    for campaign in Campaign.objects.filter(is_active=True, next_run_at__lte=at):
        claimed = Campaign.objects.filter(pk=campaign.pk, next_run_at=campaign.next_run_at).update(
            next_run_at=at + dt.timedelta(days=campaign.every_days)
        )
        if claimed:
            invited += campaign_run(campaign=campaign, at=at)
    return invited


def invitations_send_due(*, at: dt.datetime | None = None, limit: int = 500) -> int:
    """Send the invitations whose time has come: by e-mail when the customer has an address, and in any
    case on the tracking page. Each is claimed by a conditional UPDATE: sent once. Returns how many."""
    at = at or timezone.now()
    remind_hours = int(surveys_setting("CHARTER_SURVEYS_REMIND_AFTER_HOURS"))
    sent = 0
    # One whose link would already have expired (the worker was down that long) is left to expire instead.
    due = Invitation.objects.filter(
        status=Invitation.Status.SCHEDULED, send_at__lte=at, expires_at__gt=at
    ).order_by("send_at")
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        try:
            sent += _send_one(pk, at=at, remind_hours=remind_hours)
        except Exception:  # one broken invitation must not hold back the others
            logger.exception("survey invitation %s could not be sent", pk)
            Invitation.objects.filter(pk=pk, status=Invitation.Status.SCHEDULED).update(
                status=Invitation.Status.SKIPPED, skip_reason="error"
            )
    return sent


def _send_one(pk: int, *, at: dt.datetime, remind_hours: int) -> bool:
    """Claim one scheduled invitation and queue its e-mail, together; False when someone else sent it."""
    from charter.surveys.mailing import invitation_mail

    link_days = int(surveys_setting("CHARTER_SURVEYS_LINK_DAYS"))
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=pk, status=Invitation.Status.SCHEDULED).update(
            status=Invitation.Status.SENT,
            sent_at=at,
            expires_at=at + dt.timedelta(days=link_days),
            remind_at=at + dt.timedelta(hours=remind_hours) if remind_hours else None,
        )
        if not claimed:
            return False
        invitation = Invitation.objects.select_related("customer", "case", "version__survey").get(pk=pk)
        refusal = _refusal(invitation.customer)
        if refusal:
            # He said no (or was restricted) after it was scheduled: not sent, and not shown.
            Invitation.objects.filter(pk=pk).update(status=Invitation.Status.SKIPPED, skip_reason=refusal)
            return False
        if invitation.customer.email:
            invitation_mail(invitation)
    return True


def invitations_remind_due(*, at: dt.datetime | None = None, limit: int = 500) -> int:
    """Remind, once, the customers who have not answered, with the same link. Returns how many were
    reminded."""
    from charter.surveys.mailing import invitation_mail

    at = at or timezone.now()
    reminded = 0
    due = Invitation.objects.filter(
        status=Invitation.Status.SENT, remind_at__lte=at, reminded_at__isnull=True, expires_at__gt=at
    )
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update().filter(pk=pk, reminded_at__isnull=True).first()
            )
            if invitation is None or invitation.status != Invitation.Status.SENT:
                continue
            invitation.reminded_at = at
            invitation.save(update_fields=["reminded_at"])
            if invitation.customer.email and not _refusal(invitation.customer):
                try:
                    with transaction.atomic():
                        invitation_mail(invitation, reminder=True)
                except Exception:  # counted as reminded: at most one reminder, never a loop
                    logger.exception("survey reminder %s could not be queued", pk)
                    continue
                reminded += 1
    return reminded


def invitations_expire(*, at: dt.datetime | None = None) -> int:
    """Mark unanswered invitations past their expiry."""
    at = at or timezone.now()
    return Invitation.objects.filter(
        Q(status=Invitation.Status.SENT) | Q(status=Invitation.Status.SCHEDULED), expires_at__lte=at
    ).update(status=Invitation.Status.EXPIRED)
