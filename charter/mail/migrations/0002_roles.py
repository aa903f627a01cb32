"""Administrators configure mailboxes, templates and webhooks and look after the quarantine and the log."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

MODELS = ("mailbox", "inboundmessage", "mailtemplate", "outboundmessage", "webhookendpoint", "webhookdelivery")
GRANTS = {
    Role.ADMINISTRATOR: [f"mail.view_{model}" for model in MODELS] + ["mail.manage_mail"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
