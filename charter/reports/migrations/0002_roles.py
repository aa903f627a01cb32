"""Grant the reports permissions to the roles: administrators choose which performance figures are public."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {Role.ADMINISTRATOR: ["reports.manage_disclosure"]}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
