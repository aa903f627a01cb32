"""The pure checks on reply text, in Chinese and English."""

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charter.quality import text

CHECK = "10X98765432"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.mark.parametrize(
    ("reply", "phrase", "found"),
    [
        ("这个我不知道，你自己看说明。", "不知道", "不知道"),
        ("这事不归我管。", "不归我管", "不归我管"),
        ("说了多少遍了，急什么？", "急什么", "急什么"),
        ("Please calm down, sir.", "calm down", "calm down"),
        ("CALM DOWN and listen.", "calm down", "CALM DOWN"),
        ("As I already said, the bill is right.", "as I already said", "As I already said"),
        ("That is not my job.", "not my job", "not my job"),
        ("您好，已为您安排上门。", "不知道", None),
        ("Hello, the engineer comes tomorrow.", "calm down", None),
    ],
)
def test_phrases_are_found_in_chinese_and_english(reply: str, phrase: str, found: str | None) -> None:
    assert text.phrase_find(reply, phrase) == found


def test_latin_phrases_match_whole_words_only() -> None:
    assert text.phrase_find("We saw Othello yesterday.", "hello") is None
    assert text.phrase_find("Hello!", "hello") == "Hello"


def test_full_width_text_is_normalised() -> None:
    assert text.phrase_find("ＣＡＬＭ ＤＯＷＮ", "calm down") == "CALM DOWN"


def test_an_exception_containing_the_phrase_is_not_flagged() -> None:
    exceptions = ["您不知道", "如果不知道"]

    assert text.phrase_find("如果不知道户号，可以查看账单。", "不知道", exceptions) is None
    assert text.phrase_find("您不知道也没关系。", "不知道", exceptions) is None
    assert text.phrase_find("如果不知道就算了，我也不知道。", "不知道", exceptions) == "不知道"
    assert (
        text.phrase_find(
            "You should have received a letter.", "you should have", ["you should have received"]
        )
        is None
    )
    assert text.phrase_find("You should have paid on time.", "you should have", ["you should have received"])


@pytest.mark.parametrize(
    ("reply", "explained"),
    [
        ("您的户号是多少？", False),
        ("请提供户号（账单上的用户编号）。", True),
        ("请提供户号(账单上的用户编号)。", True),
        ("按阶梯水价，即用水越多单价越高，计费。", True),
        ("执行阶梯水价：也就是按用水量分档计价。", True),
        ("账单上的用户编号（户号）在右上角。", True),
        ("您的户号是123，您的户号已核实。", False),
        ("先写户号，再写户号（账单上的编号）。", True),
        ("This follows the tiered tariff.", False),
        ("This follows the tiered tariff, i.e. the more you use, the more each unit costs.", True),
        ("没有任何术语。", True),
    ],
)
def test_jargon_counts_as_explained_only_with_an_explanation_nearby(reply: str, explained: bool) -> None:
    term = "tiered tariff" if "tiered" in reply else ("阶梯水价" if "阶梯" in reply else "户号")

    assert text.jargon_is_explained(reply, term) is explained


def test_jargon_is_explained_by_the_rules_plain_hint() -> None:
    assert text.jargon_is_explained("户号就是账单上的用户编号。", "户号", hint="账单上的用户编号")


@pytest.mark.parametrize(
    ("reply", "present"),
    [
        ("您好，已为您安排上门维修。", True),
        ("王先生，您好！已为您安排。", True),
        ("尊敬的客户：您的账单已更正。", True),
        ("Dear Ms Smith, your bill is corrected.", True),
        ("Hello Jane, the engineer comes tomorrow.", True),
        ("已为您安排上门维修。", False),
        ("Your bill is corrected.", False),
        (
            "已为您安排上门维修，师傅会在明天上午到达，请保持电话畅通，如有问题请再联系我们。感谢您的耐心等待。您好",
            False,
        ),
    ],
)
def test_a_greeting_or_form_of_address_opens_the_reply(reply: str, present: bool) -> None:
    assert text.greeting_present(reply, ["您好", "尊敬的", "Dear", "Hello"]) is present


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("110101199003071233", True),
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110101199003071234", False),
        ("11010519491231002", False),
        ("1101051949123100200", False),
        ("11010519491231002Y", False),
    ],
)
def test_resident_id_numbers_carry_an_iso_7064_check_character(number: str, valid: bool) -> None:
    assert text.id_number_is_valid(number) is valid


