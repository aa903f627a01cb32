"""A third consent purpose: e-mails that tell the customer his case's status changed. They are not needed
to handle the case (the acknowledgement, replies and the decision are), so the customer may stop them through
the link every such e-mail carries."""

from django.db import migrations

PURPOSE = {
    "code": "case_updates",
    "name_zh": "工单进度邮件通知",
    "name_en": "E-mails about your case's progress",
    "description_zh": "工单状态变化时给您发邮件。受理回执、答复和处理结论不受影响，照常发送。",
    "description_en": "E-mails when your case's status changes. The acknowledgement, our replies and the "
    "decision are always sent.",
    "required": False,
    "position": 3,
}


def forwards(apps, schema_editor):
    purpose_model = apps.get_model("privacy", "ConsentPurpose")
    purpose_model.objects.get_or_create(code=PURPOSE["code"], defaults=PURPOSE)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_roles_and_purposes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
