"""Training: trainers write courses, question banks and sessions, assign courses, grade short answers and see
everyone's training records; administrators may do the same. Supervisors see and assign within their teams
without a permission (their scope), and every staff member takes his own training."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

PERMISSIONS = [
    "training.manage_course",
    "training.assign_course",
    "training.grade_answer",
    "training.view_training_records",
]
GRANTS = {Role.TRAINER: PERMISSIONS, Role.ADMINISTRATOR: PERMISSIONS}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
