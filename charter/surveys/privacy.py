"""What surveys hold about a customer: his invitations and answers. His erasure keeps every score, choice and
count (published satisfaction figures never change) and replaces his free text with ERASED_MARKER; his
invitation links stop working; the recovery notes staff wrote keep their text without his personal data; the
mails of his invitations and of their recovery lose his data too.
"""

import secrets

from charter.accounts.models import Customer
from charter.mail.privacy import thread_mail_anonymise
from charter.privacy.erasure import rows_scrub, subject_fragments
from charter.privacy.registry import (
    ERASED_MARKER,
    SubjectDataSource,
    SubjectExport,
    subject_data_register,
)
from charter.surveys.models import Answer, Invitation, RecoveryTask, Response, ReviewAppeal

RECOVERY_TEXT_FIELDS = ("reason", "outcome", "verification_note", "rectification_note", "revisit_note")


def customer_surveys_erase(customer: Customer) -> dict[str, int]:
    """Anonymise his invitations, his free-text answers and what staff wrote about them (surveys' erase)."""
    fragments = subject_fragments(customer)
    invitations = list(Invitation.objects.filter(customer=customer).values_list("pk", flat=True))
    # A new random hash: the link he was sent no longer opens anything; the token itself is forgotten.
    for pk in invitations:
        Invitation.objects.filter(pk=pk).update(token="", token_hash=secrets.token_hex(32))
    responses = Response.objects.filter(invitation_id__in=invitations)
    response_count = (
        responses.exclude(comment="").exclude(comment=ERASED_MARKER).update(comment=ERASED_MARKER)
    )
    answers = Answer.objects.filter(response__in=responses)
    answer_count = answers.exclude(text="").exclude(text=ERASED_MARKER).update(text=ERASED_MARKER)
    tasks = RecoveryTask.objects.filter(response__in=responses)
    task_ids = list(tasks.values_list("pk", flat=True))
    counts = {
        "surveys.invitation": len(invitations),
        "surveys.response": response_count,
        "surveys.answer": answer_count,
        "surveys.recoverytask": rows_scrub(tasks, RECOVERY_TEXT_FIELDS, fragments),
        "surveys.reviewappeal": rows_scrub(
            ReviewAppeal.objects.filter(task_id__in=task_ids), ["reason", "decision_reason"], fragments
        ),
    }
    mail = thread_mail_anonymise(
        customer_threads=[f"survey:{pk}" for pk in invitations],
        staff_threads=[f"recovery:{pk}" for pk in task_ids],
        fragments=fragments,
    )
    for table, count in mail.items():
        counts[table] = counts.get(table, 0) + count
    return counts


def customer_surveys_export(customer: Customer) -> SubjectExport:
    """His invitations and his answers (scores, choices, free text), without staff's recovery notes."""
    export = SubjectExport()
    invitations = list(
        Invitation.objects.filter(customer=customer)
        .select_related("version__survey", "case")
        .order_by("created_at", "pk")
    )
    export.tables["survey_invitations"] = [
        {
            "survey": str(invitation.version.survey),
            "case": invitation.case.number if invitation.case else "",
            "status": invitation.get_status_display(),
            "sent_at": invitation.sent_at.isoformat() if invitation.sent_at else None,
            "answered_at": invitation.answered_at.isoformat() if invitation.answered_at else None,
        }
        for invitation in invitations
    ]
    responses = Response.objects.filter(invitation__in=invitations).select_related("version__survey")
    export.tables["survey_responses"] = [
        {
            "survey": str(response.version.survey),
            "submitted_at": response.submitted_at.isoformat(),
            "csat": response.csat,
            "nps": response.nps,
            "ces": response.ces,
            "comment": response.comment,
        }
        for response in responses
    ]
    answers = Answer.objects.filter(response__in=responses).select_related(
        "question", "response__version__survey"
    )
    export.tables["survey_answers"] = [
        {
            "survey": str(answer.response.version.survey),
            "question": str(answer.question),
            "score": answer.score,
            "choices": answer.choices,
            "text": answer.text,
        }
        for answer in answers
    ]
    return export


def privacy_register() -> None:
    """Called from SurveysConfig.ready()."""
    subject_data_register(
        SubjectDataSource(key="surveys", export=customer_surveys_export, erase=customer_surveys_erase)
    )
