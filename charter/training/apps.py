from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "charter.training"
    label = "training"
    verbose_name = _("Training and certification")

    def ready(self) -> None:
        # Registrations of training in the registries of lower apps (signals, indicators, tiles) are added
        # here by the modules that own them.
        from charter.training.mailing_assignments import templates_register as assignment_templates_register
        from charter.training.signals import signals_register

        assignment_templates_register()

        from charter.training.mailing_certificates import templates_register as certificate_templates_register

        certificate_templates_register()
        signals_register()

        from charter.accounts.tiles import desk_tiles
        from charter.training.panels import desk_training_tiles

        desk_tiles.register(desk_training_tiles, order=55)
