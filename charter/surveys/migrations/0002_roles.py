"""Survey results have their own permission: supervisors, QA reviewers and administrators see them;
administrators configure surveys. Agents see their own results through the pages that show them."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.SUPERVISOR: ["surveys.view_results", "surveys.view_recoverytask", "surveys.change_recoverytask"],
    Role.QA_REVIEWER: ["surveys.view_results"],
    Role.ADMINISTRATOR: [
        "surveys.view_results",
        "surveys.manage_surveys",
        "surveys.view_recoverytask",
        "surveys.change_recoverytask",
    ],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
