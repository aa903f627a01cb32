"""The public intake form's one-time token: one form, one case, however often it is sent.

The form page issues a random token (`intake_token_issue`), kept in the visitor's session and carried by the
form as a hidden field. The submission that creates the case claims the token with the case and its
tracking link (`intake_token_claimed`: one unique row, inserted last in the case's transaction). A
resubmission of the same form (the connection dropped, or the worker was stopped after the commit and
before the answer) finds the claimed token (`intake_submission_find`) and is shown the case already made
instead of making a second one; two submissions racing each other wait on the unique row, and the loser's
transaction rolls back whole. The tracking link is kept (encrypted) only for
INTAKE_LINK_HOURS so that a resubmission can show it; `intake_submissions_prune` forgets it afterwards and
drops rows older than INTAKE_TOKEN_DAYS.
"""

import datetime as dt
import re
import secrets

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from charter.cases.models import Case, IntakeSubmission
from charter.common.inserts import PreparedInsert

SESSION_KEY = "cases.intake_tokens"
# A visitor may hold several forms open in tabs; the oldest of more than this many is forgotten.
SESSION_TOKENS = 20
INTAKE_LINK_HOURS = 24
INTAKE_TOKEN_DAYS = 30
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def intake_token_issue(*, session: SessionBase) -> str:
    """A new random form token, remembered in `session` (the last SESSION_TOKENS)."""
    token = secrets.token_urlsafe(32)
    issued = [t for t in session.get(SESSION_KEY, []) if isinstance(t, str)][-(SESSION_TOKENS - 1) :]
    session[SESSION_KEY] = [*issued, token]
    return token


def intake_token_valid(token: object) -> bool:
    return isinstance(token, str) and bool(_TOKEN.match(token))


def intake_token_issued_to(*, session: SessionBase, token: str) -> bool:
    """True when `session` was given `token` (constant-time against each one it holds)."""
    return any(
        secrets.compare_digest(token, held) for held in session.get(SESSION_KEY, []) if isinstance(held, str)
    )


def intake_submission_find(*, token: str) -> IntakeSubmission | None:
    """The claimed token's row with its case, or None when no submission made a case with it."""
    if not intake_token_valid(token):
        return None
    return IntakeSubmission.objects.select_related("case").filter(token=token, case__isnull=False).first()


def intake_token_claim_prepare(*, token: str, case: Case) -> PreparedInsert[IntakeSubmission]:
    """Build the claim of `token` for `case` (prepared by `case_prepare`, not saved yet), its tracking link
    encrypted, before the transaction; `intake_token_claimed` records it there."""
    return PreparedInsert([IntakeSubmission(token=token, case=case, tracking_token=case.tracking_token)])


def intake_token_claimed(prepared: PreparedInsert[IntakeSubmission]) -> IntakeSubmission:
    """Record the claim `intake_token_claim_prepare` built, inside the transaction that made its case, and
    keep the case's tracking link for a resubmission; IntegrityError when another submission holds the token.

    On PostgreSQL a second claim of the same token waits for the first transaction, then fails if it
    committed, and its whole transaction (its case too) rolls back: call it after the case is saved and
    before the audit append, so the two never wait on each other's locks in opposite orders.
    """
    # No savepoint: a failed claim ends the caller's transaction, which is what the caller wants.
    with transaction.atomic(savepoint=False):
        (submission,) = prepared.run()
    return submission


def intake_link_usable(submission: IntakeSubmission, *, now: dt.datetime | None = None) -> bool:
    """True while the kept tracking link may be shown again (INTAKE_LINK_HOURS after the submission)."""
    moment = now or timezone.now()
    return bool(submission.tracking_token) and moment - submission.created_at <= dt.timedelta(
        hours=INTAKE_LINK_HOURS
    )


def intake_submissions_prune(*, now: dt.datetime | None = None) -> int:
    """Forget the tracking links kept past INTAKE_LINK_HOURS and the rows past INTAKE_TOKEN_DAYS."""
    moment = now or timezone.now()
    IntakeSubmission.objects.filter(created_at__lt=moment - dt.timedelta(hours=INTAKE_LINK_HOURS)).exclude(
        tracking_token=""
    ).update(tracking_token="")
    deleted, _rows = IntakeSubmission.objects.filter(
        created_at__lt=moment - dt.timedelta(days=INTAKE_TOKEN_DAYS)
    ).delete()
    return deleted
