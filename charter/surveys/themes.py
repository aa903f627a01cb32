"""Themes of free-text comments, in Chinese and English: what customers keep writing about.

Each comment's keywords are extracted by TF-IDF with jieba (`jieba.analyse.extract_tags`, with the
dictionary and IDF table jieba ships: nothing is downloaded), after dropping a small list of Chinese and
English stop words. A long Chinese keyword also counts for the keywords of other comments inside it
(服务态度 for 态度); English words are lower-cased and made singular (bills → bill). A theme is a keyword
written in at least two comments; keywords found in mostly the same comments join one theme (水费 · 账单).
Themes come most frequent first, with how many comments mention them and a few examples.

jieba is loaded on first use, never at import time, by charter.common.segmentation (its cache kept in our
own directory).
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache

from charter.common.segmentation import jieba_load as _load_jieba

KEYWORDS_PER_COMMENT = 8
MIN_COMMENTS = 2  # a keyword from one comment is an anecdote, not a theme
SAME_THEME_OVERLAP = 0.8  # a keyword whose comments are mostly a theme's joins it
MAX_KEYWORDS_PER_THEME = 3
EXAMPLE_LENGTH = 200
CACHE_SECONDS = 600

ENGLISH_STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each even ever every few for from
    further get got had has have having he her here hers him his how however i if in into is it its itself
    just let me more most much my no nor not now of off on once one only or other our ours out over own
    please quite rather really same she should so some still such than thank thanks that the their them
    then there these they this those through thus to too under until up upon us very via was we were what
    when where which while who whom why will with within without would yes yet you your yours
    """.split()
)

CHINESE_STOP_WORDS = frozenset(
    """
    这个 那个 这些 那些 这样 那样 我们 你们 他们 她们 它们 自己 没有 非常 一个 一些 一下 什么 怎么
    还是 就是 而且 但是 因为 所以 已经 可以 希望 服务 问题 时候 现在 今天 昨天 感觉 觉得 比较 一直
    真的 还有 或者 如果 然后 其他 以后 之前 之后 不是 有点 特别 这次 本次
    """.split()
)

_LATIN = re.compile(r"^[a-z0-9][a-z0-9'&._%+#-]*$")


@dataclass(frozen=True)
class Theme:
    """Keywords found in the same comments, how many comments mention them, and a few of those comments."""

    keywords: tuple[str, ...]
    count: int
    examples: tuple[str, ...]

    @property
    def label(self) -> str:
        return " · ".join(self.keywords)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _normalised(word: str) -> str | None:
    """The keyword as counted, or None when it is a stop word, a number or too short to mean much."""
    word = word.strip().lower()
    if not word or any(char.isdigit() for char in word):
        return None
    if _LATIN.match(word):
        if len(word) < 3 or word in ENGLISH_STOP_WORDS:
            return None
        word = _singular(word)
        return None if word in ENGLISH_STOP_WORDS else word
    if len(word) < 2 or word in CHINESE_STOP_WORDS or not any(char.isalpha() for char in word):
        return None
    return word


def comment_keywords(text: str) -> set[str]:
    """Return the keywords of one comment (at most KEYWORDS_PER_COMMENT), normalised as themes count them."""
    jieba = _load_jieba()
    keywords: set[str] = set()
    for tag in jieba.analyse.extract_tags(text, topK=None):
        word = _normalised(tag)
        if word is not None:
            keywords.add(word)
            if len(keywords) >= KEYWORDS_PER_COMMENT:
                break
    return keywords


def _with_compounds(comments_with: dict[str, set[int]]) -> dict[str, set[int]]:
    """Count a Chinese compound keyword for the shorter keywords inside it (服务态度 for 态度), when those are
    keywords of other comments too; splitting every compound would turn fragments (作人 in 工作人员) into
    themes."""
    jieba = _load_jieba()
    grown = {word: set(indexes) for word, indexes in comments_with.items()}
    for word, indexes in comments_with.items():
        if len(word) < 3 or _LATIN.match(word):
            continue
        for part in jieba.cut_for_search(word):
            if part != word and part in comments_with:
                grown[part] |= indexes
    return grown


def _example(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_LENGTH else text[: EXAMPLE_LENGTH - 1] + "…"


def themes_extract(comments: Sequence[str], *, top: int = 8, examples: int = 3) -> list[Theme]:
    """Return the `top` themes of `comments` (given most recent first), each with at most `examples` of
    its comments in that order. Comments without keywords count for nothing."""
    comments_with: dict[str, set[int]] = {}
    for index, text in enumerate(comments):
        for word in comment_keywords(text):
            comments_with.setdefault(word, set()).add(index)
    candidates = sorted(
        (item for item in _with_compounds(comments_with).items() if len(item[1]) >= MIN_COMMENTS),
        key=lambda item: (-len(item[1]), item[0]),
    )
    groups: list[tuple[list[str], set[int]]] = []
    for word, indexes in candidates:
        group = next(
            (
                group
                for group in groups
                if len(indexes & group[1]) >= SAME_THEME_OVERLAP * len(indexes)
                and len(indexes & group[1]) >= SAME_THEME_OVERLAP * len(group[1])
            ),
            None,
        )
        if group is not None:
            if len(group[0]) < MAX_KEYWORDS_PER_THEME and not any(
                word in kept or kept in word for kept in group[0]
            ):
                group[0].append(word)
            continue
        if len(groups) < top:
            groups.append(([word], indexes))
    return [
        Theme(
            keywords=tuple(words),
            count=len(indexes),
            examples=tuple(_example(comments[index]) for index in sorted(indexes)[:examples]),
        )
        for words, indexes in groups
    ]


def themes_cached(comments: Sequence[str], *, top: int = 8, examples: int = 3) -> list[Theme]:
    """Like themes_extract, remembered for CACHE_SECONDS for the same comments (segmenting is slow)."""
    digest = hashlib.sha256()
    for text in comments:
        digest.update(text.encode())
        digest.update(b"\x00")
    key = f"surveys:themes:{top}:{examples}:{digest.hexdigest()}"
    found = cache.get(key)
    if found is not None:
        return list(found)
    themes = themes_extract(comments, top=top, examples=examples)
    cache.set(key, themes, CACHE_SECONDS)
    return themes
