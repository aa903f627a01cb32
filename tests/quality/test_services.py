"""The reply checks against the configuration and the published code, and the findings after sending."""

import datetime as dt
from typing import Any

import pytest

from charter.accounts.models import Customer, User
from charter.audit.models import AuditEvent
from charter.cases.checks import ReplyCheckWarningError, case_reply_checked
from charter.cases.models import Case, CaseClock
from charter.cases.services import case_customer_reply, case_reply
from charter.common.errors import DomainError
from charter.quality.errors import ErrorCode
from charter.quality.models import CheckSetting, Finding, PhraseRule, ReplyOverride
from charter.quality.services import findings_from_replies, phrase_rule_save, reply_warnings
from charter.standards.models import StandardDocument
from tests.accounts.factories import CustomerFactory
from tests.cases.conftest import new_case
from tests.quality.conftest import OTHER_ID, OTHER_PHONE, OWN_ID, Publisher

pytestmark = pytest.mark.django_db


def _codes(case: Case, agent: User, body: str, is_internal: bool = False) -> list[tuple[str, str]]:
    return [
        (warning.code, warning.clause.number if warning.clause else "")
        for warning in reply_warnings(case, agent, body, is_internal)
    ]


# Before sending -----------------------------------------------------------------------------------------


def test_a_polite_clear_reply_raises_nothing(case: Case, member: User) -> None:
    assert _codes(case, member, "您好，已为您安排师傅明天上午上门维修。") == []
    assert _codes(case, member, "Dear Carol, the engineer comes tomorrow morning.") == []


def test_improper_chinese_wording_cites_clause_2_3(case: Case, member: User) -> None:
    warnings = reply_warnings(case, member, "您好，这个不归我管，您找别人去。", False)

    assert [(w.code, w.clause.number if w.clause else "") for w in warnings] == [
        ("improper_wording", "2.3"),
        ("improper_wording", "2.3"),
    ]
    assert {w.excerpt for w in warnings} == {"您好，这个不归我管，您找别人去。"}
    assert "不归我管" in str(warnings[0].message) or "不归我管" in str(warnings[1].message)


def test_impatient_chinese_wording_is_its_own_category(case: Case, member: User) -> None:
    assert _codes(case, member, "您好，说了多少遍了，急什么？") == [
        ("impatient_wording", "2.3"),
        ("impatient_wording", "2.3"),
    ]


def test_english_improper_and_impatient_wording(case: Case, member: User) -> None:
    codes = _codes(case, member, "Hello Carol, please calm down. As I already said, this is not my job.")

    assert sorted(codes) == [
        ("impatient_wording", "2.3"),
        ("impatient_wording", "2.3"),
        ("improper_wording", "2.3"),
    ]


def test_variants_of_a_configured_phrase_are_caught_not_only_the_missing_greeting(
    case: Case, member: User
) -> None:
    warnings = reply_warnings(case, member, "这个不归我们管，你自己去银行查一下，别再打电话催了", False)

    codes = sorted({w.code for w in warnings})
    assert codes == ["impatient_wording", "improper_wording", "missing_greeting"]
    assert any("不归我们管" in str(w.message) for w in warnings)
    assert _codes(case, member, "Hello Carol, that isn't our job.") == [("improper_wording", "2.3")]


def test_words_matched_by_a_longer_phrase_are_not_reported_again_by_a_shorter_one(
    case: Case, member: User
) -> None:
    warnings = reply_warnings(case, member, "Hello Carol, as I already said, the bill is right.", False)

    assert [(w.code, w.excerpt) for w in warnings] == [
        ("impatient_wording", "Hello Carol, as I already said, the bill is right.")
    ]
    assert "as I already said" in str(warnings[0].message)


def test_a_phrase_inside_one_of_its_exceptions_is_fine(case: Case, member: User) -> None:
    assert _codes(case, member, "您好，如果您不知道户号（账单上的用户编号），可以致电我们。") == []
    assert _codes(case, member, "Dear Carol, you should have received our letter.") == []


