from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "charter.training"
    label = "training"
    verbose_name = _("Training and certification")

    def ready(self) -> None:
        # Registrations of training in the registries of lower apps (signals, indicators, tiles) are added
        # here by the modules that own them.
        pass
