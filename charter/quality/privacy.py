"""What QA holds about a customer: staff text about his cases (reply-check excerpts and overrides, reviews'
summaries and comments, calibration comments, review mails). It is staff's work and stays, without his
personal data (`charter.privacy.erasure.rows_scrub`); QA holds nothing he wrote, so it exports nothing."""

from charter.accounts.models import Customer
from charter.cases.models import Case
from charter.mail.privacy import thread_mail_anonymise
from charter.privacy.erasure import rows_scrub, subject_fragments
from charter.privacy.registry import SubjectDataSource, SubjectExport, subject_data_register
from charter.quality.models import (
    CalibrationScore,
    CalibrationSession,
    Finding,
    ReplyOverride,
    Review,
    ReviewScore,
)


def customer_quality_erase(customer: Customer) -> dict[str, int]:
    fragments = subject_fragments(customer)
    cases = list(Case.objects.filter(customer=customer).values_list("pk", flat=True))
    reviews = Review.objects.filter(case_id__in=cases)
    review_ids = list(reviews.values_list("pk", flat=True))
    sessions = CalibrationSession.objects.filter(case_id__in=cases)
    findings = Finding.objects.filter(case_id__in=cases)
    counts = {
        "quality.finding": rows_scrub(findings, ["excerpt", "override_reason"], fragments),
        "quality.replyoverride": rows_scrub(
            ReplyOverride.objects.filter(message__case_id__in=cases), ["reason"], fragments
        ),
        "quality.review": rows_scrub(reviews, ["summary", "dispute_reason", "decision_reason"], fragments),
        "quality.reviewscore": rows_scrub(
            ReviewScore.objects.filter(review__in=review_ids), ["comment"], fragments
        ),
        "quality.calibrationsession": rows_scrub(sessions, ["title"], fragments),
        "quality.calibrationscore": rows_scrub(
            CalibrationScore.objects.filter(session__in=sessions), ["comment"], fragments
        ),
    }
    # A finding's key holds its excerpt; keys stay unique per message, so a changed one gets its id.
    for finding in findings.only("pk", "key", "check_code"):
        if rows_scrub(Finding.objects.filter(pk=finding.pk), ["key"], fragments):
            Finding.objects.filter(pk=finding.pk).update(key=f"{finding.check_code}:erased:{finding.pk}")
    mail = thread_mail_anonymise(
        customer_threads=[], staff_threads=[f"qa-review:{pk}" for pk in review_ids], fragments=fragments
    )
    counts["mail.outboundmessage"] = mail["mail.outboundmessage"]
    return counts


def customer_quality_export(customer: Customer) -> SubjectExport:
    # Reviews and findings are staff's assessment of staff: internal, not his data.
    return SubjectExport()


def privacy_register() -> None:
    """Called from QualityConfig.ready()."""
    subject_data_register(
        SubjectDataSource(key="quality", export=customer_quality_export, erase=customer_quality_erase)
    )
