"""Panels of cases: the registry other apps fill on the customer's case page (tracking link and portal), e.g.
the survey link; and the panel cases adds to the catalogue's public service page."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from charter.cases.models import Case
from charter.catalog.models import Service
from charter.common.panels import Panels

customer_case_panels: Panels[Case] = Panels()


def service_contact_panel(request: HttpRequest, service: Service) -> str:
    """On the public service page: ask, request or complain about this service, with it chosen already."""
    return render_to_string("cases/_service_contact_panel.html", {"service": service}, request=request)
