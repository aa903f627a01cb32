"""The routing change stamp: triggers replace it on every change routing reads (see charter.common.stamps).

Routing of a new case reads the teams, their units, their members, their routings and the services routed
to them, and the users' active flag; the round robin's own bookkeeping (`last_assigned`) is left out, as
are the users' other columns (a sign-in must not empty every process's cache).
"""

from django.db import migrations

from charter.common.stamps import stamp_triggers_create, stamp_triggers_drop

NAME = "routing"


def _tables(apps):
    routing = apps.get_model("cases", "TeamRouting")
    return {
        routing._meta.db_table: (
            "team_id",
            "mode",
            "is_default",
            "required_qualification_id",
            "qualification_for_complaints_only",
        ),
        routing._meta.get_field("services").remote_field.through._meta.db_table: None,
        apps.get_model("accounts", "Team")._meta.db_table: None,
        apps.get_model("accounts", "TeamMembership")._meta.db_table: None,
        apps.get_model("accounts", "OrgUnit")._meta.db_table: None,
        apps.get_model("accounts", "User")._meta.db_table: ("is_active",),
    }


def create(apps, schema_editor):
    stamp_triggers_create(schema_editor, name=NAME, tables=_tables(apps))


def drop(apps, schema_editor):
    stamp_triggers_drop(schema_editor, name=NAME, tables=_tables(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_search_positions"),
        ("common", "0004_change_stamp"),
        ("accounts", "0005_api_tokens_from_drf"),
    ]
    operations = [migrations.RunPython(create, drop)]
