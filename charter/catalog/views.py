"""HTML views of the catalogue: the public charter (no sign-in) and the staff desk under /desk/services/."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from charter.accounts.models import User
from charter.catalog import selectors, services
from charter.catalog.forms import (
    FeeItemForm,
    PublishForm,
    ServiceCategoryForm,
    ServiceCommitmentForm,
    ServiceCreateForm,
    ServiceFilterForm,
    ServiceSettingsForm,
    VersionContentForm,
)
from charter.catalog.models import FeeItem, Service, ServiceCategory, ServiceCommitment, ServiceVersion
from charter.catalog.panels import service_panels
from charter.catalog.permissions import can_edit_catalog, can_publish_service_version, can_view_catalog_desk
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.pages import page_rule

# ---------------------------------------------------------------------------------------------------------
# The public charter


def home(request: HttpRequest) -> HttpResponse:
    """The charter's front page: the organisation, a link to its promises, its services by category."""
    groups = selectors.service_catalogue_public(at=timezone.now())
    return render(
        request,
        "catalog/home.html",
        {"organisation_name": selectors.organisation_name(), "groups": groups},
    )


def service_list(request: HttpRequest) -> HttpResponse:
    """Every service in force, narrowed by `?category=<slug>` and `?q=<keyword>`."""
    form = ServiceFilterForm(request.GET or None)
    category: ServiceCategory | None = None
    query = ""
    if form.is_valid():
        category = form.cleaned_data["category"]
        query = form.cleaned_data["q"]
    versions = selectors.service_version_list_in_force(at=timezone.now(), category=category, query=query)
    return render(
        request,
        "catalog/service_list.html",
        {"form": form, "versions": versions, "category": category, "query": query},
    )


def _entry_for(
    history: list[selectors.HistoryEntry], version: ServiceVersion
) -> selectors.HistoryEntry | None:
    return next((entry for entry in history if entry.version.pk == version.pk), None)


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One service: what it is, who may apply, how, fees and commitments; `?version=N` shows a past one."""
    service = selectors.service_get_public(slug=slug)
    if service is None:
        raise Http404
    now = timezone.now()
    requested = request.GET.get("version", "")
    if requested:
        number = int_param(requested, maximum=32767)
        if number is None:
            raise Http404
        version = selectors.service_version_get_published(service=service, number=number)
    else:
        version = selectors.service_version_in_force_with_content(service=service, at=now)
    if version is None:
        raise Http404
    history = selectors.service_version_history(service=service, at=now)
    entry = _entry_for(history, version)
    in_force = next((e for e in history if e.is_in_force), None)
    upcoming = [e for e in history if e.is_scheduled]
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "version": version,
            "entry": entry,
            "in_force": in_force,
            "upcoming": upcoming[-1] if upcoming else None,
            "history_count": len(history),
            "panels": service_panels.render(request, service),
        },
    )


def service_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every published version of a service, with the dates each was, is or will be in force."""
    service = selectors.service_get_public(slug=slug)
    if service is None:
        raise Http404
    history = selectors.service_version_history(service=service, at=timezone.now())
    if not history:
        raise Http404
    current = next((entry for entry in history if entry.is_in_force), history[-1])
    return render(
        request, "catalog/service_history.html", {"service": service, "history": history, "current": current}
    )


# ---------------------------------------------------------------------------------------------------------
# The desk: everyone on the staff may look, administrators edit


def _viewer(request: HttpRequest) -> User:
    if not can_view_catalog_desk(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)  # noqa: S101 (checked above)
    return request.user


def _editor(request: HttpRequest) -> User:
    if not can_edit_catalog(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)  # noqa: S101 (checked above)
    return request.user


def _service_or_404(slug: str) -> Service:
    service = selectors.service_get(slug=slug)
    if service is None:
        raise Http404
    return service


def _draft_or_404(service: Service) -> ServiceVersion:
    draft = selectors.service_draft_get(service=service)
    if draft is None:
        raise Http404
    return draft


@page_rule(can_view_catalog_desk)
def desk_service_list(request: HttpRequest) -> HttpResponse:
    """All services with the version in force and the open draft of each."""
    _viewer(request)
    return render(
        request,
        "catalog/desk/service_list.html",
        {"rows": selectors.service_list_for_desk(), "can_edit": can_edit_catalog(request.user)},
    )


