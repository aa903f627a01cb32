from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "charter.assessment"
    label = "assessment"
    verbose_name = _("Staff assessment and incentives")

    def ready(self) -> None:
        # The reader's assessment work on the desk home.
        from charter.accounts.tiles import desk_tiles
        from charter.assessment.panels import desk_assessment_tiles

        desk_tiles.register(desk_assessment_tiles, order=60)
