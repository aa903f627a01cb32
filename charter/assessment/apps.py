from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "charter.assessment"
    label = "assessment"
    verbose_name = _("Staff assessment and incentives")

    def ready(self) -> None:
        # The reader's assessment work on the desk home; the mail to those a step waits for are templates
        # administrators may edit.
        from charter.accounts.tiles import desk_tiles
        from charter.assessment.mailing import templates_register
        from charter.assessment.panels import desk_assessment_tiles

        templates_register()
        desk_tiles.register(desk_assessment_tiles, order=60)
