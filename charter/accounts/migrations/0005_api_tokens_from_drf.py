"""Turn the API tokens of Django REST framework's authtoken app (kept in clear) into hashed ApiToken rows.

Each key becomes a token named "migrated" stored as its SHA-256, so clients keep working, lasting
CHARTER_API_TOKEN_DAYS from now; the clear keys are then deleted. authtoken is no longer installed, so its
table is read with SQL when it exists (a database made before this change) and left empty.

A key of someone who must use a second factor (superusers, the admin site's staff, administrators, holders of
a SECOND_FACTOR_PERMISSIONS right through a role or directly) is not carried forward: the token endpoint no
longer gives him a token for a password alone, so a key made that way must not outlive the change. It is
kept as an already revoked row (reason "second_factor_required") so he and the admin see what happened.
"""

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.models import Q
from django.utils import timezone

DRF_TABLE = "authtoken_token"

# A copy of charter.accounts.permissions.SECOND_FACTOR_PERMISSIONS and Role.ADMINISTRATOR as they were when
# this migration was written: a migration must not import predicates that need the live models. Keep it as is
# (later additions to the live list are enforced at sign-in; this decides only which old keys survive).
SECOND_FACTOR_PERMISSIONS = (
    "conduct.decide_violation",
    "conduct.approve_discipline",
    "conduct.manage_ladder",
    "conduct.view_all_violations",
    "privacy.manage_data_requests",
    "privacy.manage_retention",
    "privacy.reveal_personal_data",
    "privacy.view_personal_data_log",
)
ADMINISTRATOR_ROLE = "administrator"
REVOKED_REASON = "second_factor_required"


def _second_factor_user_ids(apps: Any) -> set[int]:
    """The ids of users who would need a second factor, from the historical models."""
    user = apps.get_model("accounts", "User")
    permission = apps.get_model("auth", "Permission")
    wanted = Q()
    for name in SECOND_FACTOR_PERMISSIONS:
        app_label, codename = name.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permission_ids = list(permission.objects.filter(wanted).values_list("pk", flat=True))
    flagged = (
        Q(is_superuser=True)
        | Q(is_staff=True)
        | Q(groups__name=ADMINISTRATOR_ROLE)
        | Q(groups__permissions__in=permission_ids)
        | Q(user_permissions__in=permission_ids)
    )
    return set(user.objects.filter(flagged).values_list("pk", flat=True))


def tokens_from_drf(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    api_token = apps.get_model("accounts", "ApiToken")
    table = connection.ops.quote_name(DRF_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {table}")  # noqa: S608 (a constant name)
        rows = cursor.fetchall()
    now = timezone.now()
    expires_at = now + timedelta(days=settings.CHARTER_API_TOKEN_DAYS)
    second_factor = _second_factor_user_ids(apps)
    for key, user_id, created in rows:
        digest = hashlib.sha256(key.encode()).hexdigest()
        if api_token.objects.filter(digest=digest).exists():
            continue
        revoked = user_id in second_factor
        token = api_token.objects.create(
            user_id=user_id,
            name="migrated",
            prefix=key[:6],
            digest=digest,
            expires_at=expires_at,
            revoked_at=now if revoked else None,
            revoked_reason=REVOKED_REASON if revoked else "",
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