def test_jargon_without_explanation_cites_clause_2_2_and_suggests_plain_words(
    case: Case, member: User
) -> None:
    warnings = reply_warnings(case, member, "您好，三月起执行阶梯水价，请提供户号。", False)

    assert [(w.code, w.clause.number if w.clause else "") for w in warnings] == [
        ("unexplained_jargon", "2.2"),
        ("unexplained_jargon", "2.2"),
    ]
    assert any("账单上的用户编号" in str(w.message) for w in warnings)
    assert _codes(case, member, "您好，请提供户号（账单上的用户编号）。") == []
    assert _codes(case, member, "您好，三月起执行阶梯水价，即按每年用水量分档计价。") == []
    assert _codes(case, member, "Hello, your tiered tariff changes.") == [("unexplained_jargon", "2.2")]


def test_a_missing_greeting_cites_clause_1_6_in_both_languages(case: Case, member: User) -> None:
    assert _codes(case, member, "已为您安排师傅上门。") == [("missing_greeting", "1.6")]
    assert _codes(case, member, "The engineer comes tomorrow.") == [("missing_greeting", "1.6")]
    assert _codes(case, member, "刘女士，您好！已为您安排师傅上门。") == []
    assert _codes(case, member, "尊敬的客户：已为您安排师傅上门。") == []


def test_another_customers_phone_or_id_number_cites_confidentiality_masked(case: Case, member: User) -> None:
    spaced = f"{OTHER_PHONE[:3]} {OTHER_PHONE[3:7]}-{OTHER_PHONE[7:]}"

    warnings = reply_warnings(case, member, f"您好，请联系 {spaced}，身份证 {OTHER_ID}。", False)

    assert [(w.code, w.clause.number if w.clause else "") for w in warnings] == [
        ("personal_data", "5.1"),
        ("personal_data", "5.1"),
    ]
    assert {w.excerpt for w in warnings} == {"139****5678", "110***********002X"}
    assert all(OTHER_PHONE not in str(w.message) and OTHER_ID not in str(w.message) for w in warnings)


def test_the_case_customers_own_phone_and_id_number_are_not_flagged(
    case: Case, member: User, customer: Customer
) -> None:
    assert _codes(case, member, f"您好，我们会致电 138-0013-8000，并核对身份证 {OWN_ID}。") == []


def test_numbers_the_customer_wrote_on_the_case_are_his_to_know(case: Case, member: User) -> None:
    case_customer_reply(case=case, body=f"请联系我爱人 {OTHER_PHONE}。")

    assert _codes(case, member, f"您好，我们会致电 {OTHER_PHONE} 联系您的家人。") == []


def test_a_reply_after_the_first_response_deadline_cites_clause_3_2(
    case: Case, member: User, frozen: Any
) -> None:
    frozen.move_to(dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC))  # past Tuesday 17:30 Shanghai

    assert _codes(case, member, "您好，已为您安排。") == [("late_reply", "3.2")]


def test_internal_notes_are_never_checked(case: Case, member: User) -> None:
    assert _codes(case, member, "这个不归我管，急什么", is_internal=True) == []


def test_a_disabled_check_raises_nothing(case: Case, member: User) -> None:
    CheckSetting.objects.filter(check_code="missing_greeting").update(is_enabled=False)

    assert _codes(case, member, "已为您安排师傅上门。") == []


def test_a_check_whose_clause_is_not_in_force_raises_nothing(case: Case, member: User) -> None:
    CheckSetting.objects.filter(check_code="improper_wording").update(clause_number="9.9")

    assert _codes(case, member, "您好，这事不归我管。") == []


def test_a_rule_may_cite_its_own_clause(case: Case, member: User) -> None:
    PhraseRule.objects.create(language="zh-hans", category="improper", phrase="随便你", clause_number="1.6")

    assert _codes(case, member, "您好，随便你。") == [("improper_wording", "1.6")]


def test_the_clause_cited_is_that_of_the_version_in_force_on_the_day(
    case: Case, member: User, conduct: StandardDocument, publish: Publisher, frozen: Any
) -> None:
    v2 = publish(
        conduct,
        [],
        effective_at=dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC),
    )
    body = "您好，这事不归我管。"

    before = reply_warnings(case, member, body, False)
    frozen.move_to(dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC))
    after = reply_warnings(case, member, body, False)

    assert before[0].clause is not None and before[0].clause.version.number == 1
    assert after[0].clause is not None and after[0].clause.version == v2
    assert after[0].clause.number == "2.3"


# Sending with the checks ---------------------------------------------------------------------------------


