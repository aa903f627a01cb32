from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "charter.standards"
    label = "standards"
    verbose_name = _("Standards")

    def ready(self) -> None:
        # The versions awaiting the reader's acknowledgement, on the desk home.
        from charter.accounts.tiles import desk_tiles
        from charter.standards.panels import desk_acknowledgement_tiles

        desk_tiles.register(desk_acknowledgement_tiles, order=60)
