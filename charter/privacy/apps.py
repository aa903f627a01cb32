from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "charter.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        # Privacy's own rows are a personal data source like the other apps' (export and erasure).
        from charter.privacy.exports import privacy_source_register

        privacy_source_register()

        # Access exports are deleted some time after the request was answered.
        from charter.privacy.retention_exports import retention_rules_register

        retention_rules_register()

        from charter.accounts.tiles import desk_tiles
        from charter.privacy.panels import desk_privacy_tiles

        desk_tiles.register(desk_privacy_tiles, order=80)
