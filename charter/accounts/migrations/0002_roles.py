"""Create the role groups and grant them the permissions of accounts."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

CUSTOMER_PERMISSIONS = ["accounts.view_customer", "accounts.add_customer", "accounts.change_customer"]
GRANTS = {
    Role.CUSTOMER: [],
    Role.AGENT: CUSTOMER_PERMISSIONS + ["accounts.view_team", "accounts.view_orgunit"],
    Role.SUPERVISOR: CUSTOMER_PERMISSIONS + ["accounts.view_team", "accounts.view_orgunit", "accounts.view_user"],
    Role.QA_REVIEWER: ["accounts.view_customer", "accounts.view_team", "accounts.view_user"],
    Role.TRAINER: ["accounts.view_team", "accounts.view_user"],
    Role.ADMINISTRATOR: [
        f"accounts.{verb}_{model}"
        for model in ("user", "team", "teammembership", "orgunit", "customer", "customerorganisation")
        for verb in ("view", "add", "change", "delete")
    ],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
