"""Findings of the reply checks: QA reviewers and administrators see every team's, supervisors their teams';
administrators configure the checks. Agents see their own findings without a permission."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.SUPERVISOR: ["quality.view_findings"],
    Role.QA_REVIEWER: ["quality.view_findings", "quality.view_all_findings"],
    Role.ADMINISTRATOR: ["quality.view_findings", "quality.view_all_findings", "quality.manage_checks"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("quality", "0002_defaults"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
