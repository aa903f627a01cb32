"""What improvement holds about a customer: staff text in corrective actions raised from his cases (the
problem as described, the correction and cause analysis, items, checks, timeline, and their mails). The
actions stay, without his personal data (`charter.privacy.erasure.rows_scrub`); nothing here is his, so it
exports nothing."""

from charter.accounts.models import Customer
from charter.cases.models import Case
from charter.improvement.models import ActionEvent, ActionItem, CorrectiveAction, EffectivenessCheck
from charter.mail.privacy import thread_mail_anonymise
from charter.privacy.erasure import rows_scrub, subject_fragments
from charter.privacy.registry import SubjectDataSource, SubjectExport, subject_data_register

ACTION_TEXT_FIELDS = ("title", "source_reference", "problem", "correction", "cause_analysis")


def customer_improvement_erase(customer: Customer) -> dict[str, int]:
    fragments = subject_fragments(customer)
    cases = Case.objects.filter(customer=customer)
    actions = list(CorrectiveAction.objects.filter(cases__in=cases).values_list("pk", flat=True).distinct())
    counts = {
        "improvement.correctiveaction": rows_scrub(
            CorrectiveAction.objects.filter(pk__in=actions), ACTION_TEXT_FIELDS, fragments
        ),
        "improvement.actionitem": rows_scrub(
            ActionItem.objects.filter(action_id__in=actions), ["description", "done_note"], fragments
        ),
        "improvement.effectivenesscheck": rows_scrub(
            EffectivenessCheck.objects.filter(action_id__in=actions), ["note"], fragments
        ),
        "improvement.actionevent": rows_scrub(
            ActionEvent.objects.filter(action_id__in=actions), ["note", "data"], fragments
        ),
    }
    mail = thread_mail_anonymise(
        customer_threads=[], staff_threads=[f"corrective-action:{pk}" for pk in actions], fragments=fragments
    )
    counts["mail.outboundmessage"] = mail["mail.outboundmessage"]
    return counts


def customer_improvement_export(customer: Customer) -> SubjectExport:
    # Corrective actions are the organisation's own work: not his data.
    return SubjectExport()


def privacy_register() -> None:
    """Called from ImprovementConfig.ready()."""
    subject_data_register(
        SubjectDataSource(
            key="improvement", export=customer_improvement_export, erase=customer_improvement_erase
        )
    )
