"""Grant the SLA permissions to the roles: every member of staff reads calendars and policies, administrators
configure them."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

READ = [
    "sla.view_businesscalendar",
    "sla.view_workinginterval",
    "sla.view_calendarday",
    "sla.view_slacalendarassignment",
    "sla.view_slapolicy",
    "sla.view_slapolicytarget",
]
MANAGE = [
    f"sla.{verb}_{model}"
    for model in (
        "businesscalendar",
        "workinginterval",
        "calendarday",
        "slacalendarassignment",
        "slapolicy",
        "slapolicytarget",
    )
    for verb in ("add", "change", "delete")
]
GRANTS = {
    Role.AGENT: READ,
    Role.SUPERVISOR: READ,
    Role.QA_REVIEWER: READ,
    Role.TRAINER: READ,
    Role.ADMINISTRATOR: READ + MANAGE + ["sla.manage_sla"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
