"""Grant the dashboard's permissions: supervisors see their subtree's dashboard and the monthly reports,
administrators see everything and may generate a report again."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.SUPERVISOR: ["reports.view_dashboard"],
    Role.ADMINISTRATOR: ["reports.view_dashboard", "reports.generate_monthly_report"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_monthly_report"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
