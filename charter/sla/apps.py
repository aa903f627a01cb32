from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "charter.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        # Privacy counts data-subject requests' deadlines in working days by the default business calendar.
        from charter.privacy.registry import working_days_register
        from charter.sla.deadlines import add_working_days
        from charter.sla.selectors import calendar_for_team

        working_days_register(lambda start, days: add_working_days(calendar_for_team(team=None), start, days))
