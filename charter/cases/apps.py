from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "charter.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Cases turns inbound e-mail into cases and sends its notifications through the mail app.
        from charter.cases.mailing import templates_register
        from charter.cases.panels import service_contact_panel
        from charter.cases.services.mail_intake import case_mail_receive
        from charter.cases.webhooks import events_register
        from charter.catalog.panels import service_panel_register
        from charter.mail.inbound import inbound_handler_set

        templates_register()
        events_register()
        inbound_handler_set(case_mail_receive)
        # First on the public service page (cases is ready before the apps that add figures).
        service_panel_register(service_contact_panel)
        # The reader's work queues, counted first on the desk home.
        from charter.accounts.tiles import desk_tiles
        from charter.cases.panels import desk_case_tiles

        desk_tiles.register(desk_case_tiles, order=10)
        # The customer record (accounts) lists the customer's cases, and shows the handler of his open case
        # his name, phone and e-mail.
        from charter.accounts.panels import customer_contact_rule_register, customer_panels
        from charter.cases.services.contact import customer_contact_grant
        from charter.cases.views_desk import customer_cases_panel

        customer_panels.register(customer_cases_panel)
        customer_contact_rule_register(customer_contact_grant)
        # Closed cases' text is anonymised after its retention period; held cases' mail threads are kept.
        from charter.cases.retention import retention_rules_register

        retention_rules_register()
        # What this app holds about a customer, for his access export and his erasure.
        from charter.cases.privacy import privacy_register

        privacy_register()
        # SLA warnings and breaches fired, for /metrics.
        from charter.cases.metrics import sla_metrics
        from charter.common.metrics import metric_sources

        metric_sources.register(sla_metrics)
