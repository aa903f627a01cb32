"""Checks of a staff reply before it is sent: an extension point that the apps above fill in.

A higher app (quality) registers, in its AppConfig.ready(), a checker `(case, author, body, is_internal) ->
list[ReplyWarning]`, and may register a listener told when a reply went out despite warnings. The desk and
the API send staff replies through `case_reply_checked`: when a checker warns, the reply is held until the
author gives a reason to send it anyway; the reason is audited and handed to the listeners. With no checker
registered it is exactly `case_reply`. Cases never imports the apps that register here (DESIGN.md).
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.cases.models import Case, CaseMessage
from charter.cases.services import case_reply
from charter.common.errors import DomainError
from charter.standards.models import StandardClause

REPLY_CHECK_WARNING = "reply_check_warning"
OVERRIDE_REASON_MAX_LENGTH = 1000


@dataclass(frozen=True)
class ReplyWarning:
    """Something in a reply that may break the code of conduct: a machine `code`, a `message` for people,
    the `clause` it cites and the `excerpt` of the reply it is about."""

    code: str
    message: str | Promise
    clause: StandardClause | None = None
    excerpt: str = ""

    def as_dict(self) -> dict[str, Any]:
        clause = self.clause
        return {
            "code": self.code,
            "message": str(self.message),
            "excerpt": self.excerpt,
            "clause": None
            if clause is None
            else {
                "document": clause.version.document.code,
                "version": clause.version.number,
                "number": clause.number,
                "title": str(clause),
            },
        }


ReplyChecker = Callable[[Case, User, str, bool], list[ReplyWarning]]
OverrideListener = Callable[[CaseMessage, User, list[ReplyWarning], str], None]


class ReplyChecks:
    """The registered checkers and override listeners, each once, in registration order."""

    def __init__(self) -> None:
        self.checkers: list[ReplyChecker] = []
        self.listeners: list[OverrideListener] = []

    def register(self, checker: ReplyChecker) -> None:
        if checker not in self.checkers:
            self.checkers.append(checker)

    def listen(self, listener: OverrideListener) -> None:
        if listener not in self.listeners:
            self.listeners.append(listener)


reply_checks = ReplyChecks()


def reply_checker_register(checker: ReplyChecker) -> None:
    """Run `checker` on every staff reply and note before it is sent (call from AppConfig.ready())."""
    reply_checks.register(checker)


def reply_override_listener_register(listener: OverrideListener) -> None:
    """Tell `listener` of each reply sent despite warnings, with the reason, in the reply's transaction."""
    reply_checks.listen(listener)


def reply_check(*, case: Case, author: User, body: str, is_internal: bool) -> list[ReplyWarning]:
    """Return the warnings every registered checker gives on `body`; writes nothing."""
    warnings: list[ReplyWarning] = []
    for checker in reply_checks.checkers:
        warnings.extend(checker(case, author, body, is_internal))
    return warnings


def reply_warnings_fingerprint(warnings: Sequence[ReplyWarning]) -> str:
    """Return a short digest of `warnings`, so a form can tell the warnings its user saw from new ones."""
    text = "\n".join(sorted(f"{warning.code}\x00{warning.excerpt}" for warning in warnings))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ReplyCheckWarningError(DomainError):
    """The reply was held: checkers warned and no reason to send it anyway was given (409)."""

    status = 409
    default_code = REPLY_CHECK_WARNING

    def __init__(self, warnings: list[ReplyWarning]) -> None:
        super().__init__(
            _("This reply may break the code of conduct. Correct it, or give a reason to send it anyway."),
            code=REPLY_CHECK_WARNING,
            field="body",
        )
        self.warnings = warnings
        self.fingerprint = reply_warnings_fingerprint(warnings)


def case_reply_checked(
    *,
    actor: User,
    case: Case,
    body: str,
    is_internal: bool = False,
    attachments: Sequence[File[bytes]] = (),
    expected_version: int | None = None,
    override_reason: str = "",
    seen_fingerprint: str | None = None,
) -> CaseMessage:
    """Check a staff reply or note, then write it with `case_reply`.

    When a checker warns, raise ReplyCheckWarningError (nothing written) unless `override_reason` is given
    and, when `seen_fingerprint` is given, the warnings are those the author saw. A reply sent despite
    warnings is audited as `cases.reply_check_override` with the reason, and the override listeners are told,
    in the reply's transaction.
    """
    warnings = reply_check(case=case, author=actor, body=body, is_internal=is_internal)
    reason = (override_reason or "").strip()[:OVERRIDE_REASON_MAX_LENGTH]
    if warnings:
        is_unseen = seen_fingerprint is not None and seen_fingerprint != reply_warnings_fingerprint(warnings)
        if not reason or is_unseen:
            raise ReplyCheckWarningError(warnings)
    with transaction.atomic():
        message = case_reply(
            actor=actor,
            case=case,
            body=body,
            is_internal=is_internal,
            attachments=attachments,
            expected_version=expected_version,
        )
        if warnings:
            audit_record(
                actor=actor,
                action="cases.reply_check_override",
                target=case,
                data={
                    "message": message.pk,
                    "warnings": [warning.code for warning in warnings],
                    "reason": reason,
                },
            )
            for listener in reply_checks.listeners:
                listener(message, actor, warnings, reason)
    return message
