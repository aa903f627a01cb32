# A case's customer, team and assignee lose their own indexes: each leads a composite index (cases_customer_*,
# cases_team_status, cases_assignee_status) that serves the same look-ups, and every intake wrote three more
# index entries. The indexes are dropped by name (the same on SQLite and PostgreSQL), not by AlterField, which
# on SQLite would copy the whole cases table three times.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "assignee_id": "cases_case_assignee_id_28343c2e",
    "customer_id": "cases_case_customer_id_3e0cf925",
    "team_id": "cases_case_team_id_60679476",
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_tokens_from_drf"),
        ("cases", "0012_routing_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="accounts.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "cases_case" ("{column}")',
                )
                for column, name in INDEXES.items()
            ],
        )
    ]
