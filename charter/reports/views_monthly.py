"""HTML of the monthly service-quality report: the list of kept reports with their downloads
(/desk/reports/monthly/), the download itself, subscribing and unsubscribing, and generating a month
again (administrators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from charter.accounts.models import User
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.pages import page_rule
from charter.reports import monthly
from charter.reports.forms import MonthForm, SubscriptionForm
from charter.reports.models import MonthlyReport
from charter.reports.permissions import can_generate_monthly_report, can_read_monthly_report


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # page_rule let only signed-in people through
        raise PermissionDenied
    return user


def _report(pk: int) -> MonthlyReport:
    report = monthly.monthly_report_get(pk=pk)
    if report is None:
        raise Http404
    return report


@page_rule(can_read_monthly_report)
def monthly_list(request: HttpRequest) -> HttpResponse:
    """The kept monthly reports, newest first, with their downloads; the reader's subscription."""
    user = _user(request)
    subscription = monthly.report_subscription_get(user=user)
    initial = {"language": subscription.language if subscription else (user.language or "zh-hans")}
    return render(
        request,
        "reports/desk/monthly_list.html",
        {
            "reports": monthly.monthly_report_list(),
            "subscription": subscription,
            "subscription_form": SubscriptionForm(initial=initial),
            "month_form": MonthForm(),
            "may_generate": bool(can_generate_monthly_report(user)),
        },
    )


@page_rule(can_read_monthly_report)
def monthly_download(request: HttpRequest, pk: int, language: str) -> FileResponse:
    """One report's PDF in `language` ("zh-hans" or "en"): an attachment, never sniffed, never cached;
    audited."""
    user = _user(request)
    report = _report(pk)
    stored = report.file_zh if language == "zh-hans" else report.file_en if language == "en" else None
    if stored is None or report.state != MonthlyReport.State.READY or not stored:
        raise Http404
    monthly.monthly_report_download_record(user=user, report=report, language=language)
    stem = "service-quality-report" if language == "en" else "服务质量月报"
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{stem}-{report.month:%Y-%m}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@page_rule(can_read_monthly_report)
def monthly_subscribe(request: HttpRequest) -> HttpResponse:
    """Subscribe the reader to the monthly report in the language he chose, or stop it ("unsubscribe")."""
    user = _user(request)
    if "unsubscribe" in request.POST:
        if monthly.report_subscription_delete(user=user):
            messages.success(request, _("You will no longer receive the monthly report."))
        return redirect("reports:monthly_list")
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            monthly.report_subscription_save(user=user, language=form.cleaned_data["language"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("You will receive the monthly report by e-mail when it is ready."))
            return redirect("reports:monthly_list")
    messages.error(request, _("Choose Chinese or English."))
    return redirect("reports:monthly_list")


@require_POST
@page_rule(can_generate_monthly_report)
def monthly_generate(request: HttpRequest) -> HttpResponse:
    """Generate the report of a month (again): administrators."""
    user = _user(request)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a month such as 2026-11."))
        return redirect("reports:monthly_list")
    try:
        report = monthly.monthly_report_generate(month=form.cleaned_data["month"], actor=user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("reports:monthly_list")
    if report.state == MonthlyReport.State.READY:
        messages.success(
            request, _("The report of %(month)s was generated.") % {"month": f"{report.month:%Y-%m}"}
        )
    else:
        messages.error(
            request, _("The report of %(month)s could not be generated.") % {"month": f"{report.month:%Y-%m}"}
        )
    return redirect("reports:monthly_list")
