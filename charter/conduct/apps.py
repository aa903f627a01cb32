from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "charter.conduct"
    label = "conduct"
    verbose_name = _("Conduct and discipline")

    def ready(self) -> None:
        # The notices to the staff member are mail templates administrators may edit; the violations
        # waiting for the reader are tiles on the desk home.
        from charter.accounts.tiles import desk_tiles
        from charter.conduct.mailing import templates_register
        from charter.conduct.panels import desk_violation_tiles

        templates_register()
        desk_tiles.register(desk_violation_tiles, order=40)
        # What this app holds about a customer, for his access export and his erasure.
        from charter.conduct.privacy import privacy_register

        privacy_register()
