"""Grant the standards' permissions to the roles: administrators manage the standards, every member of staff
reads them and acknowledges the code of conduct, supervisors see who in their teams has."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

READ = [
    "standards.view_standarddocument",
    "standards.view_standardversion",
    "standards.view_standardclause",
    "standards.add_standardacknowledgement",
]
MANAGE = [
    f"standards.{verb}_{model}"
    for model in ("standarddocument", "standardversion", "standardclause")
    for verb in ("add", "change", "delete")
]
GRANTS = {
    Role.AGENT: READ,
    Role.QA_REVIEWER: READ,
    Role.TRAINER: READ,
    Role.SUPERVISOR: READ + ["standards.view_acknowledgement_report", "standards.view_standardacknowledgement"],
    Role.ADMINISTRATOR: READ
    + MANAGE
    + [
        "standards.manage_standards",
        "standards.view_acknowledgement_report",
        "standards.view_standardacknowledgement",
    ],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
