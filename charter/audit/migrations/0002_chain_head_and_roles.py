from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant


def setup(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)
    role_permissions_grant(apps, schema_editor, {Role.ADMINISTRATOR: ["audit.view_audit_trail", "audit.view_auditevent"]})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
