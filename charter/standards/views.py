"""HTML views of the standards: the public page of promises and code, the staff desk and the draft editor."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.audit.list_exports import list_export
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.pages import page_rule
from charter.standards.forms import (
    ClauseForm,
    ConductClauseForm,
    DocumentEditForm,
    DocumentForm,
    DraftForm,
    PublishForm,
    ReportFilterForm,
    clause_form_class,
)
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.permissions import (
    can_acknowledge_standards,
    can_edit_standards,
    can_view_acknowledgement_report,
    can_view_standards,
)
from charter.standards.selectors import (
    acknowledgement_report_team_list,
    acknowledgement_report_user_list,
    standard_acknowledgement_get,
    standard_acknowledgement_list_of,
    standard_clause_citable_list,
    standard_clause_list,
    standard_document_list,
    standard_public_list,
    standard_version_draft_of,
    standard_version_in_force,
    standard_version_list_awaiting_acknowledgement,
    standard_version_list_visible_to,
    standard_version_scheduled_list,
)
from charter.standards.services import (
    acknowledgement_refusal,
    standard_clause_add,
    standard_clause_delete,
    standard_clause_update,
    standard_document_create,
    standard_document_update,
    standard_version_acknowledge,
    standard_version_draft_create,
    standard_version_draft_discard,
    standard_version_draft_update,
    standard_version_publish,
)


def _require_staff(request: HttpRequest) -> User:
    if not can_view_standards(request.user):
        raise PermissionDenied
    return request_user(request)


def _require_editor(request: HttpRequest) -> User:
    if not can_edit_standards(request.user):
        raise PermissionDenied
    return request_user(request)


def _version_or_404(request: HttpRequest, document: StandardDocument, number: int) -> StandardVersion:
    return get_object_or_404(
        standard_version_list_visible_to(user=request.user, document=document), number=number
    )


def _draft_or_404(request: HttpRequest, document_id: int, number: int) -> StandardVersion:
    document = get_object_or_404(StandardDocument, pk=document_id)
    version = _version_or_404(request, document, number)
    if not version.is_draft:
        raise Http404
    return version


@require_GET
def public_promises(request: HttpRequest) -> HttpResponse:
    """Show everyone the customer promises and the code of conduct in force, in the active language."""
    return render(request, "standards/public.html", {"documents": standard_public_list()})


@page_rule(can_view_standards)
@require_GET
def desk_list(request: HttpRequest) -> HttpResponse:
    """List the standards with the version in force, any scheduled version and the draft."""
    user = _require_staff(request)
    now = timezone.now()
    is_editor = can_edit_standards(user)
    rows = []
    for document in standard_document_list():
        rows.append(
            {
                "document": document,
                "in_force": standard_version_in_force(document=document, at=now),
                "scheduled": list(standard_version_scheduled_list(document=document, at=now)),
                "draft": standard_version_draft_of(document=document) if is_editor else None,
            }
        )
    return render(request, "standards/desk_list.html", {"rows": rows, "is_editor": is_editor})


@login_required
def document_create(request: HttpRequest) -> HttpResponse:
    """Let an administrator start a new registry."""
    user = _require_editor(request)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            document = standard_document_create(
                actor=user,
                code=data["code"],
                kind=data["kind"],
                title_zh=data["title_zh"],
                title_en=data["title_en"],
                description_zh=data["description_zh"],
                description_en=data["description_en"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The standard was created. Write its first draft now."))
            return redirect("standards:document_detail", document_id=document.pk)
    return render(request, "standards/document_form.html", {"form": form, "document": None})


@login_required
def document_edit(request: HttpRequest, document_id: int) -> HttpResponse:
    """Let an administrator change a document's title and description."""
    user = _require_editor(request)
    document = get_object_or_404(StandardDocument, pk=document_id)
    initial = {
        name: getattr(document, name) for name in ("title_zh", "title_en", "description_zh", "description_en")
    }
    form = DocumentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            standard_document_update(
                actor=user,
                document=document,
                title_zh=data["title_zh"],
                title_en=data["title_en"],
                description_zh=data["description_zh"],
                description_en=data["description_en"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The standard was saved."))
            return redirect("standards:document_detail", document_id=document.pk)
    return render(request, "standards/document_form.html", {"form": form, "document": document})


@login_required
@require_GET
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    """Show a document and its versions, with the actions the user may take."""
    user = _require_staff(request)
    document = get_object_or_404(StandardDocument, pk=document_id)
    now = timezone.now()
    in_force = standard_version_in_force(document=document, at=now)
    versions = list(standard_version_list_visible_to(user=user, document=document))
    is_editor = can_edit_standards(user)
    context = {
        "document": document,
        "versions": versions,
        "in_force": in_force,
        "now": now,
        "is_editor": is_editor,
        "has_draft": any(version.is_draft for version in versions),
        "can_report": document.is_code_of_conduct and can_view_acknowledgement_report(user),
    }
    return render(request, "standards/document_detail.html", context)


@login_required
@require_POST
def draft_create(request: HttpRequest, document_id: int) -> HttpResponse:
    """Open a draft of the next version, copied from the latest one."""
    user = _require_editor(request)
    document = get_object_or_404(StandardDocument, pk=document_id)
    try:
        draft = standard_version_draft_create(actor=user, document=document)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("standards:document_detail", document_id=document.pk)
    messages.success(request, _("Version %(number)s was opened as a draft.") % {"number": draft.number})
    return redirect("standards:version_detail", document_id=document.pk, number=draft.number)


@login_required
@require_GET
def version_detail(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """Show one version read-only; a draft also shows the editor's controls to its editors."""
    user = _require_staff(request)
    document = get_object_or_404(StandardDocument, pk=document_id)
    version = _version_or_404(request, document, number)
    now = timezone.now()
    in_force = standard_version_in_force(document=document, at=now)
    acknowledgement = standard_acknowledgement_get(version=version, user=user)
    may_acknowledge = (
        version.is_published
        and document.is_code_of_conduct
        and acknowledgement is None
        and bool(can_acknowledge_standards(user))
    )
    refusal = acknowledgement_refusal(user=user, version=version) if may_acknowledge else None
    context = {
        "document": document,
        "version": version,
        "clauses": standard_clause_list(version=version),
        "is_in_force": in_force is not None and in_force.pk == version.pk,
        "is_scheduled": version.is_published
        and version.effective_at is not None
        and version.effective_at > now,
        "is_superseded": version.is_published and in_force is not None and version.number < in_force.number,
        "can_edit": version.is_draft and can_edit_standards(user),
        "acknowledgement": acknowledgement,
        "can_acknowledge": may_acknowledge and refusal is None,
        "acknowledgement_refusal": refusal,
        "publish_form": PublishForm() if version.is_draft else None,
    }
    return render(request, "standards/version_detail.html", context)


@login_required
def draft_edit(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """Edit a draft's preamble and summary of changes."""
    user = _require_editor(request)
    version = _draft_or_404(request, document_id, number)
    initial = {
        name: getattr(version, name)
        for name in ("preamble_zh", "preamble_en", "change_summary_zh", "change_summary_en")
    }
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            standard_version_draft_update(
                actor=user,
                version=version,
                preamble_zh=data["preamble_zh"],
                preamble_en=data["preamble_en"],
                change_summary_zh=data["change_summary_zh"],
                change_summary_en=data["change_summary_en"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("standards:version_detail", document_id=document_id, number=number)
    return render(request, "standards/draft_form.html", {"form": form, "version": version})


@login_required
def draft_discard(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """Confirm, then delete a draft."""
    user = _require_editor(request)
    version = _draft_or_404(request, document_id, number)
    if request.method == "POST":
        try:
            standard_version_draft_discard(actor=user, version=version)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("standards:version_detail", document_id=document_id, number=number)
        messages.success(request, _("The draft was discarded."))
        return redirect("standards:document_detail", document_id=document_id)
    context = {
        "version": version,
        "question": _("Discard the draft of version %(number)s and all its clauses?") % {"number": number},
        "cancel_url": version_url(version),
    }
    return render(request, "standards/confirm.html", context)


def version_url(version: StandardVersion) -> str:
    """Return the desk address of `version`."""
    return reverse(
        "standards:version_detail", kwargs={"document_id": version.document_id, "number": version.number}
    )


def _clause_form(
    request: HttpRequest, version: StandardVersion, initial: dict[str, Any] | None = None
) -> ClauseForm:
    form_class = clause_form_class(version.document)
    data = request.POST if request.method == "POST" else None
    if form_class is ConductClauseForm:
        citable = standard_clause_citable_list()
        if initial and initial.get("promises"):
            # Clauses cited before stay selectable even when their version has since been superseded.
            citable = (citable | StandardClause.objects.filter(pk__in=initial["promises"])).distinct()
        return ConductClauseForm(data, initial=initial, citable=citable)
    return form_class(data, initial=initial)


@login_required
def clause_add(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """Add a clause to a draft."""
    user = _require_editor(request)
    version = _draft_or_404(request, document_id, number)
    form = _clause_form(request, version)
    if request.method == "POST" and form.is_valid():
        try:
            clause = standard_clause_add(actor=user, version=version, content=form.content())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Clause %(number)s was added.") % {"number": clause.number})
            return redirect("standards:version_detail", document_id=document_id, number=number)
    return render(request, "standards/clause_form.html", {"form": form, "version": version, "clause": None})


def _draft_clause_or_404(version: StandardVersion, clause_id: int) -> StandardClause:
    return get_object_or_404(
        StandardClause.objects.select_related("version__document"), pk=clause_id, version=version
    )


@login_required
def clause_edit(request: HttpRequest, document_id: int, number: int, clause_id: int) -> HttpResponse:
    """Change a clause of a draft."""
    user = _require_editor(request)
    version = _draft_or_404(request, document_id, number)
    clause = _draft_clause_or_404(version, clause_id)
    form = _clause_form(request, version, initial=ClauseForm.initial_from(clause))
    if request.method == "POST" and form.is_valid():
        try:
            standard_clause_update(actor=user, clause=clause, content=form.content())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Clause %(number)s was saved.") % {"number": form.content().number})
            return redirect("standards:version_detail", document_id=document_id, number=number)
    return render(request, "standards/clause_form.html", {"form": form, "version": version, "clause": clause})


@login_required
def clause_delete(request: HttpRequest, document_id: int, number: int, clause_id: int) -> HttpResponse:
    """Confirm, then remove a clause from a draft."""
    user = _require_editor(request)
    version = _draft_or_404(request, document_id, number)
    clause = _draft_clause_or_404(version, clause_id)
    if request.method == "POST":
        try:
            standard_clause_delete(actor=user, clause=clause)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Clause %(number)s was removed.") % {"number": clause.number})
        return redirect("standards:version_detail", document_id=document_id, number=number)
    context = {
        "version": version,
        "question": _("Remove clause %(number)s from the draft?") % {"number": clause.number},
        "cancel_url": version_url(version),
    }
    return render(request, "standards/confirm.html", context)


@login_required
def version_publish(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """Publish a draft with its effective date."""
    user = _require_editor(request)
    version = _draft_or_404(request, document_id, number)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard_version_publish(
                actor=user, version=version, effective_at=form.cleaned_data["effective_at"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Version %(number)s was published.") % {"number": number})
            return redirect("standards:version_detail", document_id=document_id, number=number)
    return render(request, "standards/publish_form.html", {"form": form, "version": version})


@login_required
@require_POST
def version_acknowledge(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """Record that the signed-in member of staff acknowledges a published version."""
    if not can_acknowledge_standards(request.user):
        raise PermissionDenied
    document = get_object_or_404(StandardDocument, pk=document_id)
    version = _version_or_404(request, document, number)
    try:
        standard_version_acknowledge(user=request_user(request), version=version)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Thank you: your acknowledgement was recorded."))
    return redirect("standards:version_detail", document_id=document_id, number=number)


@page_rule(can_acknowledge_standards)
@require_GET
def my_acknowledgements(request: HttpRequest) -> HttpResponse:
    """Show the signed-in member of staff what awaits his acknowledgement, and what he has acknowledged."""
    user = request_user(request)
    awaiting = standard_version_list_awaiting_acknowledgement(user=user)
    for version in awaiting:
        # Shown instead of the button while a gate (a course to complete first) refuses it.
        version.acknowledgement_refusal = acknowledgement_refusal(user=user, version=version)  # type: ignore[attr-defined]
    context = {
        "awaiting": awaiting,
        "done": standard_acknowledgement_list_of(user=user)[:50],
        "now": timezone.now(),
    }
    return render(request, "standards/my_acknowledgements.html", context)


ACKNOWLEDGEMENT_COLUMNS: list[Column[Any]] = [
    Column(gettext_lazy("Staff member"), str),
    Column(gettext_lazy("User name"), lambda person: person.username),
    Column(gettext_lazy("Acknowledged at"), lambda person: person.acknowledged_at),
]


@login_required
@require_GET
def acknowledgement_report(request: HttpRequest, document_id: int) -> HttpResponse | StreamingHttpResponse:
    """Show who in the user's scope has acknowledged a version of the code of conduct (the one in force by
    default). A team outside his scope answers 404. `?format=csv|xlsx` exports the people (audited)."""
    if not can_view_acknowledgement_report(request.user):
        raise PermissionDenied
    user = request_user(request)
    document = get_object_or_404(StandardDocument, pk=document_id, kind=StandardDocument.Kind.CODE_OF_CONDUCT)
    teams = acknowledgement_report_team_list(user=user)
    team_id = request.GET.get("team", "")
    team_pk = int_param(team_id)
    if team_id and (team_pk is None or not teams.filter(pk=team_pk).exists()):
        raise Http404
    versions = standard_version_list_visible_to(user=user, document=document).filter(
        status=StandardVersion.Status.PUBLISHED
    )
    form = ReportFilterForm(request.GET or None, versions=versions, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    version = filters.get("version") or standard_version_in_force(document=document, at=timezone.now())
    page = None
    if version is not None:
        people = acknowledgement_report_user_list(
            user=user,
            version=version,
            team=filters.get("team"),
            is_pending_only=bool(filters.get("is_pending_only")),
        )
        extension = export_extension(request)
        if extension:
            return list_export(
                request,
                name="standards.acknowledgements",
                title=_("Acknowledgements"),
                rows=people,
                columns=ACKNOWLEDGEMENT_COLUMNS,
                filters={"document": document.pk, **form_filters(form), "version": version.pk},
                extension=extension,
            )
        page = Paginator(people, 100).get_page(request.GET.get("page"))
    context = {"document": document, "version": version, "form": form, "page": page}
    return render(request, "standards/acknowledgement_report.html", context)
