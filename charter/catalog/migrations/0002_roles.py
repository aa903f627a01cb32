"""Grant the catalogue's permissions: administrators manage it, every staff role may view it."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

MODELS = ("servicecategory", "service", "serviceversion", "feeitem", "servicecommitment")
VIEW = [f"catalog.view_{model}" for model in MODELS]
MANAGE = [f"catalog.{verb}_{model}" for model in MODELS for verb in ("view", "add", "change", "delete")]
GRANTS = {
    Role.AGENT: VIEW,
    Role.SUPERVISOR: VIEW,
    Role.QA_REVIEWER: VIEW,
    Role.TRAINER: VIEW,
    Role.ADMINISTRATOR: [*MANAGE, "catalog.publish_serviceversion"],
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
