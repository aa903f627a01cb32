"""The append-only, hash-chained event log."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One consequential action. `hash` covers every field and the previous event's hash."""

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
        """Return the SHA-256 of this event's content and the previous hash, in a canonical JSON form."""
        content = {
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
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class AuditChainHead(models.Model):
    """The single row that serialises appends: it holds the last sequence number and hash."""

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence}"
