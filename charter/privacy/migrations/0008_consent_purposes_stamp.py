"""The consent purposes' change stamp: every intake records consent per purpose, and reads the purposes
from a per-process cache that triggers on their table keep honest (charter.common.stamps)."""

from django.db import migrations

from charter.common.stamps import stamp_triggers_create, stamp_triggers_drop

NAME = "consent_purposes"


def _tables(apps):
    return {apps.get_model("privacy", "ConsentPurpose")._meta.db_table: None}


def create(apps, schema_editor):
    stamp_triggers_create(schema_editor, name=NAME, tables=_tables(apps))


def drop(apps, schema_editor):
    stamp_triggers_drop(schema_editor, name=NAME, tables=_tables(apps))


class Migration(migrations.Migration):
    dependencies = [("privacy", "0007_export_random_name"), ("common", "0004_change_stamp")]
    operations = [migrations.RunPython(create, drop)]
