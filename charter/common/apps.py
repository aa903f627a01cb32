from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "charter.common"
    label = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from charter.common import checks  # noqa: F401 - registers the deployment checks
