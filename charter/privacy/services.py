"""Writes of privacy: revealing a masked value (which is itself an audited act) and key rotation."""

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from charter.audit.services import audit_record
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.policy import require
from charter.common.text import clean_text
from charter.privacy import crypto
from charter.privacy.errors import TEXT_CODES, ErrorCode
from charter.privacy.fields import EncryptedTextField
from charter.privacy.permissions import can_reveal_personal_data

if TYPE_CHECKING:
    from charter.accounts.models import User

# A reason (or ground) is a sentence kept in the audit row; the reveal form and the API take as much.
REASON_MAX_LENGTH = 500


def _require_personal_field(obj: models.Model, field: str) -> None:
    """Raise DomainError unless `field` of `obj` holds personal data (an EncryptedTextField)."""
    try:
        model_field = obj._meta.get_field(field)
    except Exception as error:
        raise DomainError(
            _("This is not a personal-data field."), code=ErrorCode.NOT_PERSONAL_DATA
        ) from error
    if not isinstance(model_field, EncryptedTextField):
        raise DomainError(_("This is not a personal-data field."), code=ErrorCode.NOT_PERSONAL_DATA)


def _reason_clean(value: str, *, field: str) -> str:
    """Return the reason (or ground) for seeing personal data cleaned by the common rule (`clean_text`), on
    one line and at most REASON_MAX_LENGTH characters. Raises DomainError (privacy_reason_required when
    blank, privacy_invalid_text, privacy_text_too_long) on `field`; writes nothing."""
    return clean_text(
        value,
        field=field,
        codes=TEXT_CODES,
        required=True,
        max_length=REASON_MAX_LENGTH,
        multiline=False,
        required_message=_("Say why you need to see this value."),
    )


def personal_data_reveal(
    *,
    user: "User | AnonymousUser",
    obj: models.Model,
    field: str,
    reason: str,
    request: HttpRequest | None = None,
) -> str:
    """Return the unmasked value of `obj.field` and record who saw it and why.

    Requires privacy.reveal_personal_data and a reason (`_reason_clean`: one line of text, not blank, at
    most REASON_MAX_LENGTH characters); the reveal is audited as `privacy.reveal` in the same transaction,
    so no value is shown without its trace.
    """
    require(can_reveal_personal_data(user))
    _require_personal_field(obj, field)
    reason = _reason_clean(reason, field="reason")
    with transaction.atomic():
        audit_record(
            actor=user,
            action="privacy.reveal",
            target=obj,
            data={"field": field, "reason": reason},
            request=request,
        )
    return str(getattr(obj, field) or "")


def personal_data_view(
    *,
    user: "User | AnonymousUser",
    obj: models.Model,
    fields: Sequence[str],
    ground: str,
    request: HttpRequest | None = None,
) -> dict[str, str]:
    """Return the unmasked values of `fields` of `obj` to a user whose work needs them, and record the view.

    The caller's predicate has decided that `user` sees them on `ground` (why, e.g. "handles case
    TS-2026-000014"), unlike `personal_data_reveal`, where the user asks and gives a reason. Refuses an
    anonymous user, a ground `_reason_clean` refuses and fields that are not personal data. Audited as
    `privacy.view` with the fields and the ground in the same transaction, so no value is shown without its
    trace.
    """
    if not user.is_authenticated:
        raise PermissionDeniedError(
            _("You may not see this personal data unmasked."), code=ErrorCode.REVEAL_DENIED
        )
    for field in fields:
        _require_personal_field(obj, field)
    ground = _reason_clean(ground, field="ground")
    with transaction.atomic():
        audit_record(
            actor=user,
            action="privacy.view",
            target=obj,
            data={"fields": list(fields), "ground": ground},
            request=request,
        )
    return {field: str(getattr(obj, field) or "") for field in fields}


def _encrypted_columns() -> Iterator[tuple[type[models.Model], EncryptedTextField[Any, Any]]]:
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField):
                    yield model, field


def encryption_keys_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every value not under the current key; return how many values each column changed.

    Reads and writes the raw column so values are checked by their stored key id; each batch commits on its
    own, so the command can be stopped and run again.
    """
    current = crypto.current_key_id()
    changed: dict[str, int] = {}
    quote = connection.ops.quote_name
    for model, field in _encrypted_columns():
        table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
        label = f"{model._meta.label_lower}.{field.name}"
        changed[label] = 0
        last_pk: Any = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {column} IS NOT NULL AND {column} <> ''"
                params: list[Any] = []
                if last_pk is not None:
                    where += f" AND {pk} > %s"
                    params.append(last_pk)
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} {where} ORDER BY {pk} LIMIT %s",  # noqa: S608
                    [*params, batch_size],
                )
                rows = cursor.fetchall()
                for row_pk, token in rows:
                    if crypto.key_id_of(token) == current:
                        continue
                    plain = crypto.decrypt(token, context=field.context())
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [crypto.encrypt(plain, context=field.context()), row_pk],
                    )
                    changed[label] += 1
            if len(rows) < batch_size:
                break
            last_pk = rows[-1][0]
    return changed
