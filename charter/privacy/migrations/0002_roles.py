from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.SUPERVISOR: ["privacy.reveal_personal_data"],
    Role.ADMINISTRATOR: ["privacy.reveal_personal_data"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
