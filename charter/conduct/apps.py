from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "charter.conduct"
    label = "conduct"
    verbose_name = _("Conduct and discipline")

    def ready(self) -> None:
        # The notices to the staff member are mail templates administrators may edit.
        from charter.conduct.mailing import templates_register

        templates_register()
