"""Search precision: a query's pairs adjacent and in order, quoted phrases, two-character words, English
words and prefixes, mixed scripts and punctuation, on the database in use (SQLite FTS5 or PostgreSQL)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case, CaseMessage
from charter.cases.search import case_search_filter, case_search_index, case_search_reindex_all
from tests.cases.conftest import new_case
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(routed_team: Team, other_customer: Customer) -> dict[str, Case]:
    made = {
        "hours": ("等了三个小时还没人处理", "窗口排队太久"),
        "people": ("三个人等了一个小时", "排队的人很多"),
        "refund": ("Refund request for order 88", "The refund request was ignored"),
        "reversed": ("Request a refund", "Please refund my request fee"),
        "attitude": ("服务态度差", "工作人员态度很差，不理人"),
        "water": ("停水3天了", "小区停水3天，没有通知"),
        "split": ("三个", "小时工的问题"),
    }
    return {
        key: new_case(None, other_customer, title=title, description=description)
        for key, (title, description) in made.items()
    }


def found(query: str) -> set[str]:
    return set(case_search_filter(Case.objects.all(), query).values_list("title", flat=True))


def test_the_issues_example_needs_the_pairs_adjacent_and_in_order(cases: dict[str, Case]) -> None:
    assert found("三个小时") == {cases["hours"].title}


def test_a_two_character_word_matches_anywhere(cases: dict[str, Case]) -> None:
    assert found("态度") == {cases["attitude"].title}
    assert found("小时") == {cases["hours"].title, cases["people"].title, cases["split"].title}


def test_a_single_character_matches_inside_longer_runs(cases: dict[str, Case]) -> None:
    assert cases["attitude"].title in found("度")


def test_quoted_text_matches_as_a_phrase(cases: dict[str, Case]) -> None:
    assert found('"refund request"') == {cases["refund"].title}
    assert found("“三个小时”") == {cases["hours"].title}
    assert found('"等了三个小时"') == {cases["hours"].title}
    assert found('"三个小时还有"') == set()


def test_unquoted_english_words_match_in_any_order_and_as_prefixes(cases: dict[str, Case]) -> None:
    assert found("refund request") == {cases["refund"].title, cases["reversed"].title}
    assert found("refu") == {cases["refund"].title, cases["reversed"].title}
    assert found('"refu request"') == set()


def test_mixed_scripts_and_punctuation(cases: dict[str, Case]) -> None:
    assert found("停水3天") == {cases["water"].title}
    assert found('"停水3天"') == {cases["water"].title}
    assert found("停水，3天！") == {cases["water"].title}
    assert found('"停水 4天"') == set()
    assert found("\"'*()😀：，") == set()
    assert found("") == set()


def test_a_phrase_never_spans_the_title_and_the_description(cases: dict[str, Case]) -> None:
    # "split" has 三个 at the end of its title and 小时 at the start of its description.
    assert cases["split"].title not in found("三个小时")
    assert cases["split"].title not in found('"三个 小时"')


def test_messages_are_searched_as_phrases(cases: dict[str, Case]) -> None:
    case = cases["attitude"]
    CaseMessage.objects.create(
        case=case, author_kind="staff", body="已回电，客户等了两个小时", created_at=timezone.now()
    )
    case_search_index(case)

    assert found("两个小时") == {case.title}
    assert found("两个人") == set()


def test_reindexing_everything_keeps_the_same_answers(cases: dict[str, Case]) -> None:
    before = {query: found(query) for query in ("三个小时", "态度", '"refund request"', "停水3天")}

    assert case_search_reindex_all(batch_size=3) >= len(cases)

    assert {query: found(query) for query in before} == before


def test_the_desk_search_uses_the_same_precision(cases: dict[str, Case], member: User) -> None:
    page = client_for(member).get(reverse("cases:desk_queue"), {"queue": "all", "q": "三个小时"})

    text = page.content.decode()
    assert cases["hours"].number in text
    assert cases["people"].number not in text


def test_a_long_query_is_cut_to_a_bounded_number_of_tokens() -> None:
    from charter.cases.search import MAX_QUERY_TERMS, query_phrases

    phrases = query_phrases("水" * 200 + ' "' + "a b c " * 40 + '"')

    assert sum(len(tokens) for tokens, _prefix in phrases) <= MAX_QUERY_TERMS
