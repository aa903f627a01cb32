"""Attachments: the number a case may hold; the size, type and name checks, content sniffing and storage
outside the web root are charter.common.files', with the cases' limits and codes."""

import datetime as dt
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from charter.cases.conf import cases_setting
from charter.cases.errors import FILE_CODES, ErrorCode
from charter.cases.models import Case, CaseAttachment, CaseEvent, CaseMessage
from charter.cases.notifications import Audience, CaseNotification, notify_on_commit
from charter.cases.permissions import can_add_attachment, is_case_staff
from charter.cases.services._common import Actor, audit, event_record, staff_actor
from charter.common.errors import DomainError
from charter.common.files import CheckedFile, file_check, stored_file_orphans_delete
from charter.common.policy import require


def _checked(case: Case, file: Any) -> CheckedFile:
    checked = file_check(
        file,
        field="file",
        codes=FILE_CODES,
        max_bytes=int(cases_setting("CHARTER_CASES_ATTACHMENT_MAX_BYTES")),
        allowed_types=frozenset(cases_setting("CHARTER_CASES_ATTACHMENT_TYPES")),
    )
    if case.attachments.count() >= int(cases_setting("CHARTER_CASES_ATTACHMENTS_PER_CASE")):
        raise DomainError(
            _("This case has as many files as it may have."), code=ErrorCode.TOO_MANY_FILES, field="file"
        )
    return checked


def attachment_store(
    *, actor: Actor, case: Case, file: Any, message: CaseMessage | None = None, is_internal: bool = False
) -> CaseAttachment:
    """Check and store one file on `case` without a permission check (for services that made theirs).

    Stores under MEDIA_ROOT/cases/<yyyy>/<random>; records the sniffed content type, size and SHA-256, and
    marks active content download-only. Records `attachment_added`.
    """
    # A file on an internal note is internal, whatever the caller said.
    is_internal = is_internal or (message is not None and message.is_internal)
    checked = _checked(case, file)
    attachment = CaseAttachment(
        case=case,
        message=message,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        is_download_only=checked.is_download_only,
        is_internal=is_internal,
        uploaded_by=staff_actor(actor),
    )
    attachment.file.save("upload", File(file), save=False)
    attachment.save()
    event_record(
        case,
        CaseEvent.Kind.ATTACHMENT_ADDED,
        actor=actor,
        is_internal=is_internal,
        message=message,
        data={"attachment": attachment.pk, "name": checked.name, "size": checked.size},
    )
    return attachment


def attachment_add(
    *, actor: Actor, case: Case, file: Any, message: CaseMessage | None = None, is_internal: bool = False
) -> CaseAttachment:
    """Attach `file` to `case` (optionally to one of its messages).

    Staff in scope may add files (internal ones too); the customer may add public files to his own case.
    `actor` None is the holder of the case's tracking link, whom the calling view has verified. Raises
    DomainError for a missing, empty, oversized or refused file, or a case with too many files. Audited as
    `cases.attachment_add`.
    """
    case = Case.objects.get(pk=case.pk)
    user = staff_actor(actor)
    if user is not None:
        require(can_add_attachment(user, case))
    if is_internal and (user is None or not is_case_staff(user)):
        raise DomainError(_("Only staff add internal files."), code=ErrorCode.NOTE_DENIED)
    if message is not None and message.case_id != case.pk:
        raise DomainError(
            _("The message belongs to another case."), code=ErrorCode.INVALID_FIELD, field="message"
        )
    with transaction.atomic():
        attachment = attachment_store(
            actor=actor, case=case, file=file, message=message, is_internal=is_internal
        )
        audit(
            actor,
            "attachment_add",
            case,
            {"attachment": attachment.pk, "content_type": attachment.content_type},
        )
        if user is None or not is_case_staff(user):
            # A file from the customer: the handler should look. Staff files travel with their replies.
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.ATTACHMENT_ADDED,
                    case_id=case.pk,
                    audience=Audience.HANDLER if case.assignee_id else Audience.TEAM,
                    recipient_id=case.assignee_id,
                )
            )
    return attachment


def attachment_orphans_delete(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Delete stored case files that no attachment row refers to and that are older than `older_than`.

    A file is written before its row commits; when the transaction rolls back, the file stays behind. The
    age margin keeps files of transactions still running. Returns how many files were deleted.
    """
    return stored_file_orphans_delete(prefix="cases", model=CaseAttachment, older_than=older_than)
