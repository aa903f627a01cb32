from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "charter.assessment"
    label = "assessment"
    verbose_name = _("Staff assessment and incentives")
