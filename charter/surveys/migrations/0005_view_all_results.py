"""Survey results follow the reader's scope like every other page: a supervisor sees the teams under the
units he leads; QA reviewers and administrators see every team, by the new surveys.view_all_results."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.QA_REVIEWER: ["surveys.view_all_results"],
    Role.ADMINISTRATOR: ["surveys.view_all_results"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_shared_version_lifecycle"), ("accounts", "0002_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="survey",
            options={
                "ordering": ["code"],
                "permissions": [
                    ("view_results", "Can see survey results"),
                    ("view_all_results", "Can see the survey results of every team"),
                    ("manage_surveys", "Can configure surveys, rules and campaigns"),
                ],
                "verbose_name": "survey",
                "verbose_name_plural": "surveys",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
