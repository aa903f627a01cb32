"""Text cleaning (charter.common.text): one rule for every service's text, with the caller's codes."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from charter.accounts.models import Customer, Team
from charter.common.errors import DomainError
from charter.common.text import (
    TEXT_MAX_LENGTH,
    TextCodes,
    clean_text,
    max_length_of,
    remove_control_characters,
)

CODES = TextCodes(required="test_required", too_long="test_too_long", invalid="test_invalid_text")


def _refusal(value: object, **options: object) -> DomainError:
    with pytest.raises(DomainError) as refused:
        clean_text(value, field="body", codes=CODES, **options)  # type: ignore[arg-type]
    return refused.value


def test_text_is_stripped_and_its_line_endings_made_newlines() -> None:
    cleaned = clean_text("  第一行\r\n第二行\r第三行\n\t ", field="body", codes=CODES)

    assert cleaned == "第一行\n第二行\n第三行"
    assert clean_text(None, field="body", codes=CODES) == ""
    assert clean_text("\t缩进\t的文字", field="body", codes=CODES) == "缩进\t的文字"


@pytest.mark.parametrize("brk", ["\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_pasted_soft_and_page_breaks_are_line_breaks_not_control_characters(brk: str) -> None:
    # Word and PowerPoint put U+000B for Shift+Enter: a customer's pasted description must not be refused.
    assert clean_text(f"第一行{brk}第二行", field="body", codes=CODES) == "第一行\n第二行"
    assert _refusal(f"标题{brk}续", multiline=False).code == "test_invalid_text"


def test_a_nul_is_refused_as_such_not_as_too_long() -> None:
    refused = _refusal("投诉\x00内容", max_length=100)

    assert refused.code == "test_invalid_text" and refused.field == "body"
    with translation.override("en"):
        assert "null character" in str(refused.message)


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\x80", "\x9f", "\ud800"])
def test_other_control_characters_and_lone_surrogates_are_refused(character: str) -> None:
    refused = _refusal(f"a{character}b")

    assert refused.code == "test_invalid_text"
    with translation.override("en"):
        assert "control character" in str(refused.message)


def test_text_that_is_not_text_is_refused() -> None:
    assert _refusal(42).code == "test_invalid_text"
    assert _refusal(["a"]).code == "test_invalid_text"


def test_too_long_names_the_limit_and_counts_after_cleaning() -> None:
    refused = _refusal("x" * 11, max_length=10)

    assert refused.code == "test_too_long"
    with translation.override("en"):
        assert "10" in str(refused.message)
    with translation.override("zh-hans"):
        assert "10" in str(refused.message)
    assert clean_text("  " + "x" * 10 + "  ", field="body", codes=CODES, max_length=10) == "x" * 10
    assert clean_text("a\r\nb", field="body", codes=CODES, max_length=3) == "a\nb"


def test_blank_required_text_is_refused_with_the_callers_message() -> None:
    assert _refusal("   ", required=True).code == "test_required"
    assert _refusal(None, required=True).code == "test_required"
    refused = _refusal("\r\n", required=True, required_message="Describe the problem.")
    assert refused.code == "test_required" and refused.message == "Describe the problem."
    assert clean_text("", field="body", codes=CODES) == ""


def test_single_line_text_refuses_line_breaks_and_tabs() -> None:
    assert _refusal("名称\n第二行", multiline=False).code == "test_invalid_text"
    assert _refusal("名称\t制表", multiline=False).code == "test_invalid_text"
    assert clean_text(" 水费查询 ", field="name", codes=CODES, multiline=False) == "水费查询"


def test_the_limit_of_a_field_is_its_columns_or_the_common_one_for_a_text_column() -> None:
    assert max_length_of(Team, "name_zh") == Team._meta.get_field("name_zh").max_length == 200
    assert max_length_of(Customer, "name") == TEXT_MAX_LENGTH


def test_removing_control_characters_leaves_what_clean_text_accepts() -> None:
    assert remove_control_characters("a\x00b\r\nc\x9f") == "ab\nc"
    assert remove_control_characters("a\x0bb\x85c") == "a\nb\nc"  # soft breaks are line breaks
    assert remove_control_characters("主题\t一\n二", multiline=False) == "主题 一 二"


@given(st.text())
def test_whatever_is_removed_the_rest_is_accepted(value: str) -> None:
    cleaned = remove_control_characters(value, multiline=False)

    assert clean_text(cleaned, field="body", codes=CODES, multiline=False) == cleaned.strip()
