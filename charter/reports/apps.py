from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "charter.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # "Promises kept" on the public service page; the catalogue does not know this app.
        from charter.catalog.panels import service_panel_register
        from charter.reports.views import service_figures_panel

        service_panel_register(service_figures_panel)
        # The monthly report's e-mail to its subscribers.
        from charter.reports.mailing import templates_register

        templates_register()
