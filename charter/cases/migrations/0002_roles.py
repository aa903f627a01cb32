"""Grant the cases' permissions to the roles: agents work the cases of their teams, supervisors also assign,
merge and see team statistics, administrators see every case and configure categories, routing and canned
responses. Customers get nothing: they act on their own cases through their own records."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

AGENT = [
    "cases.view_case",
    "cases.add_case",
    "cases.change_case",
    "cases.assign_case",
    "cases.resolve_case",
    "cases.merge_case",
    "cases.add_internal_note",
    "cases.view_casemessage",
    "cases.add_casemessage",
    "cases.view_caseattachment",
    "cases.add_caseattachment",
    "cases.view_caseevent",
    "cases.view_caseclock",
    "cases.view_casecategory",
    "cases.view_cannedresponse",
]
SUPERVISOR = AGENT + ["cases.view_case_stats", "cases.view_teamrouting"]
CONFIGURE = [
    f"cases.{verb}_{model}"
    for model in ("casecategory", "cannedresponse", "teamrouting")
    for verb in ("add", "change", "delete", "view")
]
ADMINISTRATOR = SUPERVISOR + CONFIGURE + ["cases.view_all_cases", "cases.configure_cases"]
GRANTS = {
    Role.AGENT: AGENT,
    Role.SUPERVISOR: SUPERVISOR,
    Role.ADMINISTRATOR: sorted(set(ADMINISTRATOR)),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
