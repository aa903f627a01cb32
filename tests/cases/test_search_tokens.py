from hypothesis import given
from hypothesis import strategies as st

from charter.cases.search import document_tokens, query_terms


def test_chinese_is_indexed_as_characters_and_pairs() -> None:
    assert document_tokens(["水表读数"]) == sorted(["水", "表", "读", "数", "水表", "表读", "读数"])


def test_latin_words_are_lower_cased_and_full_width_forms_folded() -> None:
    assert document_tokens(["Water METER ＡＢＣ 123"]) == ["123", "abc", "meter", "water"]


def test_mixed_text_splits_at_script_boundaries() -> None:
    assert document_tokens(["停水3天"]) == sorted(["停", "水", "停水", "3", "天"])


def test_query_of_a_chinese_word_needs_all_its_pairs() -> None:
    assert query_terms("水表读数") == [("水表", False), ("表读", False), ("读数", False)]


def test_query_of_one_character_and_an_english_prefix() -> None:
    assert query_terms("水 mete") == [("水", False), ("mete", True)]


def test_punctuation_emoji_and_quotes_yield_no_terms() -> None:
    assert query_terms("\"'*()😀：，") == []


def test_cjk_extension_b_characters_are_indexed() -> None:
    assert "𠀀𠀁" in document_tokens(["𠀀𠀁"])


@given(st.text())
def test_every_query_term_of_a_text_is_in_that_texts_tokens(text: str) -> None:
    tokens = set(document_tokens([text]))

    for token, is_prefix in query_terms(text):
        assert token in tokens or (is_prefix and any(t.startswith(token) for t in tokens))
