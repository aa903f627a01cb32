"""Privacy's own rows. The permission to reveal personal data hangs on a model without a table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalData(models.Model):
    """Holds the permissions on personal data; it has no table and no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("personal data")
        verbose_name_plural = _("personal data")
        permissions = [("reveal_personal_data", _("Can reveal masked personal data, with a reason"))]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