@given(st.lists(st.integers(min_value=0, max_value=9), min_size=17, max_size=17))
def test_exactly_one_check_character_makes_an_id_number_valid(digits: list[int]) -> None:
    body = "".join(map(str, digits))
    check = CHECK[sum(d * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11]

    assert text.id_number_is_valid(body + check)
    assert [c for c in "0123456789X" if text.id_number_is_valid(body + c)] == [check]


def test_mobile_numbers_are_found_with_spaces_dashes_and_country_code() -> None:
    reply = "请联系 139 1234 5678 或 137-0000-1111，也可拨 +86 136 0000 2222；座机 010-12345678 不算。"

    found = [(datum.kind, datum.value) for datum in text.personal_data_find(reply)]

    assert found == [("phone", "13912345678"), ("phone", "13700001111"), ("phone", "13600002222")]


def test_id_numbers_with_a_wrong_check_are_not_personal_data_and_digits_inside_them_are_no_phone() -> None:
    found = text.personal_data_find("身份证 11010519491231002X，另一个 110101199003071234。")

    assert [(datum.kind, datum.value) for datum in found] == [("id_number", "11010519491231002X")]


def test_a_twelve_digit_number_is_not_a_mobile_number() -> None:
    assert text.personal_data_find("单号 139123456789") == []


# Segmented, normalised matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "phrase", "found"),
    [
        # Pronoun variants count as the pronoun of the phrase.
        ("这个不归我们管，你自己去银行查一下。", "不归我管", "不归我们管"),
        ("这事儿不归咱们管。", "不归我管", "不归咱们管"),
        ("您自己看说明。", "你自己看", "您自己看"),
        # A few filler words may stand between the words of a phrase, or inside a Chinese word.
        ("这不归我们部门管。", "不归我管", "不归我们部门管"),
        ("您好，停水跟我们供电公司没啥关系。", "跟我没关系", "跟我们供电公司没啥关系"),
        ("你自己去银行查一下。", "你自己查", "你自己去银行查"),
        # Whole-word function-word synonyms: 和 for 跟, 讲 for 说.
        ("这和我们无关。", "跟我无关", "和我们无关"),
        ("不是跟你讲过了吗？", "不是跟你说过了", "不是跟你讲过了"),
        # English: first-person variants, contractions, simple inflections, qualifiers as fillers.
        ("That is not our job.", "not my job", "not our job"),
        ("Sorry, that isn't my problem.", "not my problem", "isn't my problem"),
        ("It's not really my job, to be honest.", "not my job", "not really my job"),
        ("As we already said, the bill is right.", "as I already said", "As we already said"),
        ("There are no problems on our side, these are your problems.", "your problem", "your problems"),
        ("We told you twice.", "I told you", "We told you"),
        ("Stop phoning us.", "stop calling", "Stop phoning"),
    ],
)
def test_simple_variants_of_a_phrase_are_found(reply: str, phrase: str, found: str) -> None:
    assert text.phrase_find(reply, phrase) == found


@pytest.mark.parametrize(
    ("reply", "phrase"),
    [
        # A negation never counts as a filler: it turns the meaning around.
        ("您不用找别人，我来处理。", "你找别人"),
        ("You should not have to pay twice.", "you should have"),
        # A filler must be a whole word of the reply: 急需 is not 急.
        ("请问您急需什么材料？", "急什么"),
        # No more than MAX_FILLERS words between the words of a phrase.
        ("您也可以自己在App上查看账单。", "自己查"),
        # An English filler only qualifies: "your broadband fault" is no "your fault".
        ("Your broadband fault has been fixed.", "your fault"),
        # Another person is another person.
        ("这不是您的责任。", "不是我的责任"),
        ("It's not your job to fix it.", "not my job"),
        # Word boundaries and stems: "Othello" is not "hello", "notice" not "not".
        ("We saw Othello.", "hello"),
        ("Please notice my job title.", "not my job"),
    ],
)
def test_what_only_looks_like_a_phrase_is_not_found(reply: str, phrase: str) -> None:
    assert text.phrase_find(reply, phrase) is None


def test_exceptions_cover_the_variants_they_are_written_for() -> None:
    assert text.phrase_find("We don't know yet what caused it.", "I don't know", ["I don't know yet"]) is None
    assert text.phrase_find("We don't know, ask the council.", "I don't know", ["I don't know yet"])
    assert text.phrase_find("您好，如果还有不清楚的地方请联系我们。", "不清楚", ["不清楚的地方"]) is None
    assert (
        text.phrase_find(
            "You should also have received a letter.", "you should have", ["you should have received"]
        )
        is None
    )


def test_jargon_and_greetings_are_matched_without_fillers() -> None:
    assert text.phrase_find("Your tiered water tariff changes.", "tiered tariff", fillers=False) is None
    assert text.phrase_find("Your tiered tariffs change.", "tiered tariff", fillers=False) == "tiered tariffs"
    assert text.greeting_present("Hi Sam, your permit is renewed.", ["Hi"])
    assert not text.greeting_present("His permit is renewed.", ["Hi"])


def test_jargon_explained_after_the_rest_of_a_chinese_compound() -> None:
    assert text.jargon_is_explained("您好，您家的电表是预付费表（先充值后用电）。", "预付费")
    assert not text.jargon_is_explained("您好，燃气表是预付费表，没气了请到营业厅圈存。", "预付费")
    assert text.jargon_is_explained("户号是指账单上的用户编号。", "户号")


def test_the_match_is_quoted_as_the_agent_wrote_it() -> None:
    assert text.phrase_find("ＣＡＬＭ ＤＯＷＮ， please.", "calm down") == "CALM DOWN"
    assert text.phrase_find("我们早就说过了，急什么。", "急什么") == "急什么"


