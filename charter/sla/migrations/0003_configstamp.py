"""The SLA configuration's change stamp and the triggers that replace it on every change (see ConfigStamp)."""

import secrets

from django.db import migrations, models

STAMP = "sla"
MODELS = ("BusinessCalendar", "WorkingInterval", "CalendarDay", "SlaCalendarAssignment", "SlaPolicy", "SlaPolicyTarget")
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION sla_configstamp_replace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sla_configstamp (name, value) VALUES ('sla', replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END $$;
"""


def _tables(apps):
    tables = [apps.get_model("sla", name)._meta.db_table for name in MODELS]
    tables.append(apps.get_model("sla", "SlaPolicy")._meta.get_field("services").remote_field.through._meta.db_table)
    return tables


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
    for table in _tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_configstamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION sla_configstamp_replace()"
            )
        elif vendor == "sqlite":
            for operation in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_configstamp_{operation.lower()} AFTER {operation} ON {table} BEGIN "
                    f"INSERT OR REPLACE INTO sla_configstamp (name, value) VALUES ('{STAMP}', lower(hex(randomblob(16)))); "
                    "END"
                )
        else:
            return  # another database: no triggers, no stamp row, so nothing is cached (selectors read afresh)
    apps.get_model("sla", "ConfigStamp").objects.create(name=STAMP, value=secrets.token_hex(16))


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in _tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_configstamp ON {table}")
        elif vendor == "sqlite":
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_configstamp_{operation}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS sla_configstamp_replace()")


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_roles")]
    operations = [
        migrations.CreateModel(
            name="ConfigStamp",
            fields=[
                ("name", models.CharField(max_length=50, primary_key=True, serialize=False)),
                ("value", models.CharField(max_length=64)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
