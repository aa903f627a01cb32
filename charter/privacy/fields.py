"""Model fields for personal data: an encrypted text field and the blind index that finds it."""

from typing import Any, TypeVar

from django.db import models
from django.db.models import Model

from charter.privacy import crypto

# Kept generic, as django-stubs asks of field subclasses, so its plugin still types each model attribute
# (str, or str | None on a null=True column).
_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)


class EncryptedTextField(models.TextField[_ST, _GT]):
    """Text stored encrypted (AES-GCM); read back as plain text. Look values up through a BlindIndexField.

    The empty string is stored as is: there is nothing to hide in it, and forms can tell "not given".
    """

    description = "Encrypted text"

    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), context=self.context())


class BlindIndexField(models.CharField[_ST, _GT]):
    """The HMAC of another field's normalised value, filled in on save; filter on it for exact matches."""

    def __init__(self, *args: Any, source: str = "", kind: str = "text", **kwargs: Any) -> None:
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("db_index", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def index_for(self, value: str) -> str:
        """Return the index value that `value` of the source field would have."""
        source_field = self.model._meta.get_field(self.source)
        context = f"{self.model._meta.label_lower}.{source_field.name}"
        return crypto.blind_index(value or "", context=context, kind=self.kind)

    def pre_save(self, model_instance: Model, add: bool) -> str:
        value = self.index_for(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
