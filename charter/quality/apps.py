from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class QualityConfig(AppConfig):
    name = "charter.quality"
    label = "quality"
    verbose_name = pgettext_lazy("app", "Quality")

    def ready(self) -> None:
        # Every staff reply is checked before it is sent; an override's reason is kept for the findings.
        from charter.accounts.tiles import desk_tiles
        from charter.cases.checks import reply_checker_register, reply_override_listener_register
        from charter.quality.mailing import templates_register
        from charter.quality.panels import desk_review_tiles
        from charter.quality.services import reply_override_record, reply_warnings

        templates_register()
        reply_checker_register(reply_warnings)
        reply_override_listener_register(reply_override_record)
        # The reviews and disputes waiting for the reader, on the desk home.
        desk_tiles.register(desk_review_tiles, order=30)
        # What this app holds about a customer, for his access export and his erasure.
        from charter.quality.privacy import privacy_register

        privacy_register()