def test_segmentation_is_deterministic_and_cached() -> None:
    text.segment.cache_clear()
    first = text.segment("这个不归我们管，你自己去银行查一下。")
    second = text.segment("这个不归我们管，你自己去银行查一下。")

    assert first is second
    text.segment.cache_clear()
    assert text.segment("这个不归我们管，你自己去银行查一下。") == first


# Patterns -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "pattern", "found"),
    [
        # Choices, on normalised words: 您 is 你, "you'll" is "you will".
        ("你自己去窗口排队问吧。", "你 自己 [去|找|问]", "你自己去"),
        ("您自己找开发商。", "你 自己 [去|找|问]", "您自己找"),
        ("You'll have to call the council.", "[you will] have to * [call|ask]", "You'll have to call"),
        # A gap stands for a few words of the same sentence.
        ("你找快递公司去吧。", "找 * 去", "找快递公司去"),
        ("这事不归我们部门管。", "这 [个|事|] 不归 * 管", "这事不归我们部门管"),
        ("这个不归我管。", "这 [个|事|] 不归 * 管", "这个不归我管"),
        ("That's not really our department.", "not * my [job|department]", "not really our department"),
        # A choice may have a gap of its own.
        ("Take that one up with the bank.", "[take * up|ask] with", "Take that one up with"),
    ],
)
def test_a_pattern_catches_a_kind_of_wording(reply: str, pattern: str, found: str) -> None:
    assert text.phrase_find(reply, pattern) == found


@pytest.mark.parametrize(
    ("reply", "pattern"),
    [
        # A gap is never a negation, nor does it cross a sentence.
        ("您不需要自己去找快递公司。", "你 * 自己 [去|找]"),
        ("You won't have to call the council.", "you * have to * [call|ask]"),
        ("你找到了吗？去银行", "找 * 去"),
        # Nor is it longer than GAP_WORDS words.
        ("Call one two three four five six council.", "call * council"),
        # English words are whole words.
        ("Hello, it's fine.", "[hell|hi] , it"),
    ],
)
def test_a_pattern_does_not_reach_across_a_negation_or_a_sentence(reply: str, pattern: str) -> None:
    assert text.phrase_find(reply, pattern) is None


def test_exceptions_of_a_pattern_are_patterns_and_a_plus_excuses_the_whole_reply() -> None:
    pattern = "[找|问] [别的|其他] [部门|人]"
    owned = ["+[帮 你|为 你] * [转|联系]"]

    assert text.phrase_find("这个您找别的部门吧。", pattern, owned) == "找别的部门"
    assert text.phrase_find("您好，这个要找别的部门，我已帮您转过去了。", pattern, owned) is None
    assert text.phrase_find("您好，不用找其他人。", pattern, ["[不用|不必] 找 * [部门|人]"]) is None
    assert text.phrase_find("No receipt, no refund.", "no * , no", ["no , no"]) == "No receipt, no"
    assert text.phrase_find("No, no problem at all.", "no * , no", ["no , no"]) is None


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("你 自己 [去|找", text.PatternError.UNBALANCED),
        ("[a|[b]]", text.PatternError.UNBALANCED),
        ("去|找", text.PatternError.STRAY_BAR),
        ("* [|]", text.PatternError.NO_WORDS),
        ("+[帮 你", text.PatternError.UNBALANCED),
        ("你 自己 [去|找|]", None),
        ("不知道", None),
    ],
)
def test_malformed_patterns_are_named(pattern: str, error: text.PatternError | None) -> None:
    assert text.pattern_error(pattern) == error
    if error is not None:
        assert text.phrase_find("你自己去找", pattern) is None


def test_quoted_words_are_located() -> None:
    body = '您好，您说的“谁让你们乱收费”我们记下了。He said "not my job".'

    assert [body[start:end] for start, end in text.quoted_spans(body)] == [
        "“谁让你们乱收费”",
        '"not my job"',
    ]


def test_acronyms_are_found_but_known_ones_and_numbers_are_not() -> None:
    reply = "Hello, the MDT and the CoT read are due; your PIN and ID are safe, ref 12345, P3 and 2FA."

    assert text.acronyms_find(reply, ["PIN", "id"]) == ["MDT", "CoT", "P3"]
    assert text.acronyms_find("您好，LPR下调了，请用App查询。") == ["LPR"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [("你找" + "a" * 60 + "，") * 310, ("ask " + "a" * 60 + ". ") * 300, ("我" + "1" * 60 + "。") * 320],
    ids=["zh-long-token", "en-long-token", "zh-long-number"],
)
def test_long_tokens_cannot_make_a_pattern_backtrack_for_seconds(body: str) -> None:
    """Each shipped wording rule on a 20,000-character reply full of long tokens: before gap words had to end
    with their word, one such reply took 15-49 s; now the whole list takes well under a second."""
    from charter.quality.models import PhraseRule

    rules = list(PhraseRule.objects.filter(category__in=["improper", "impatient"]))
    assert len(rules) > 100
    started = time.perf_counter()

    for rule in rules:
        text.phrase_spans(body[:20000], rule.phrase, rule.exception_list())

    assert time.perf_counter() - started < 5  # catastrophic backtracking takes minutes; margin for slow CI
