"""The keyword-search index table, in the form each database supports (see charter/cases/search.py)."""

from django.db import migrations

from charter.cases.search import DROP, POSTGRESQL_CREATE, SQLITE_CREATE


def create(apps, schema_editor):
    schema_editor.execute(POSTGRESQL_CREATE if schema_editor.connection.vendor == "postgresql" else SQLITE_CREATE)


def drop(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_roles")]
    operations = [migrations.RunPython(create, drop)]
