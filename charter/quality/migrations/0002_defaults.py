"""The shipped configuration of the reply checks, matching the categories of the seed's code of conduct.

Clause numbers are those of the shipped code of conduct (document "code-of-conduct", charter/standards/demo.py):
1.6 greeting and form of address, 2.2 clear and plain language, 2.3 patience and no improper words, 3.2 within
the set time, 5.1 no disclosure of confidential information. Administrators edit all of it on the desk.
"""

from django.db import migrations

CODE = "code-of-conduct"

SETTINGS = [
    ("improper_wording", "2.3"),
    ("impatient_wording", "2.3"),
    ("unexplained_jargon", "2.2"),
    ("missing_greeting", "1.6"),
    ("personal_data", "5.1"),
    ("late_reply", "3.2"),
]

# (language, category, phrase, exceptions, hint)
RULES = [
    # 不当用语: shirking, dismissive or evasive words.
    ("zh-hans", "improper", "不知道", "您不知道\n如不知道\n如果不知道\n若不知道\n是否知道\n不知道您", ""),
    ("zh-hans", "improper", "不归我管", "", ""),
    ("zh-hans", "improper", "你自己看", "", ""),
    ("zh-hans", "improper", "没办法", "您没办法\n如没办法\n如果没办法\n若没办法", ""),
    ("zh-hans", "improper", "找别人去", "", ""),
    ("zh-hans", "improper", "爱办不办", "", ""),
    ("zh-hans", "improper", "你去投诉吧", "", ""),
    ("zh-hans", "improper", "不是我的事", "", ""),
    # 不耐烦用语.
    ("zh-hans", "impatient", "听不懂吗", "", ""),
    ("zh-hans", "impatient", "说了多少遍", "", ""),
    ("zh-hans", "impatient", "急什么", "", ""),
    ("zh-hans", "impatient", "不是跟你说过了", "", ""),
    ("zh-hans", "impatient", "烦不烦", "", ""),
    ("zh-hans", "impatient", "怎么又是你", "", ""),
    ("en", "improper", "not my job", "", ""),
    ("en", "improper", "not my problem", "", ""),
    ("en", "improper", "you should have", "you should have received\nyou should have got\nyou should have been", ""),
    ("en", "improper", "that's your problem", "", ""),
    ("en", "impatient", "calm down", "", ""),
    ("en", "impatient", "as I already said", "", ""),
    ("en", "impatient", "I already told you", "", ""),
    ("en", "impatient", "for the last time", "", ""),
    # 未解释的专业术语: a glossary, each with a plain explanation the agent can use.
    ("zh-hans", "jargon", "阶梯水价", "", "按每年用水量分档计价，用得越多单价越高"),
    ("zh-hans", "jargon", "阶梯电价", "", "按用电量分档计价，用得越多单价越高"),
    ("zh-hans", "jargon", "预付费", "", "先充值后用水用电"),
    ("zh-hans", "jargon", "户号", "", "账单上的用户编号"),
    ("zh-hans", "jargon", "峰谷电价", "", "白天高峰和夜间低谷时段按不同单价计费"),
    ("en", "jargon", "tiered tariff", "", "the more you use, the higher the price of each extra unit"),
    ("en", "jargon", "prepayment meter", "", "a meter you top up before you use water or power"),
    ("en", "jargon", "SLA", "", "the time we promised to answer or fix it in"),
    # 问候语或称呼: a reply opens with one of these.
    ("zh-hans", "greeting", "您好", "", ""),
    ("zh-hans", "greeting", "尊敬的", "", ""),
    ("zh-hans", "greeting", "早上好", "", ""),
    ("zh-hans", "greeting", "下午好", "", ""),
    ("zh-hans", "greeting", "晚上好", "", ""),
    ("en", "greeting", "Dear", "", ""),
    ("en", "greeting", "Hello", "", ""),
    ("en", "greeting", "Good morning", "", ""),
    ("en", "greeting", "Good afternoon", "", ""),
]


def load(apps, schema_editor):
    setting_model = apps.get_model("quality", "CheckSetting")
    rule_model = apps.get_model("quality", "PhraseRule")
    for check_code, number in SETTINGS:
        setting_model.objects.get_or_create(
            check_code=check_code, defaults={"document_code": CODE, "clause_number": number}
        )
    for language, category, phrase, exceptions, hint in RULES:
        rule_model.objects.get_or_create(
            language=language,
            category=category,
            phrase=phrase,
            defaults={"exceptions": exceptions, "hint": hint},
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
