from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "charter.improvement"
    label = "improvement"
    verbose_name = _("Corrective and preventive actions")

    def ready(self) -> None:
        # The corrective action e-mails' templates, the actions opened from a violation on its page, and the
        # reader's items due on the desk home.
        from charter.accounts.tiles import desk_tiles
        from charter.conduct.panels import violation_panel_register
        from charter.improvement.mailing import templates_register
        from charter.improvement.panels import desk_action_item_tiles, violation_actions_panel

        templates_register()
        violation_panel_register(violation_actions_panel)
        desk_tiles.register(desk_action_item_tiles, order=50)
        # What this app holds about a customer, for his access export and his erasure.
        from charter.improvement.privacy import privacy_register

        privacy_register()
