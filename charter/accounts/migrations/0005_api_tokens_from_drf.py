"""Turn the API tokens of Django REST framework's authtoken app (kept in clear) into hashed ApiToken rows.

Each key becomes a token named "migrated" stored as its SHA-256, so clients keep working, lasting
CHARTER_API_TOKEN_DAYS from now; the clear keys are then deleted. authtoken is no longer installed, so its
table is read with SQL when it exists (a database made before this change) and left empty.
"""

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone

DRF_TABLE = "authtoken_token"


def tokens_from_drf(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    api_token = apps.get_model("accounts", "ApiToken")
    table = connection.ops.quote_name(DRF_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {table}")  # noqa: S608 (a constant name)
        rows = cursor.fetchall()
    expires_at = timezone.now() + timedelta(days=settings.CHARTER_API_TOKEN_DAYS)
    for key, user_id, created in rows:
        digest = hashlib.sha256(key.encode()).hexdigest()
        if api_token.objects.filter(digest=digest).exists():
            continue
        token = api_token.objects.create(
            user_id=user_id, name="migrated", prefix=key[:6], digest=digest, expires_at=expires_at
        )
        if created is not None:
            api_token.objects.filter(pk=token.pk).update(created_at=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a constant name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_privacy_and_tokens"),
    ]

    operations = [
        migrations.RunPython(tokens_from_drf, migrations.RunPython.noop),
    ]
