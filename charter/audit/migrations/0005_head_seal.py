"""Seal the chain's head: its last sequence and hash, HMAC'd under CHARTER_AUDIT_KEY, so that cutting events
off the end of the chain and moving the head back with SQL no longer verifies. The existing head is sealed."""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import migrations, models


def seal_head(apps: Any, schema_editor: Any) -> None:
    head_model = apps.get_model("audit", "AuditChainHead")
    key = settings.CHARTER_AUDIT_KEY
    key = key if isinstance(key, bytes) else str(key).encode()
    for head in head_model.objects.all():
        message = f"charter-audit-head:{head.last_sequence}:{head.last_hash}"
        head.seal = hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
        head.save(update_fields=["seal"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_keyed_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="seal",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(seal_head, migrations.RunPython.noop, elidable=False),
    ]
