from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "charter.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction")

    def ready(self) -> None:
        # The survey link on the customer's case page, the survey e-mails' templates, and the follow-ups
        # waiting for the reader on the desk home, with the bad reviews of his own work (好差评).
        from charter.accounts.tiles import desk_tiles
        from charter.cases.panels import customer_case_panels
        from charter.surveys.mailing import templates_register
        from charter.surveys.panels import desk_recovery_tiles, desk_review_tiles
        from charter.surveys.views import tracking_panel

        templates_register()
        customer_case_panels.register(tracking_panel)
        desk_tiles.register(desk_recovery_tiles, order=20)
        desk_tiles.register(desk_review_tiles, order=21)
        # The customer's free text in survey answers is anonymised after its retention period.
        from charter.surveys.retention import retention_rules_register

        retention_rules_register()
        # What this app holds about a customer, for his access export and his erasure.
        from charter.surveys.privacy import privacy_register

        privacy_register()
