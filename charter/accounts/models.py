"""People: staff users, the organisation tree and its teams, customers and their organisations."""

import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.accounts.roles import STAFF_ROLES, Role
from charter.common.models import TimeStampedModel, localized
from charter.privacy.fields import BlindIndexField, EncryptedTextField


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class User(AbstractUser):
    """Anyone who signs in: staff members and customers. Roles are groups (see roles.py)."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=_time_zone_choices, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of the user's role groups (cached for the request)."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role in self.role_names

    @property
    def is_staff_member(self) -> bool:
        """True for anyone who works for the organisation (any staff role, or a superuser)."""
        return self.is_superuser or bool(self.role_names & STAFF_ROLES)


class OrgUnit(models.Model):
    """A node of the organisation tree: the organisation, a branch, a department, a service hall."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        BRANCH = "branch", _("Branch")
        DEPARTMENT = "department", _("Department")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Materialised path of ids, "/1/4/9/": a subtree is one indexed prefix query at any depth.
    path = models.CharField(_("path"), max_length=500, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")

    def __str__(self) -> str:
        return localized(self, "name")


class Team(models.Model):
    """A team of staff inside an organisational unit."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="teams")
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    members: "models.ManyToManyField[User, TeamMembership]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", verbose_name=_("members")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return localized(self, "name")


class TeamMembership(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    is_lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.team}"


class CustomerOrganisation(TimeStampedModel):
    """A company or institution some customers belong to."""

    name = models.CharField(_("name"), max_length=200)
    unified_social_credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer organisation")
        verbose_name_plural = _("customer organisations")

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel):
    """A person the organisation serves. Name, phone, e-mail and ID number are personal data: encrypted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
    )
    organisation = models.ForeignKey(
        CustomerOrganisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    name = EncryptedTextField(_("full name"))
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone")
    email_index = BlindIndexField(source="email", kind="email")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    # Erasure anonymises the customer in place (his cases and the statistics stay); restriction stops every
    # processing but storage (no mail, no survey) until lifted. Both are set by privacy's services.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    restricted_at = models.DateTimeField(_("processing restricted since"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and the audit trail.
        return _("Customer #%(id)s") % {"id": self.pk}


class Qualification(models.Model):
    """Something a person must hold to be routed certain work (e.g. complaint handling), granted by a valid
    certificate. The training app writes the grants; routing reads them (`accounts.selectors`)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self) -> str:
        return localized(self, "name")


class QualificationGrant(models.Model):
    """One person's holding of a qualification from `valid_from` until `valid_until` (none: no expiry),
    granted by `source` (e.g. a certificate's number). A grant is never extended: a renewal is a new grant,
    and a revoked one keeps its row with `revoked_at`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.CASCADE,
        related_name="qualification_grants",
    )
    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="grants"
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("granted by"), max_length=100)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("qualification grant")
        verbose_name_plural = _("qualification grants")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "source"], name="accounts_grant_once_per_source")
        ]
        indexes = [
            models.Index(fields=["qualification", "user", "valid_until"], name="accounts_grant_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.qualification_id}@{self.source}"


class ApiToken(models.Model):
    """A named API token. Only the SHA-256 of the secret is kept: the secret is shown once, when made.
    A token ends at its expiry, when revoked, and when its user changes password, is deactivated or changes
    role (accounts' services revoke them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the secret, to tell tokens apart in lists; not enough to use it.
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
