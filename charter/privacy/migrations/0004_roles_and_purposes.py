"""The data protection officer's role and the two consent purposes every installation starts with."""

from django.db import migrations

from charter.accounts.roles import Role, role_permissions_grant

OPERATIONS = [
    "privacy.manage_data_requests",
    "privacy.view_personal_data_log",
    "privacy.manage_retention",
]
GRANTS = {
    Role.PRIVACY_OFFICER: ["privacy.reveal_personal_data", *OPERATIONS],
    Role.ADMINISTRATOR: OPERATIONS,
}
PURPOSES = [
    {
        "code": "case_handling",
        "name_zh": "处理您的咨询、投诉或请求",
        "name_en": "Handling your inquiry, complaint or request",
        "description_zh": "为答复和处理您提交的事项使用您的联系方式和所述内容。不同意则无法受理。",
        "description_en": "Using your contact details and what you tell us to answer and handle your matter. "
        "Without it we cannot take the matter on.",
        "required": True,
        "position": 1,
    },
    {
        "code": "surveys",
        "name_zh": "满意度回访",
        "name_en": "Satisfaction surveys",
        "description_zh": "事项办结后请您评价我们的服务。您可随时通过邮件中的链接退出。",
        "description_en": "Asking you to rate our service after your matter is closed. You can opt out at any "
        "time through the link in the message.",
        "required": False,
        "position": 2,
    },
]


def forwards(apps, schema_editor):
    role_permissions_grant(apps, schema_editor, GRANTS)
    purpose_model = apps.get_model("privacy", "ConsentPurpose")
    for values in PURPOSES:
        purpose_model.objects.get_or_create(code=values["code"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_privacy_operations"), ("accounts", "0004_privacy_and_tokens")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
