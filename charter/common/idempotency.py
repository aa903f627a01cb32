"""Idempotency keys for the API's POSTs that create things (`Idempotency-Key` header, as Stripe and the IETF
draft name it).

A client that did not hear the answer (a dropped connection, a worker killed after the commit) sends the
same request again with the same key and gets the first answer's status with the created object's
identifiers only (`id`, `number`, … : REPLAYED_FIELDS; header `Idempotent-Replayed: true`) instead of a
second case or message; it GETs the object for the rest. The full answer is never stored: a case's title,
description or the customer's contact would sit outside erasure's reach, and a replay would hand them out
without the view's permission checks or the audited contact view.

The key is claimed, the view runs and its answer is stored in one transaction: either all of it commits or
none, and of two concurrent first uses the unique constraint lets one win (the other waits for it, then
replays its answer). The same key with another request answers 422 `idempotency_key_reused`. Only 2xx
answers are kept: after a refusal the client may correct and retry with the same key. Keys are per user
and kept for a day (`idempotency_keys_purge`, run hourly).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from charter.common.errors import CommonErrorCode, DomainError
from charter.common.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP_FOR = timedelta(hours=24)
KEY_MAX_LENGTH = 255
# What a replay answers of the first answer's body: the created object's identifiers and state, nothing a
# person wrote or is (no title, description, name or contact).
REPLAYED_FIELDS = ("id", "pk", "number", "url", "kind", "status")

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique value of your choice (a UUID) per thing to create: sending the same request again "
    "with the same key answers the first answer's status with the created object's identifiers only (id, "
    "number, url, kind, status as present; header Idempotent-Replayed: true) instead of creating it twice: "
    "GET the object for the rest. The same key with another request answers 422 idempotency_key_reused. "
    "Kept for 24 hours.",
)

ViewMethod = TypeVar("ViewMethod", bound=Callable[..., Response])


class IdempotencyKeyReusedError(DomainError):
    """The key was first used for another request."""

    status = 422
    default_code = CommonErrorCode.IDEMPOTENCY_KEY_REUSED


class IdempotencyKeyInUseError(DomainError):
    """The key's first request is still being answered."""

    status = 409
    default_code = CommonErrorCode.IDEMPOTENCY_KEY_IN_USE


def _canonical(value: Any) -> Any:
    """The request data as plain JSON values; an uploaded file by its name, size and content's SHA-256."""
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    if hasattr(value, "lists"):  # a QueryDict / MultiValueDict: every value of every key
        return {key: [_canonical(item) for item in items] for key, items in value.lists()}
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def request_fingerprint(request: Request) -> str:
    """The SHA-256 of the method, path and data (files by content): what "the same request" means."""
    payload = json.dumps(
        [request.method, request.path, _canonical(request.data)],
        sort_keys=True,
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise DomainError(
            _("The Idempotency-Key must be 1 to 255 printable ASCII characters, such as a UUID."),
            code=CommonErrorCode.IDEMPOTENCY_KEY_INVALID,
        )
    return key


def replay_body(data: Any) -> dict[str, Any]:
    """The part of a created object's answer kept for a replay: its identifiers (REPLAYED_FIELDS), as JSON."""
    if not isinstance(data, dict):
        return {}
    kept = {field: data[field] for field in REPLAYED_FIELDS if field in data}
    return cast("dict[str, Any]", json.loads(json.dumps(kept, cls=DjangoJSONEncoder)))


def _replay(row: IdempotencyKey, fingerprint: str) -> Response:
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReusedError(
            _("This Idempotency-Key was used for another request; use a new key for a new request.")
        )
    if row.status is None:
        raise IdempotencyKeyInUseError(
            _("The first request with this Idempotency-Key is still being answered.")
        )
    return Response(row.response_body or {}, status=row.status, headers={REPLAYED_HEADER: "true"})


def idempotent(view_method: ViewMethod) -> ViewMethod:
    """Make an API view method that creates something answer a repeated `Idempotency-Key` with its first
    answer's status and the created object's identifiers (see the module's docstring). Requests without the
    header, or from anonymous callers, are answered as before. Documents the header in the API schema."""

    @wraps(view_method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = _key_of(request)
        user = request.user
        if key is None or not user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = IdempotencyKey.objects.create(
                        user_id=user.pk,
                        key=key,
                        method=str(request.method),
                        path=request.path[:500],
                        request_hash=fingerprint,
                    )
            except IntegrityError:
                # Someone holds the key: its first use committed (or, on PostgreSQL, we waited for it to).
                return _replay(IdempotencyKey.objects.get(user_id=user.pk, key=key), fingerprint)
            response = view_method(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                claim.status = response.status_code
                claim.response_body = replay_body(response.data)
                claim.save(update_fields=["status", "response_body"])
            else:
                # A refusal created nothing: the client may correct the request and send it with this key.
                claim.delete()
            return response

    return cast("ViewMethod", extend_schema(parameters=[IDEMPOTENCY_KEY])(wrapper))


def idempotency_keys_purge(*, now: Any = None) -> int:
    """Delete the idempotency keys older than a day; return how many. Run hourly by the worker."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
