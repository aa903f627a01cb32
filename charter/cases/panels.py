"""Panels other apps add to the customer's case page (tracking link and portal), e.g. the survey link."""

from charter.cases.models import Case
from charter.common.panels import Panels

customer_case_panels: Panels[Case] = Panels()
