"""The SLA configuration's change stamp moves to `common.ChangeStamp`, which every cached configuration
shares (charter.common.stamps): the old triggers and table go, the same tables get the shared triggers."""

import importlib

from django.db import migrations

from charter.common.stamps import stamp_triggers_create, stamp_triggers_drop

NAME = "sla"
OLD = importlib.import_module("charter.sla.migrations.0003_configstamp")


def _tables(apps):
    return dict.fromkeys(OLD._tables(apps))


def forwards(apps, schema_editor):
    OLD.drop(apps, schema_editor)
    stamp_triggers_create(schema_editor, name=NAME, tables=_tables(apps))


def backwards(apps, schema_editor):
    stamp_triggers_drop(schema_editor, name=NAME, tables=_tables(apps))
    OLD.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_configstamp"), ("common", "0004_change_stamp")]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ConfigStamp"),
    ]
