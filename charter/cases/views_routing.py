"""The team routing pages: the list of teams with how each receives cases, and each team's settings page:
how a team receives cases (its mode, the services routed to it, whether it is the default team) and the
qualification its handlers must hold; and, below the form, who of its members is not routed which cases and
why ("the desk says why": a certificate expired on a date, or none).

Administrators who configure cases (`can_configure_cases`) open them (the desk menu's settings link to the
list); others are refused (403).
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from charter.accounts.models import Qualification, Team
from charter.accounts.requests import request_staff
from charter.cases.models import TeamRouting
from charter.cases.permissions import can_configure_cases
from charter.cases.services.config import team_routing_set
from charter.cases.services.routing import routing_exclusion_text, routing_exclusions
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.pages import page_rule
from charter.common.vocabulary import CaseKind


class TeamRoutingForm(forms.Form):
    mode = forms.ChoiceField(label=_("assignment"), choices=TeamRouting.Mode.choices)
    services = forms.ModelMultipleChoiceField(
        label=_("services"), queryset=Service.objects.order_by("slug"), required=False
    )
    is_default = forms.BooleanField(label=_("default team"), required=False)
    required_qualification = forms.ModelChoiceField(
        label=_("qualification required"),
        queryset=Qualification.objects.order_by("code"),
        required=False,
        help_text=_("Only staff holding a valid certificate for it are routed this team's cases."),
    )
    qualification_for_complaints_only = forms.BooleanField(
        label=_("required for complaints only"),
        required=False,
        help_text=_("The qualification is required for the team's complaints, not for its other cases."),
    )


def _why(team: Team) -> list[tuple[str, str]]:
    """Each member left out of some cases of the team and why, for complaints (the strictest) and for the
    services routed to it that require a qualification; one line per member and qualification."""
    routing = TeamRouting.objects.filter(team=team).prefetch_related("services").first()
    seen: set[tuple[int, int]] = set()
    lines: list[tuple[str, str]] = []
    services: list[Service | None] = [None]
    if routing is not None:
        services += [s for s in routing.services.all() if s.required_qualification_id is not None]
    for service in services:
        for member, qualification, last in routing_exclusions(
            team=team, service=service, kind=CaseKind.COMPLAINT
        ):
            if (member.pk, qualification.pk) not in seen:
                seen.add((member.pk, qualification.pk))
                lines.append((str(member), routing_exclusion_text(qualification, last)))
    return lines


def _routing_of(team: Team) -> TeamRouting | None:
    try:
        return team.case_routing
    except TeamRouting.DoesNotExist:
        return None


@page_rule(can_configure_cases)
@require_http_methods(["GET"])
def team_routing_list(request: HttpRequest) -> HttpResponse:
    """The teams, active first, each with its mode, whether it is the default team, the services routed to it
    and the qualification it requires: where administrators find a team's routing settings."""
    request_staff(request)
    teams = Team.objects.select_related("case_routing__required_qualification").prefetch_related(
        "case_routing__services"
    )
    rows = [(team, _routing_of(team)) for team in teams.order_by("-is_active", "code")]
    return render(request, "cases/desk_team_routing_list.html", {"rows": rows})


@page_rule(can_configure_cases)
@require_http_methods(["GET", "POST"])
def team_routing(request: HttpRequest, team_id: int) -> HttpResponse:
    """Set how the team receives cases and the qualification it requires; say who is not routed what."""
    user = request_staff(request)
    team = get_object_or_404(Team, pk=team_id)
    routing = TeamRouting.objects.filter(team=team).first()
    initial = (
        {
            "mode": routing.mode,
            "services": list(routing.services.all()),
            "is_default": routing.is_default,
            "required_qualification": routing.required_qualification,
            "qualification_for_complaints_only": routing.qualification_for_complaints_only,
        }
        if routing is not None
        else {"mode": TeamRouting.Mode.MANUAL}
    )
    form = TeamRoutingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team_routing_set(
                actor=user,
                team=team,
                mode=data["mode"],
                services=data["services"],
                is_default=data["is_default"],
                required_qualification=data["required_qualification"],
                qualification_for_complaints_only=data["qualification_for_complaints_only"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The team's routing was saved."))
            return redirect("cases:team_routing", team_id=team.pk)
    return render(request, "cases/desk_team_routing.html", {"team": team, "form": form, "why": _why(team)})
