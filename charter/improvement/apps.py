from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "charter.improvement"
    label = "improvement"
    verbose_name = _("Corrective and preventive actions")

    def ready(self) -> None:
        # The corrective action e-mails' templates, and the actions opened from a violation on its page.
        from charter.conduct.panels import violation_panel_register
        from charter.improvement.mailing import templates_register
        from charter.improvement.panels import violation_actions_panel

        templates_register()
        violation_panel_register(violation_actions_panel)
