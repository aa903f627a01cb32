"""QA reviews: QA reviewers review any team's cases, see every review and run calibration; supervisors
review and decide disputes for the teams they lead; administrators manage scorecards and sampling rules and
see every review. Agents see their own reviews without a permission."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

GRANTS = {
    Role.SUPERVISOR: ["quality.review_cases", "quality.view_team_reviews", "quality.decide_disputes"],
    Role.QA_REVIEWER: [
        "quality.review_cases",
        "quality.view_all_reviews",
        "quality.decide_disputes",
        "quality.run_calibration",
    ],
    Role.ADMINISTRATOR: ["quality.manage_scorecards", "quality.view_all_reviews", "quality.run_calibration"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_scorecards_reviews")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
