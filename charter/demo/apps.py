from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo installation: it sits above every domain app and loads each one's demo data in order."""

    name = "charter.demo"
    label = "demo"
    verbose_name = _("Demo data")
