"""Assessment: administrators write schemes, run and approve cycles and see every scorecard; QA reviewers and
administrators decide appeals (someone who neither scored nor approved the scorecard, checked per appeal).
Supervisors score their own teams without a permission (they are the scorecard's assessor)."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.QA_REVIEWER: ["assessment.decide_appeal"],
    Role.ADMINISTRATOR: [
        "assessment.manage_scheme",
        "assessment.run_cycle",
        "assessment.approve_cycle",
        "assessment.decide_appeal",
        "assessment.view_all_scorecards",
        "assessment.export_ledger",
    ],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
