"""Rich text of lessons: what a browser would run or load from elsewhere is gone, what a lesson needs stays,
and markup deep enough to stall the parser is refused before it is parsed."""

import time

import pytest

from charter.common.errors import DomainError
from charter.common.richtext import MAX_RICH_TEXT_DEPTH, rich_text_clean


def test_scripts_and_styles_go_with_their_content() -> None:
    cleaned = rich_text_clean("<p>礼貌用语<script>alert(1)</script></p><style>p{color:red}</style>")

    assert cleaned == "<p>礼貌用语</p>"


def test_event_handlers_and_style_attributes_go() -> None:
    cleaned = rich_text_clean('<p onclick="steal()" style="color:red">a</p><img src="/x.png" onerror="x()">')

    assert "onclick" not in cleaned and "onerror" not in cleaned and "style" not in cleaned
    assert '<img src="/x.png">' in cleaned


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>", "vbscript:x", "/x"],
)
def test_links_other_than_http_and_mailto_lose_their_target(href: str) -> None:
    cleaned = rich_text_clean(f'<a href="{href}">here</a>')

    assert "href" not in cleaned
    assert "here" in cleaned


def test_http_and_mailto_links_stay_with_noopener() -> None:
    cleaned = rich_text_clean(
        '<a href="https://intranet.example/v">v</a> <a href="mailto:hr@example.com">m</a>'
    )

    assert 'href="https://intranet.example/v"' in cleaned
    assert 'href="mailto:hr@example.com"' in cleaned
    assert cleaned.count('rel="noopener noreferrer"') == 2


@pytest.mark.parametrize(
    "src", ["https://evil.example/pixel.png", "//evil.example/p.png", "data:image/png;base64,AAAA", "/\\evil"]
)
def test_images_from_elsewhere_are_dropped(src: str) -> None:
    assert rich_text_clean(f'<p>a<img src="{src}" alt="x"></p>') == "<p>a</p>"


def test_what_a_lesson_needs_stays() -> None:
    markup = (
        "<h2>标题</h2><ol><li><strong>一</strong></li><li><em>二</em></li></ol><blockquote><u>引</u></blockquote>"
        '<table><tbody><tr><th colspan="2">表</th></tr></tbody></table><pre><code>x = 1</code></pre>'
        '<img src="/media/a.png" alt="图">'
    )

    assert rich_text_clean(markup) == markup


def test_forms_and_frames_go() -> None:
    cleaned = rich_text_clean('<form action="/x"><input name="a"></form><iframe src="https://x"></iframe>ok')

    assert cleaned == "ok"


def test_too_long_refused_with_the_field() -> None:
    with pytest.raises(DomainError) as refused:
        rich_text_clean("<p>" + "字" * 50 + "</p>", max_length=20, field="body_zh")

    assert refused.value.field == "body_zh"


def test_deep_nesting_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(DomainError) as refused:
        rich_text_clean("<div>" * 50_000 + "x")

    assert refused.value.field == "body"
    assert time.monotonic() - started < 2


def test_nesting_up_to_the_limit_is_kept() -> None:
    markup = "<div>" * MAX_RICH_TEXT_DEPTH + "x" + "</div>" * MAX_RICH_TEXT_DEPTH

    assert rich_text_clean(markup) == markup


def test_blank_is_empty() -> None:
    assert rich_text_clean("  \n ") == ""
