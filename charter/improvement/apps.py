from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "charter.improvement"
    label = "improvement"
    verbose_name = _("Corrective and preventive actions")

    def ready(self) -> None:
        # The corrective action e-mails' templates.
        from charter.improvement.mailing import templates_register

        templates_register()