@login_required
def desk_service_create(request: HttpRequest) -> HttpResponse:
    """Create a service and its first draft."""
    user = _editor(request)
    form = ServiceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            service = services.service_create(
                actor=user,
                slug=data["slug"],
                category=data["category"],
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                summary_zh=data["summary_zh"],
                summary_en=data["summary_en"],
                org_unit=data["org_unit"],
                ordering=data["ordering"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The service was created. Fill in its draft, then publish it."))
            return redirect("catalog:desk_draft_edit", slug=service.slug)
    return render(request, "catalog/desk/form.html", {"form": form, "title": _("New service")})


@login_required
def desk_service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A service for staff: its settings, every version including the draft, and what can be done next."""
    _viewer(request)
    service = _service_or_404(slug)
    history = selectors.service_version_history(service=service, at=timezone.now())
    draft = selectors.service_draft_get(service=service)
    return render(
        request,
        "catalog/desk/service_detail.html",
        {
            "service": service,
            "history": history,
            "draft": draft,
            "can_edit": can_edit_catalog(request.user),
            "can_publish": can_publish_service_version(request.user),
        },
    )


@login_required
def desk_service_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Change a service's category, unit, place in the list, or take it off the charter."""
    user = _editor(request)
    service = _service_or_404(slug)
    initial = {
        "category": service.category,
        "org_unit": service.org_unit,
        "ordering": service.ordering,
        "is_active": service.is_active,
        "required_qualification": service.required_qualification,
    }
    form = ServiceSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            settings = services.ServiceSettings.from_data(
                form.cleaned_data, base=services.ServiceSettings.from_service(service)
            )
            services.service_update(actor=user, service=service, settings=settings)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("catalog:desk_service_detail", slug=service.slug)
    return render(
        request,
        "catalog/desk/form.html",
        {"form": form, "title": _("Settings of %(service)s") % {"service": service.slug}, "service": service},
    )


@login_required
def desk_version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Any version of a service as the public sees (or will see) it, drafts included."""
    _viewer(request)
    service = _service_or_404(slug)
    version = selectors.service_version_get(service=service, number=number)
    if version is None:
        raise Http404
    return render(request, "catalog/desk/version_detail.html", {"service": service, "version": version})


@login_required
@require_POST
def desk_draft_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Open a draft copied from the latest published version."""
    user = _editor(request)
    service = _service_or_404(slug)
    try:
        services.service_version_draft_create(actor=user, service=service)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("catalog:desk_service_detail", slug=service.slug)
    return redirect("catalog:desk_draft_edit", slug=service.slug)


@login_required
def desk_draft_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the draft's content; its fees and commitments are listed with links to change them."""
    user = _editor(request)
    service = _service_or_404(slug)
    draft = _draft_or_404(service)
    initial = model_to_dict(draft, fields=[*services.TEXT_FIELDS, "channels"])
    form = VersionContentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.service_version_draft_update(
                actor=user, version=draft, content=services.VersionContent.from_data(data)
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("catalog:desk_draft_edit", slug=service.slug)
    return render(
        request,
        "catalog/desk/draft_edit.html",
        {
            "service": service,
            "draft": draft,
            "form": form,
            "can_publish": can_publish_service_version(request.user),
        },
    )


@login_required
@require_POST
def desk_draft_discard(request: HttpRequest, slug: str) -> HttpResponse:
    """Throw the draft away with its fees and commitments."""
    user = _editor(request)
    service = _service_or_404(slug)
    draft = _draft_or_404(service)
    try:
        services.service_version_draft_discard(actor=user, version=draft)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The draft was discarded."))
    return redirect("catalog:desk_service_detail", slug=service.slug)


@login_required
def desk_draft_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish the draft with the date it takes effect."""
    user = _editor(request)
    if not can_publish_service_version(user):
        raise PermissionDenied
    service = _service_or_404(slug)
    draft = _draft_or_404(service)
    form = PublishForm(request.POST or None, initial={"effective_at": timezone.localtime().replace(second=0)})
    if request.method == "POST" and form.is_valid():
        try:
            services.service_version_publish(
                actor=user,
                version=draft,
                effective_at=form.cleaned_data["effective_at"],
                change_note_zh=form.cleaned_data["change_note_zh"],
                change_note_en=form.cleaned_data["change_note_en"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Version %(number)d was published.") % {"number": draft.number})
            return redirect("catalog:desk_service_detail", slug=service.slug)
    return render(request, "catalog/desk/publish.html", {"service": service, "draft": draft, "form": form})


def _child_form(
    request: HttpRequest,
    *,
    slug: str,
    form_class: type[FeeItemForm] | type[ServiceCommitmentForm],
    instance: FeeItem | ServiceCommitment | None,
    save: Callable[[ServiceVersion, dict[str, Any]], object],
    title: str,
) -> HttpResponse:
    service = _service_or_404(slug)
    draft = _draft_or_404(service)
    initial = model_to_dict(instance, fields=list(form_class.base_fields)) if instance is not None else None
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(draft, form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("catalog:desk_draft_edit", slug=service.slug)
    return render(
        request, "catalog/desk/form.html", {"form": form, "title": title, "service": service, "draft": draft}
    )


def _fee_of_draft(slug: str, pk: int) -> FeeItem:
    fee = selectors.fee_item_get_in_draft(draft=_draft_or_404(_service_or_404(slug)), pk=pk)
    if fee is None:
        raise Http404
    return fee


def _commitment_of_draft(slug: str, pk: int) -> ServiceCommitment:
    item = selectors.service_commitment_get_in_draft(draft=_draft_or_404(_service_or_404(slug)), pk=pk)
    if item is None:
        raise Http404
    return item


@login_required
def desk_fee_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a fee to the draft."""
    user = _editor(request)

    def save(draft: ServiceVersion, data: dict[str, Any]) -> None:
        services.fee_item_add(actor=user, version=draft, content=services.FeeContent.from_data(data))

    return _child_form(
        request, slug=slug, form_class=FeeItemForm, instance=None, save=save, title=_("New fee")
    )


@login_required
def desk_fee_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a fee of the draft."""
    user = _editor(request)
    fee = _fee_of_draft(slug, pk)

    def save(draft: ServiceVersion, data: dict[str, Any]) -> None:
        services.fee_item_update(actor=user, fee=fee, content=services.FeeContent.from_data(data))

    return _child_form(
        request, slug=slug, form_class=FeeItemForm, instance=fee, save=save, title=_("Edit fee")
    )


@login_required
@require_POST
def desk_fee_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove a fee from the draft."""
    user = _editor(request)
    fee = _fee_of_draft(slug, pk)
    try:
        services.fee_item_delete(actor=user, fee=fee)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The fee was removed."))
    return redirect("catalog:desk_draft_edit", slug=slug)


@login_required
def desk_commitment_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a commitment to the draft."""
    user = _editor(request)

    def save(draft: ServiceVersion, data: dict[str, Any]) -> None:
        services.service_commitment_add(
            actor=user, version=draft, content=services.CommitmentContent.from_data(data)
        )

    return _child_form(
        request,
        slug=slug,
        form_class=ServiceCommitmentForm,
        instance=None,
        save=save,
        title=_("New commitment"),
    )


@login_required
def desk_commitment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a commitment of the draft."""
    user = _editor(request)
    commitment = _commitment_of_draft(slug, pk)

    def save(draft: ServiceVersion, data: dict[str, Any]) -> None:
        services.service_commitment_update(
            actor=user, commitment=commitment, content=services.CommitmentContent.from_data(data)
        )

    return _child_form(
        request,
        slug=slug,
        form_class=ServiceCommitmentForm,
        instance=commitment,
        save=save,
        title=_("Edit commitment"),
    )


@login_required
@require_POST
def desk_commitment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove a commitment from the draft."""
    user = _editor(request)
    commitment = _commitment_of_draft(slug, pk)
    try:
        services.service_commitment_delete(actor=user, commitment=commitment)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The commitment was removed."))
    return redirect("catalog:desk_draft_edit", slug=slug)


@login_required
def desk_category_list(request: HttpRequest) -> HttpResponse:
    """The categories of the charter, in display order."""
    _viewer(request)
    return render(
        request,
        "catalog/desk/category_list.html",
        {"categories": selectors.service_category_list(), "can_edit": can_edit_catalog(request.user)},
    )


@login_required
def desk_category_create(request: HttpRequest) -> HttpResponse:
    """Create a category."""
    user = _editor(request)
    form = ServiceCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.service_category_create(
                actor=user, slug=data["slug"], content=services.CategoryContent.from_data(data)
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The category was saved."))
            return redirect("catalog:desk_category_list")
    return render(request, "catalog/desk/form.html", {"form": form, "title": _("New category")})


@login_required
def desk_category_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Rename or reorder a category."""
    user = _editor(request)
    category = selectors.service_category_get(slug=slug)
    if category is None:
        raise Http404
    initial = model_to_dict(category, fields=list(ServiceCategoryForm.base_fields))
    form = ServiceCategoryForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The slug is not among the arguments: it never changes.
            services.service_category_update(
                actor=user, category=category, content=services.CategoryContent.from_data(data)
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The category was saved."))
            return redirect("catalog:desk_category_list")
    return render(request, "catalog/desk/form.html", {"form": form, "title": _("Edit category")})