def test_a_warned_reply_is_held_until_a_reason_is_given_then_the_reason_is_kept(
    case: Case, member: User
) -> None:
    with pytest.raises(ReplyCheckWarningError) as held:
        case_reply_checked(actor=member, case=case, body="您好，这事不归我管。")
    assert [w.code for w in held.value.warnings] == ["improper_wording"]
    assert not case.messages.exists()

    message = case_reply_checked(
        actor=member, case=case, body="您好，这事不归我管。", override_reason="客户原话引用"
    )

    override = ReplyOverride.objects.get(message=message)
    assert (override.agent, override.reason, override.check_codes) == (
        member,
        "客户原话引用",
        ["improper_wording"],
    )
    event = AuditEvent.objects.get(action="cases.reply_check_override")
    assert event.data["reason"] == "客户原话引用" and event.data["warnings"] == ["improper_wording"]


def test_a_reason_given_for_other_warnings_than_those_seen_does_not_send(case: Case, member: User) -> None:
    with pytest.raises(ReplyCheckWarningError):
        case_reply_checked(
            actor=member, case=case, body="您好，急什么。", override_reason="理由", seen_fingerprint="0" * 16
        )


# After sending ------------------------------------------------------------------------------------------


def test_findings_are_recorded_once_for_each_issue_of_a_sent_reply(case: Case, member: User) -> None:
    findings_from_replies()  # the consumer starts after what is already there
    message = case_reply(actor=member, case=case, body="这事不归我管，您找别人去。")

    first = findings_from_replies()
    second = findings_from_replies()

    assert (first, second) == (3, 0)
    findings = Finding.objects.filter(message=message)
    assert sorted(findings.values_list("check_code", "clause__number")) == [
        ("improper_wording", "2.3"),
        ("improper_wording", "2.3"),
        ("missing_greeting", "1.6"),
    ]
    assert set(findings.values_list("agent", "team", "case", "is_overridden")) == {
        (member.pk, case.team_id, case.pk, False)
    }


def test_findings_carry_the_override_and_its_reason(case: Case, member: User) -> None:
    findings_from_replies()
    case_reply_checked(actor=member, case=case, body="您好，急什么。", override_reason="引用客户原话")

    findings_from_replies()

    finding = Finding.objects.get()
    assert (finding.check_code, finding.is_overridden, finding.override_reason) == (
        "impatient_wording",
        True,
        "引用客户原话",
    )


def test_no_findings_for_internal_notes_or_customer_messages(case: Case, member: User) -> None:
    findings_from_replies()
    case_reply(actor=member, case=case, body="这个不归我管，急什么", is_internal=True)
    case_customer_reply(case=case, body="不知道怎么办，急什么")

    assert findings_from_replies() == 0
    assert not Finding.objects.exists()


def test_a_late_reply_is_a_finding_citing_the_clause_in_force_then(
    case: Case, member: User, frozen: Any
) -> None:
    findings_from_replies()
    frozen.move_to(dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC))
    message = case_reply_checked(
        actor=member, case=case, body="您好，已为您安排。", override_reason="系统故障"
    )

    findings_from_replies()

    finding = Finding.objects.get(message=message)
    assert (finding.check_code, finding.clause.number, finding.excerpt) == (
        "late_reply",
        "3.2",
        "first_response",
    )
    assert finding.is_overridden and finding.override_reason == "系统故障"
    assert CaseClock.objects.filter(case=case, metric="first_response", status="breached").exists()


def test_personal_data_findings_keep_the_number_masked(case: Case, member: User) -> None:
    findings_from_replies()
    case_reply(actor=member, case=case, body=f"您好，另一位客户的电话是 {OTHER_PHONE}。")

    findings_from_replies()

    finding = Finding.objects.get()
    assert finding.excerpt == "139****5678" and OTHER_PHONE not in finding.key


def test_another_customer_with_the_same_number_is_still_another_customer(
    case: Case, member: User, routed_team: Any
) -> None:
    neighbour = CustomerFactory.create(phone=OTHER_PHONE)
    neighbours_case = new_case(None, neighbour)

    assert _codes(neighbours_case, member, f"您好，我们会致电 {OTHER_PHONE}。") == []
    assert _codes(case, member, f"您好，我们会致电 {OTHER_PHONE}。") == [("personal_data", "5.1")]


