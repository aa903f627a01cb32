from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "charter.mail"
    label = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        # Data-subject requests' mails: privacy decides what is sent, the mail app renders and queues it.
        from charter.mail.data_requests import data_request_mail_register

        data_request_mail_register()
        # The notice of a change to someone's second factor: accounts decides when, mail renders and queues.
        from charter.mail.accounts_mail import second_factor_mail_register

        second_factor_mail_register()
        # Retention of raw inbound copies, the quarantine and the delivery log (privacy runs the schedules).
        from charter.mail.retention import retention_rules_register

        retention_rules_register()
        # What this app holds about a customer, for his access export and his erasure.
        from charter.mail.privacy import privacy_register

        privacy_register()
        # Mails sent and failed, for /metrics.
        from charter.common.metrics import metric_sources
        from charter.mail.metrics import mail_metrics

        metric_sources.register(mail_metrics)
