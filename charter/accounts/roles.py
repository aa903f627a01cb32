"""Roles are groups with permissions. Each app grants its permissions to roles in its own migration."""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    QA_REVIEWER = "qa_reviewer"
    TRAINER = "trainer"
    ADMINISTRATOR = "administrator"
    PRIVACY_OFFICER = "privacy_officer"


ROLE_LABELS = {
    Role.CUSTOMER: _("Customer"),
    Role.AGENT: _("Agent"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.QA_REVIEWER: _("QA reviewer"),
    Role.TRAINER: _("Trainer"),
    Role.ADMINISTRATOR: _("Administrator"),
    Role.PRIVACY_OFFICER: _("Data protection officer"),
}

# Everyone but customers works for the organisation; the public role is the anonymous visitor (no group).
STAFF_ROLES = frozenset(ROLE_LABELS) - {Role.CUSTOMER}


def role_permissions_grant(apps: Any, schema_editor: Any, grants: Mapping[str, Sequence[str]]) -> None:
    """For use in a data migration: create the role groups and add `app_label.codename` permissions to them.

    Permissions are normally created after migrations finish; this creates them first so a migration can
    grant them.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, permissions in grants.items():
        group, _created = group_model.objects.get_or_create(name=str(role))
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
