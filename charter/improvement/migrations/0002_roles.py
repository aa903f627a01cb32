"""Corrective actions: supervisors open them and manage those of the teams they lead, QA reviewers open them,
administrators see and manage all. Owners and item owners work on their own without a permission."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.SUPERVISOR: ["improvement.open_corrective_action", "improvement.manage_team_corrective_actions"],
    Role.QA_REVIEWER: ["improvement.open_corrective_action"],
    Role.ADMINISTRATOR: [
        "improvement.open_corrective_action",
        "improvement.manage_team_corrective_actions",
        "improvement.manage_all_corrective_actions",
    ],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("improvement", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
