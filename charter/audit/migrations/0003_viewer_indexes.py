"""Indexes for the audit viewer: each filter's column followed by the sequence, so a page of one person's,
one action's or one object type's events, newest first, is a single index range read backwards.

The single-column indexes of actor and target_type lead the new ones and are dropped by name rather than by
AlterField, which on SQLite would copy the whole chain into a new table twice.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The names Django gave them in 0001 (and, on PostgreSQL, target_type's varchar_pattern_ops twin).
REDUNDANT = {
    "audit_auditevent_actor_id_270bb4b7": ("actor_id", False),
    "audit_auditevent_target_type_e9fbc076": ("target_type", False),
    "audit_auditevent_target_type_e9fbc076_like": ("target_type", True),
}


def drop_redundant(apps: object, schema_editor: object) -> None:
    for name, (_column, pattern) in REDUNDANT.items():
        if pattern and schema_editor.connection.vendor != "postgresql":  # type: ignore[attr-defined]
            continue
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')  # type: ignore[attr-defined]


def restore_redundant(apps: object, schema_editor: object) -> None:
    for name, (column, pattern) in REDUNDANT.items():
        if pattern and schema_editor.connection.vendor != "postgresql":  # type: ignore[attr-defined]
            continue
        operator_class = " varchar_pattern_ops" if pattern else ""
        schema_editor.execute(  # type: ignore[attr-defined]
            f'CREATE INDEX "{name}" ON "audit_auditevent" ("{column}"{operator_class})'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_head_and_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "sequence"], name="audit_action_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "sequence"], name="audit_actor_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["target_type", "sequence"], name="audit_type_seq_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="target_type",
                    field=models.CharField(blank=True, max_length=100, verbose_name="object type"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_redundant, restore_redundant)],
        ),
    ]
