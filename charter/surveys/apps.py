from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "charter.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction")

    def ready(self) -> None:
        # The survey link on the customer's case page, and the survey e-mails' templates.
        from charter.cases.panels import customer_case_panels
        from charter.surveys.mailing import templates_register
        from charter.surveys.views import tracking_panel

        templates_register()
        customer_case_panels.register(tracking_panel)
