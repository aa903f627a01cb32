"""Pages of the assessment schemes under /desk/assessment/schemes/: the list, a scheme shown in words (the
version in force, its acknowledgements), and the draft editor for those who manage schemes.

Every member of staff reads the published versions (the rules he is assessed by are no secret); drafts and
the acknowledgement status are for those who manage schemes. Forms check the shape; the services in
charter/assessment/schemes.py decide.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.assessment.forms_schemes import SchemeForm, SchemeVersionForm, curve_text
from charter.assessment.indicators import INDICATORS, UNIT_LABELS, Indicator, Unit
from charter.assessment.models import Scheme, SchemeAcknowledgement, SchemeItem, SchemeVersion
from charter.assessment.permissions import (
    can_acknowledge_scheme,
    can_manage_schemes,
    can_see_everyone,
    can_view_assessment,
)
from charter.assessment.rules import curve_compile
from charter.assessment.schemes import (
    scheme_acknowledge,
    scheme_acknowledgement_status,
    scheme_create,
    scheme_update,
    scheme_version_draft_create,
    scheme_version_draft_discard,
    scheme_version_draft_update,
    scheme_version_publish,
)
from charter.assessment.scoring import BandCurve, LinearCurve
from charter.assessment.selectors import scheme_version_in_force
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.models import localized
from charter.common.pages import page_rule


def _require_staff(request: HttpRequest) -> User:
    if not can_view_assessment(request.user):
        raise PermissionDenied
    return request_user(request)


def _require_manager(request: HttpRequest) -> User:
    if not can_manage_schemes(request.user):
        raise PermissionDenied
    return request_user(request)


def _version_or_404(user: User, scheme: Scheme, number: int) -> SchemeVersion:
    """A version of `scheme`; a draft only for those who manage schemes (404 for the others)."""
    version = get_object_or_404(SchemeVersion.objects.select_related("scheme"), scheme=scheme, number=number)
    if version.is_draft and not can_manage_schemes(user):
        raise Http404
    return version


def _draft_or_404(user: User, scheme_id: int, number: int) -> SchemeVersion:
    version = _version_or_404(user, get_object_or_404(Scheme, pk=scheme_id), number)
    if not version.is_draft:
        raise Http404
    return version


# The scheme in words -------------------------------------------------------------------------------------


def _number(value: Decimal | str | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)).normalize():f}"


def _value(value: Decimal, unit: Unit | None) -> str:
    return f"{_number(value)}%" if unit == Unit.PERCENT else _number(value)


def curve_words(spec: dict[str, Any], indicator: Indicator | None) -> str:
    """Say a curve in words, such as "60% → 0 points, 90% → 100 points, …, linear in between"."""
    unit = indicator.unit if indicator is not None else None
    try:
        curve = curve_compile(
            spec, higher_is_better=indicator.higher_is_better if indicator else True, field="items"
        )
    except DomainError:
        return curve_text(spec)
    if isinstance(curve, LinearCurve):
        steps = ", ".join(
            _("%(value)s → %(points)s points") % {"value": _value(value, unit), "points": _number(points)}
            for value, points in (
                (curve.floor, curve.floor_points),
                (curve.target, curve.target_points),
                (curve.cap, curve.cap_points),
            )
        )
        return _("%(steps)s; linear in between.") % {"steps": steps}
    assert isinstance(curve, BandCurve)  # noqa: S101 (curve_compile returns one of the two)
    return "; ".join(
        _("from %(lower)s to below %(upper)s: %(points)s points")
        % {
            "lower": _value(band.lower, unit),
            "upper": _value(band.upper, unit),
            "points": _number(band.points),
        }
        for band in curve.bands
    )


@dataclass
class ItemInWords:
    """One weighted item as the page says it."""

    item: SchemeItem
    name: str
    indicator: Indicator | None = None
    unit: str | Promise = ""
    curve: str = ""


@dataclass
class VersionInWords:
    """A version as the page says it: its items, adjustments, grades, quota, outcomes and deadlines."""

    version: SchemeVersion
    items: list[ItemInWords] = field(default_factory=list)
    bonus: list[Any] = field(default_factory=list)
    deductions: list[Any] = field(default_factory=list)
    grades: list[dict[str, Any]] = field(default_factory=list)
    quota: str = ""
    outcomes: list[dict[str, Any]] = field(default_factory=list)


def version_in_words(version: SchemeVersion) -> VersionInWords:
    """Describe `version` for the page (a draft may be incomplete: what cannot be compiled is shown raw)."""
    words = VersionInWords(version=version)
    for item in version.items.select_related("clause__version__document"):
        indicator = INDICATORS.get(item.code) if item.kind == SchemeItem.Kind.INDICATOR else None
        words.items.append(
            ItemInWords(
                item=item,
                name=localized(item, "name") or (str(indicator.name) if indicator else item.code),
                indicator=indicator,
                unit=UNIT_LABELS.get(indicator.unit, "") if indicator else "",
                curve=curve_words(item.curve or {}, indicator)
                if item.kind == SchemeItem.Kind.INDICATOR
                else "",
            )
        )
    for rule in version.adjustments.all():
        indicator = INDICATORS.get(rule.indicator) if rule.indicator else None
        entry = {"rule": rule, "indicator": indicator}
        (words.bonus if rule.kind == rule.Kind.BONUS else words.deductions).append(entry)
    labels: dict[str, str] = {}
    for grade in version.grades or []:
        label = localized(_Names(grade), "name") or str(grade.get("code", ""))
        labels[str(grade.get("code", ""))] = label
        words.grades.append(
            {"code": grade.get("code"), "label": label, "minimum": _number(grade.get("minimum"))}
        )
    if version.quota_grade and version.quota_share is not None:
        words.quota = _(
            "At most %(share)s%% of each team may be graded %(grade)s (the share of the team's size rounded "
            "half up, at least one place); those ranked beyond it by score take the next grade down."
        ) % {
            "share": _number(version.quota_share),
            "grade": labels.get(version.quota_grade, version.quota_grade),
        }
    for outcome in version.outcome_rules.all():
        actions = [
            text
            for flag, text in (
                (outcome.interview, _("interview (约谈)")),
                (outcome.improvement_plan, _("improvement plan")),
                (outcome.remedial_training, _("remedial training")),
            )
            if flag
        ]
        words.outcomes.append(
            {
                "rule": outcome,
                "grade": labels.get(outcome.grade, outcome.grade),
                "title": localized(outcome, "title"),
                "actions": actions,
                "coefficient": _number(outcome.bonus_coefficient),
            }
        )
    by_grade = {entry["rule"].grade: entry for entry in words.outcomes}
    for grade in words.grades:
        grade["outcome"] = by_grade.get(str(grade["code"]))
    return words


class _Names:
    def __init__(self, grade: dict[str, Any]) -> None:
        self.name_zh = str(grade.get("name_zh") or "")
        self.name_en = str(grade.get("name_en") or "")


# Pages ----------------------------------------------------------------------------------------------------


@page_rule(can_view_assessment)
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    """List the schemes with the version in force and, for those who manage them, the draft."""
    user = request_user(request)
    is_manager = bool(can_manage_schemes(user))
    rows = []
    for scheme in Scheme.objects.prefetch_related("teams", "roles").order_by("code"):
        in_force = scheme_version_in_force(scheme=scheme)
        draft = scheme.versions.filter(status=SchemeVersion.Status.DRAFT).first() if is_manager else None
        if in_force is None and not is_manager:
            continue
        rows.append({"scheme": scheme, "in_force": in_force, "draft": draft})
    return render(request, "assessment/scheme_list.html", {"rows": rows, "is_manager": is_manager})


@page_rule(can_manage_schemes)
def scheme_create_view(request: HttpRequest) -> HttpResponse:
    """Let a manager create a scheme (and its first draft)."""
    user = request_user(request)
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme = scheme_create(
                actor=user,
                code=data["code"],
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                description_zh=data["description_zh"],
                description_en=data["description_en"],
                team_ids=[team.pk for team in data["teams"]],
                role_ids=[role.pk for role in data["roles"]],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The scheme was created. Write its first version now."))
            return redirect("assessment:scheme_version_edit", scheme_id=scheme.pk, number=1)
    return render(request, "assessment/scheme_form.html", {"form": form, "scheme": None})


@login_required
def scheme_edit(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """Let a manager change a scheme's names, description and coverage."""
    user = _require_manager(request)
    scheme = get_object_or_404(Scheme, pk=scheme_id)
    initial = {
        "name_zh": scheme.name_zh,
        "name_en": scheme.name_en,
        "description_zh": scheme.description_zh,
        "description_en": scheme.description_en,
        "teams": list(scheme.teams.all()),
        "roles": list(scheme.roles.all()),
    }
    form = SchemeForm(request.POST or None, initial=initial, is_new=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme_update(
                actor=user,
                scheme=scheme,
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                description_zh=data["description_zh"],
                description_en=data["description_en"],
                team_ids=[team.pk for team in data["teams"]],
                role_ids=[role.pk for role in data["roles"]],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The scheme was saved."))
            return redirect("assessment:scheme_detail", scheme_id=scheme.pk)
    return render(request, "assessment/scheme_form.html", {"form": form, "scheme": scheme})


@login_required
@require_GET
def scheme_detail(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """Show a scheme in words: the version in force (or `?version=N`), who it covers, its versions, the
    acknowledgements for managers and an "I acknowledge" button for covered staff who have not yet."""
    user = _require_staff(request)
    scheme = get_object_or_404(Scheme.objects.prefetch_related("teams", "roles"), pk=scheme_id)
    is_manager = bool(can_manage_schemes(user))
    versions = scheme.versions.order_by("-number")
    if not is_manager:
        versions = versions.exclude(status=SchemeVersion.Status.DRAFT)
    in_force = scheme_version_in_force(scheme=scheme)
    requested = request.GET.get("version", "")
    if requested:
        number = int_param(requested, maximum=32767)
        if number is None:
            raise Http404
        version: SchemeVersion | None = _version_or_404(user, scheme, number)
    else:
        version = in_force or (versions.first() if is_manager else None)
    if version is None and not is_manager:
        raise Http404
    acknowledgement = (
        SchemeAcknowledgement.objects.filter(version=version, user=user).first() if version else None
    )
    context: dict[str, Any] = {
        "scheme": scheme,
        "version": version,
        "words": version_in_words(version) if version is not None else None,
        "versions": list(versions),
        "in_force": in_force,
        "is_manager": is_manager,
        "has_draft": scheme.versions.filter(status=SchemeVersion.Status.DRAFT).exists(),
        "acknowledgement": acknowledgement,
        "can_acknowledge": version is not None and bool(can_acknowledge_scheme(user, version)),
        "status": (
            scheme_acknowledgement_status(version)
            if version is not None and version.is_published and (is_manager or can_see_everyone(user))
            else None
        ),
    }
    return render(request, "assessment/scheme_detail.html", context)


@login_required
@require_POST
def scheme_draft_create(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """Open a draft of the next version, copied from the latest one."""
    user = _require_manager(request)
    scheme = get_object_or_404(Scheme, pk=scheme_id)
    try:
        draft = scheme_version_draft_create(actor=user, scheme=scheme)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("assessment:scheme_detail", scheme_id=scheme.pk)
    messages.success(request, _("Version %(number)s was opened as a draft.") % {"number": draft.number})
    return redirect("assessment:scheme_version_edit", scheme_id=scheme.pk, number=draft.number)


@login_required
def scheme_version_edit(request: HttpRequest, scheme_id: int, number: int) -> HttpResponse:
    """Edit a draft whole; a refusal is shown on the box or field at fault, with what was typed kept."""
    user = _require_manager(request)
    version = _draft_or_404(user, scheme_id, number)
    form = SchemeVersionForm(request.POST or None, initial=SchemeVersionForm.initial_from(version))
    if request.method == "POST" and form.is_valid():
        try:
            scheme_version_draft_update(actor=user, version=version, content=form.content())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect(_detail_url(version))
    return render(request, "assessment/scheme_version_form.html", {"form": form, "version": version})


def _detail_url(version: SchemeVersion) -> str:
    from django.urls import reverse

    return reverse("assessment:scheme_detail", kwargs={"scheme_id": version.scheme_id}) + (
        f"?version={version.number}"
    )


@login_required
def scheme_version_publish_view(request: HttpRequest, scheme_id: int, number: int) -> HttpResponse:
    """Confirm, then publish a draft (it supersedes the version in force)."""
    user = _require_manager(request)
    version = _draft_or_404(user, scheme_id, number)
    error_message = ""
    if request.method == "POST":
        try:
            scheme_version_publish(actor=user, version=version)
        except DomainError as error:
            error_message = str(error.message)
        else:
            messages.success(request, _("Version %(number)s was published.") % {"number": number})
            return redirect(_detail_url(version))
    context = {
        "version": version,
        "in_force": scheme_version_in_force(scheme=version.scheme),
        "error_message": error_message,
    }
    return render(request, "assessment/scheme_publish.html", context)


@login_required
@require_POST
def scheme_version_discard(request: HttpRequest, scheme_id: int, number: int) -> HttpResponse:
    """Delete a draft."""
    user = _require_manager(request)
    version = _draft_or_404(user, scheme_id, number)
    try:
        scheme_version_draft_discard(actor=user, version=version)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The draft was discarded."))
    return redirect("assessment:scheme_detail", scheme_id=scheme_id)


@login_required
@require_POST
def scheme_acknowledge_view(request: HttpRequest, scheme_id: int, number: int) -> HttpResponse:
    """Record that the signed-in member of staff acknowledges a published version that covers him."""
    user = _require_staff(request)
    version = _version_or_404(user, get_object_or_404(Scheme, pk=scheme_id), number)
    decision = can_acknowledge_scheme(user, version)
    if not decision:
        raise PermissionDenied
    try:
        scheme_acknowledge(actor=user, version=version)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Thank you: your acknowledgement was recorded."))
    return redirect(_detail_url(version))
