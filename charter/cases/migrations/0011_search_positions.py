"""Rewrite every case's search row with its tokens in order and their positions, so that a query's pairs
must stand adjacent and in order (see charter/cases/search.py). Rows written before held each token once,
without positions, and would match no phrase."""

from django.db import migrations

from charter.cases.search import case_search_reindex_all


def reindex(apps, schema_editor):
    case_search_reindex_all(using=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_intake_submission")]
    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
