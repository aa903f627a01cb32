"""Supervisors record violations and decide steps for the staff of their teams; administrators see every
team's, configure the ladder and approve steps as the second approver. There is no HR role: the HR approval
permission goes to administrators and can be given to any other group."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.SUPERVISOR: ["conduct.record_violation", "conduct.decide_violation"],
    Role.ADMINISTRATOR: [
        "conduct.record_violation",
        "conduct.decide_violation",
        "conduct.view_all_violations",
        "conduct.manage_ladder",
        "conduct.approve_discipline",
    ],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("conduct", "0002_defaults"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
