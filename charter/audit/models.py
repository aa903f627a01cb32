"""The append-only, hash-chained event log."""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


def audit_key() -> bytes:
    """The key of the chain's HMACs (CHARTER_AUDIT_KEY): kept outside the database, so write access to it
    is not enough to forge an event."""
    key = settings.CHARTER_AUDIT_KEY
    return key if isinstance(key, bytes) else str(key).encode()


def audit_mac(message: str) -> str:
    """The hex HMAC-SHA256 of `message` under the audit key."""
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One consequential action. `hash` covers every field and the previous event's hash.

    Events written before the chain was keyed carry scheme 1 (plain SHA-256) and still verify as they were
    written; every event since carries scheme 2, an HMAC-SHA256 under CHARTER_AUDIT_KEY. The head seals how
    many legacy events there are (`AuditChainHead.legacy_until`), so later events cannot pass for legacy ones.
    """

    class Scheme(models.IntegerChoices):
        LEGACY_SHA256 = 1, _("SHA-256 (before the chain was keyed)")
        HMAC = 2, _("HMAC-SHA256 under the audit key")

    sequence = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # audit_actor_seq_idx leads with it
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    # Its own index stays beside audit_action_seq_idx: on PostgreSQL it comes with the LIKE index that the
    # API's prefix filter (?action=cases.) reads.
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)  # see audit_type_seq_idx
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # The default is the legacy scheme so that the migration leaves existing rows as they were written;
    # `audit_record` writes every new event with Scheme.HMAC.
    scheme = models.PositiveSmallIntegerField(_("hash scheme"), choices=Scheme.choices, default=1)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # The viewer filters by one column and pages newest first by sequence: each filter's index ends with
        # the sequence, so a page is one index range read backwards, whatever the size of the chain. The
        # same indexes give the viewer's choices (charter.audit.selectors: a loose index scan of the column).
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["action", "sequence"], name="audit_action_seq_idx"),
            models.Index(fields=["actor", "sequence"], name="audit_actor_seq_idx"),
            models.Index(fields=["target_type", "sequence"], name="audit_type_seq_idx"),
        ]
        permissions = [("view_audit_trail", _("Can view and verify the audit trail"))]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def compute_hash(self) -> str:
        """Return the hash of this event's content and the previous hash, in a canonical JSON form: the
        HMAC-SHA256 under the audit key (scheme 2, with the scheme in the content), or for a legacy event
        the plain SHA-256 it was written with."""
        content: dict[str, Any] = {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "data": self.data,
            "ip_address": self.ip_address,
            "previous_hash": self.previous_hash,
        }
        if self.scheme == self.Scheme.LEGACY_SHA256:
            canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            return hashlib.sha256(canonical.encode()).hexdigest()
        content["scheme"] = self.scheme
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return audit_mac(canonical)


class AuditChainHead(models.Model):
    """The single row that serialises appends: it holds the last sequence number and hash, sealed (`seal`:
    their HMAC under the audit key, written with them), so that cutting events off the end of the chain and
    moving the head back with SQL is noticed by `audit_verify`."""

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    seal = models.CharField(max_length=64, blank=True)
    # Events up to this sequence were written before the chain was keyed (scheme 1); `legacy_seal` is the
    # HMAC of that number under the audit key, so raising it in the database is noticed.
    legacy_until = models.BigIntegerField(default=0)
    legacy_seal = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence}"


def head_seal(last_sequence: int, last_hash: str) -> str:
    """The seal of the chain's head: the HMAC of its last sequence and hash under the audit key."""
    return audit_mac(f"charter-audit-head:{last_sequence}:{last_hash}")


def head_seal_ok(head: AuditChainHead) -> bool:
    """True when the head's seal matches its sequence and hash (an empty head, never appended to, needs
    none)."""
    if not head.seal:
        return head.last_sequence == 0 and head.last_hash == GENESIS_HASH
    return hmac.compare_digest(head.seal, head_seal(head.last_sequence, head.last_hash))


def legacy_seal(legacy_until: int) -> str:
    """The seal of the number of legacy (unkeyed) events at the start of the chain."""
    return audit_mac(f"charter-audit-legacy-until:{legacy_until}")


class AuditHeadExport(models.Model):
    """The chain's head as last exported to a place outside the database (`audit_head_export`).

    `audit_verify` checks that the chain up to `sequence` still ends in `hash`; the copy that counts is the
    exported one (a file line or a mail), which whoever rewrites the database cannot reach.
    """

    sequence = models.BigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)
    exported_at = models.DateTimeField(_("exported at"), db_index=True)
    destination = models.CharField(_("destination"), max_length=500)
    signature = models.CharField(_("signature"), max_length=64)

    class Meta:
        ordering = ["-exported_at", "-pk"]
        verbose_name = _("exported audit head")
        verbose_name_plural = _("exported audit heads")

    def __str__(self) -> str:
        return f"#{self.sequence} → {self.destination}"