def test_the_greeting_warning_suggests_greetings_in_the_replys_language(case: Case, member: User) -> None:
    chinese = reply_warnings(case, member, "已为您安排师傅上门。", False)[0]
    english = reply_warnings(case, member, "The engineer comes tomorrow.", False)[0]

    assert "您好" in str(chinese.message) and "Dear" not in str(chinese.message)
    assert "Dear" in str(english.message) and "您好" not in str(english.message)


# Patterns -----------------------------------------------------------------------------------------------


def test_a_pattern_rule_catches_new_phrasings_of_pushing_off_but_not_an_agent_who_keeps_the_case(
    case: Case, member: User
) -> None:
    assert ("improper_wording", "2.3") in _codes(case, member, "您好，这个你自己去税务窗口打听一下。")
    assert ("improper_wording", "2.3") in _codes(case, member, "Hello, you'll need to speak to your bank.")
    assert _codes(case, member, "您好，我已帮您转给燃气公司并跟进，明天下午前回复您。") == []
    assert (
        _codes(
            case,
            member,
            "Hello Mr Shah, I've passed your case to the gas company and I'm following it up myself.",
        )
        == []
    )


def test_words_the_reply_quotes_are_not_the_agents(case: Case, member: User) -> None:
    assert _codes(case, member, "您好，您说的“谁让你们乱收费”我们记下了，多收的费用已退还。") == []
    assert ("improper_wording", "2.3") in _codes(case, member, "您好，谁让你们不按时交费？")


def test_an_unexplained_acronym_is_jargon_unless_explained_or_known(case: Case, member: User) -> None:
    warnings = reply_warnings(case, member, "Hello, ask the MDT.", False)

    assert [(w.code, w.excerpt) for w in warnings] == [("unexplained_jargon", "Hello, ask the MDT.")]
    assert "MDT" in str(warnings[0].message)
    assert _codes(case, member, "Hello, the referral is with the MDT (the team of doctors and nurses).") == []
    assert _codes(case, member, "Hello, please bring your ID and PIN.") == []
    # A listed term is reported once, by its own rule, with its hint.
    sla = reply_warnings(case, member, "Hello, this breached the SLA.", False)
    assert len(sla) == 1 and "promised" in str(sla[0].message)


@pytest.mark.parametrize(
    ("phrase", "exceptions", "field"),
    [
        ("你 自己 [去|找", "", "phrase"),
        ("去|找", "", "phrase"),
        ("* [|]", "", "phrase"),
        ("你 自己 [去|找]", "+[帮 你", "exceptions"),
    ],
)
def test_a_malformed_pattern_is_refused_with_its_field(
    administrator: User, phrase: str, exceptions: str, field: str
) -> None:
    rule = PhraseRule(language="zh-hans", category="improper", phrase=phrase, exceptions=exceptions)

    with pytest.raises(DomainError) as raised:
        phrase_rule_save(actor=administrator, rule=rule)

    assert raised.value.field == field and raised.value.code == "quality_invalid_phrase"
    assert not PhraseRule.objects.filter(phrase=phrase).exists()


def test_a_well_formed_pattern_is_saved_and_checked(administrator: User, case: Case, member: User) -> None:
    rule = PhraseRule(language="zh-hans", category="impatient", phrase="[赶紧|快] [决定|选]")
    phrase_rule_save(actor=administrator, rule=rule)

    assert ("impatient_wording", "2.3") in _codes(case, member, "您好，您赶紧决定。")


def test_text_with_a_nul_or_too_long_is_refused_and_nothing_written(administrator: User) -> None:
    rules = PhraseRule.objects.count()
    with_nul = PhraseRule(language="zh-hans", category="improper", phrase="不归\x00我管")
    long_hint = PhraseRule(language="zh-hans", category="jargon", phrase="峰谷分时计价", hint="按" * 201)

    with pytest.raises(DomainError) as nul:
        phrase_rule_save(actor=administrator, rule=with_nul)
    with pytest.raises(DomainError) as too_long:
        phrase_rule_save(actor=administrator, rule=long_hint)

    assert (nul.value.code, nul.value.field) == (ErrorCode.INVALID_TEXT, "phrase")
    assert (too_long.value.code, too_long.value.field) == (ErrorCode.TEXT_TOO_LONG, "hint")
    assert "200" in str(too_long.value.message)
    assert PhraseRule.objects.count() == rules
    assert not AuditEvent.objects.filter(action="quality.phrase_rule_save").exists()
