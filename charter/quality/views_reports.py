"""The QA report page and its CSV/XLSX export."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from charter.accounts.models import User
from charter.accounts.permissions import is_staff_member
from charter.common.exports import EXTENSIONS, tables_download
from charter.common.pages import page_rule
from charter.quality.forms import ReportFilterForm
from charter.quality.reports import Period, report_tables


@page_rule(is_staff_member)
def report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """QA scores over time by agent, team, criterion and clause, and the most breached clauses, in the
    user's scope (see charter.quality.reports); `?export=csv` or `xlsx` downloads them."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (is_staff_member)
    form = ReportFilterForm(request.GET or None)
    period = Period()
    if form.is_valid():
        period = Period(since=form.cleaned_data.get("since"), until=form.cleaned_data.get("until"))
    tables = report_tables(user=user, period=period)
    extension = request.GET.get("export", "")
    if extension in EXTENSIONS:
        return tables_download(tables, stem="qa-report", extension=extension)
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request, "quality/report.html", {"form": form, "tables": tables, "query": query.urlencode()}
    )
