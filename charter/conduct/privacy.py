"""What conduct holds about a customer: staff text in violations whose evidence is one of his cases (or a
finding, review or survey answer on one): the description, decisions, the staff member's response and
appeal, observations and timeline, and the violation mails. Discipline records stay, without his personal
data (`charter.privacy.erasure.rows_scrub`); nothing here is his, so it exports nothing."""

from django.db.models import Q

from charter.accounts.models import Customer
from charter.cases.models import Case
from charter.conduct.models import Evidence, Violation, ViolationEvent
from charter.mail.privacy import thread_mail_anonymise
from charter.privacy.erasure import rows_scrub, subject_fragments
from charter.privacy.registry import SubjectDataSource, SubjectExport, subject_data_register

VIOLATION_TEXT_FIELDS = ("description", "decision_reason", "response_text", "appeal_text", "appeal_reason")


def customer_conduct_erase(customer: Customer) -> dict[str, int]:
    fragments = subject_fragments(customer)
    cases = list(Case.objects.filter(customer=customer).values_list("pk", flat=True))
    evidence = Evidence.objects.filter(
        Q(case_id__in=cases)
        | Q(finding__case_id__in=cases)
        | Q(review__case_id__in=cases)
        | Q(survey_response__invitation__customer=customer)
    )
    violations = list(evidence.values_list("violation_id", flat=True).distinct())
    counts = {
        "conduct.violation": rows_scrub(
            Violation.objects.filter(pk__in=violations), VIOLATION_TEXT_FIELDS, fragments
        ),
        "conduct.evidence": rows_scrub(
            Evidence.objects.filter(violation_id__in=violations), ["text"], fragments
        ),
        "conduct.violationevent": rows_scrub(
            ViolationEvent.objects.filter(violation_id__in=violations), ["text", "data"], fragments
        ),
    }
    mail = thread_mail_anonymise(
        customer_threads=[], staff_threads=[f"violation:{pk}" for pk in violations], fragments=fragments
    )
    counts["mail.outboundmessage"] = mail["mail.outboundmessage"]
    return counts


def customer_conduct_export(customer: Customer) -> SubjectExport:
    # Discipline records are about staff: internal, not his data.
    return SubjectExport()


def privacy_register() -> None:
    """Called from ConductConfig.ready()."""
    subject_data_register(
        SubjectDataSource(key="conduct", export=customer_conduct_export, erase=customer_conduct_erase)
    )
