"""The shipped disciplinary ladder of the seed's part 3 (education, warnings, demerits, demotion, dismissal) and
its rules: a twelve-month look-back window, harm to customers or reputation starting at a written warning, a
serious violation at a demerit; demotion and dismissal (and a major demerit) need a second approver from HR.
Money fines stay off. Administrators change all of it on the desk.
"""

from django.db import migrations

# (code, position, Chinese, English, requires a second approver)
STEPS = [
    ("education", 0, "教育", "Education", False),
    ("verbal-warning", 1, "口头警告", "Verbal warning", False),
    ("written-warning", 2, "书面警告", "Written warning", False),
    ("demerit", 3, "记过", "Demerit", False),
    ("major-demerit", 4, "记大过", "Major demerit", True),
    ("demotion", 5, "降级", "Demotion", True),
    ("dismissal", 6, "解除劳动合同", "Dismissal", True),
]


def defaults(apps, schema_editor):
    step_model = apps.get_model("conduct", "LadderStep")
    setting_model = apps.get_model("conduct", "LadderSetting")
    steps = {}
    for code, position, name_zh, name_en, second in STEPS:
        steps[code], _created = step_model.objects.get_or_create(
            code=code,
            defaults={
                "position": position,
                "name_zh": name_zh,
                "name_en": name_en,
                "requires_second_approver": second,
            },
        )
    setting_model.objects.get_or_create(
        pk=1,
        defaults={
            "window_days": 365,
            "harm_floor": steps["written-warning"],
            "general_floor": None,
            "serious_floor": steps["demerit"],
            "response_days": 5,
            "appeal_days": 10,
            "is_fine_enabled": False,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("conduct", "0001_initial")]
    operations = [migrations.RunPython(defaults, migrations.RunPython.noop)]
