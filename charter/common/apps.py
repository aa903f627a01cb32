from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "charter.common"
    label = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from huey.contrib.djhuey import HUEY

        from charter.common import checks  # noqa: F401 - registers the deployment checks
        from charter.common.logging import task_hooks_register
        from charter.common.metrics import huey_metrics_register
        from charter.common.sessions import session_folder_ensure

        session_folder_ensure()

        # The request id into the tasks a request enqueues, and the count of failed tasks for /metrics.
        task_hooks_register(HUEY)
        huey_metrics_register(HUEY)
