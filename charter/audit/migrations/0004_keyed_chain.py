"""Key the audit chain: events written so far keep scheme 1 (plain SHA-256) and verify as they were written;
the head seals how many they are under CHARTER_AUDIT_KEY, so no later event can pass for a legacy one."""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import migrations, models


def seal_legacy_events(apps: Any, schema_editor: Any) -> None:
    head_model = apps.get_model("audit", "AuditChainHead")
    event_model = apps.get_model("audit", "AuditEvent")
    last = event_model.objects.aggregate(last=models.Max("sequence"))["last"] or 0
    if not last:
        return
    key = settings.CHARTER_AUDIT_KEY
    key = key if isinstance(key, bytes) else str(key).encode()
    seal = hmac.new(key, f"charter-audit-legacy-until:{last}".encode(), hashlib.sha256).hexdigest()
    head, _created = head_model.objects.get_or_create(pk=1)
    head.legacy_until = last
    head.legacy_seal = seal
    head.save(update_fields=["legacy_until", "legacy_seal"])


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_viewer_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditHeadExport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.BigIntegerField(verbose_name='sequence')),
                ('hash', models.CharField(max_length=64, verbose_name='hash')),
                ('exported_at', models.DateTimeField(db_index=True, verbose_name='exported at')),
                ('destination', models.CharField(max_length=500, verbose_name='destination')),
                ('signature', models.CharField(max_length=64, verbose_name='signature')),
            ],
            options={
                'verbose_name': 'exported audit head',
                'verbose_name_plural': 'exported audit heads',
                'ordering': ['-exported_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='legacy_seal',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='legacy_until',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='scheme',
            field=models.PositiveSmallIntegerField(choices=[(1, 'SHA-256 (before the chain was keyed)'), (2, 'HMAC-SHA256 under the audit key')], default=1, verbose_name='hash scheme'),
        ),
        migrations.RunPython(seal_legacy_events, migrations.RunPython.noop, elidable=False),
    ]
