"""Themes of comments in Chinese and English, with jieba loaded lazily and quietly."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from charter.common import segmentation
from charter.surveys import themes
from charter.surveys.themes import comment_keywords, themes_cached, themes_extract

CHINESE = [
    "这个月的水费账单金额不对，比上个月多了一倍",
    "水费账单看不懂，希望能解释一下",
    "客服态度很差，说话不耐烦",
    "账单上的水费计算有误",
    "工作人员态度很好，很耐心",
    "服务态度冷淡，敷衍了事",
    "谢谢",
]

ENGLISH = [
    "The bill was wrong and nobody explained the charges",
    "Very rude staff, bad attitude on the phone",
    "Billing errors again: the water bill doubled",
    "Staff were rude and the bills are confusing",
]


def test_chinese_comments_group_into_bills_and_attitude() -> None:
    found = themes_extract(CHINESE, top=5)

    by_label = {theme.label: theme for theme in found}
    assert set(by_label) == {"水费 · 账单", "态度"}
    assert by_label["水费 · 账单"].count == 3
    # examples in the order given (most recent first)
    assert by_label["水费 · 账单"].examples == (CHINESE[0], CHINESE[1], CHINESE[3])
    # 服务态度 counts for 态度
    assert by_label["态度"].count == 3 and CHINESE[5] in by_label["态度"].examples


def test_english_comments_are_lower_cased_made_singular_and_stop_words_dropped() -> None:
    found = themes_extract(ENGLISH, top=5)

    labels = [theme.label for theme in found]
    assert labels[0] == "bill"
    assert found[0].count == 3
    assert "rude · staff" in labels
    assert not any(word in label.split(" · ") for label in labels for word in ("the", "was", "and", "very"))


def test_mixed_languages_are_counted_together_most_frequent_first() -> None:
    found = themes_extract(CHINESE + ENGLISH, top=3, examples=1)

    assert [theme.count for theme in found] == sorted((theme.count for theme in found), reverse=True)
    assert len(found) == 3
    assert all(len(theme.examples) == 1 for theme in found)


def test_a_keyword_from_one_comment_is_not_a_theme() -> None:
    assert themes_extract(["水费太贵了"]) == []
    assert themes_extract([]) == []
    assert themes_extract(["", "   ", "123 456"]) == []


def test_numbers_and_stop_words_are_not_keywords() -> None:
    keywords = comment_keywords("我们 2026年 非常 the and 问题 账单")

    assert keywords == {"账单"}


def test_long_examples_are_shortened() -> None:
    long = "水费账单" + "很长的说明" * 100

    found = themes_extract([long, "水费账单又错了"], examples=2)

    assert len(found[0].examples[0]) == themes.EXAMPLE_LENGTH
    assert found[0].examples[0].endswith("…")


def test_themes_are_remembered_for_the_same_comments(monkeypatch: Any) -> None:
    first = themes_cached(CHINESE)
    monkeypatch.setattr(themes, "themes_extract", lambda *args, **kwargs: [])

    assert themes_cached(CHINESE) == first
    assert themes_cached([*CHINESE, "新的"]) == []


def test_jieba_cache_goes_under_var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path

    path = Path(segmentation._cache_dir())

    assert path == tmp_path / "jieba"
    assert path.stat().st_mode & 0o777 == 0o700


def test_jieba_cache_falls_back_to_a_private_temp_dir(settings: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings.VAR_DIR = blocker

    path = Path(segmentation._cache_dir())

    assert path.is_dir() and path.name.startswith("charter-jieba-")
    assert path.stat().st_mode & 0o777 == 0o700
    path.rmdir()


def test_importing_themes_does_not_load_jieba() -> None:
    code = (
        "import sys, django; django.setup(); import charter.surveys.themes, charter.surveys.analysis; "
        "print('jieba' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "charter.config.settings"}

    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )

    assert result.stdout.strip() == "False"


def test_a_new_process_segments_quietly_with_its_cache_under_var_dir(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from charter.surveys.themes import comment_keywords; "
        "print(sorted(comment_keywords('水费账单金额不对')))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "charter.config.settings",
        "CHARTER_VAR_DIR": str(tmp_path),
    }

    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )

    assert "水费" in result.stdout
    assert result.stderr == ""  # no "Building prefix dict…" on the console
    assert (tmp_path / "jieba" / "jieba.cache").is_file()
