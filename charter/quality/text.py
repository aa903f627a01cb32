"""Pure checks on the text of a reply, in Chinese and English: no database, no clock.

Phrases are matched on segmented, normalised text, so that simple variants of a configured phrase are caught:

- Text is read after NFKC normalisation (full-width letters, digits and brackets become their plain forms,
  curly apostrophes straight) and case-folded.
- Chinese is segmented into words with jieba (its bundled dictionary, no HMM guessing: deterministic), and
  pronouns are folded into one form: 我们/咱们/咱/俺 count as 我, 您/你们/您们 as 你. So "不归我管" also
  matches "不归我们管" and "不归咱们管". Without fillers, a Chinese phrase matches wherever its characters
  appear, as before.
- English is split into words on word boundaries ("hello" is not in "Othello"); contractions are spelled out
  (isn't → is not, that's → that is), forms of be/have/do and the first person are folded (we/I, our/my,
  us/me), and words are reduced to a crude stem (problems → problem, explained → explain). So "not my job"
  also matches "not our job" and "isn't my job".
- Between the words of a phrase (as jieba or the spaces split the phrase itself, and inside a Chinese word
  where the reply's words allow), up to MAX_FILLERS words of the reply may stand: "不归我们部门管",
  "没啥关系", "not really my job". A Chinese filler is any short word, an English one only a qualifier
  (really, just, even, own, already…). A filler is never punctuation nor a negation (不, 没, not…), which
  would turn the phrase's meaning around. Jargon and greetings are matched without fillers.

An exception ("您不知道" for "不知道") is matched the same way and covers an occurrence of the phrase that it
contains.

Patterns catch a kind of wording rather than one phrasing. A phrase with square brackets or a star is a
pattern, matched on the same segmented, normalised words (so 您 is 你 and "you'll" is "you will") but with its
gaps spelled out instead of fillers:

- ``[去|找|问]`` stands for one of the words between the brackets; an empty choice makes it optional
  (``[再|]``);
- ``*`` stands for up to GAP_WORDS words of the same sentence, none a negation (不, 没, 别, not, no…):
  ``你 自己 [去|找|问]`` catches "你自己去窗口问", ``找 * 去`` catches "你找快递公司去吧", and
  ``[you will|you'll] have to * [call|ask|contact|take]`` catches "you'll have to call the council" but not
  "you won't have to call";
- everything else is matched as written, word after word (spaces separate English words, Chinese is matched
  character by character however jieba happens to split it).

The exceptions of a pattern are patterns too, each covering the occurrences it contains; an exception starting
with ``+`` (of a phrase or a pattern) is a pattern that excuses the rule wherever the reply contains it:
"+[我 已|我 会] * [帮 你|为 你]" spares a reply in which the agent names another department but keeps the case
("我已帮您转给燃气公司并跟进").

A jargon rule whose phrase is ACRONYM_SLOT, "{ACRONYM}", stands for every acronym of a reply.

Replies are segmented once (a small LRU cache) and phrases compiled once (another LRU cache); a reply of a few
sentences is checked against the shipped rules (about two hundred phrases and as many patterns) in about five
milliseconds, after jieba's one-time loading (about a second per process).
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from charter.common.segmentation import jieba_load

# How far into a reply a greeting or form of address counts as opening it.
GREETING_WINDOW = 30
# How many words of the reply may stand between two words of a phrase, and how long each may be.
MAX_FILLERS = 2
_FILLER_LENGTH = 12
# What may stand between a jargon term and its explanation, and what introduces one.
_EXPLANATION_GAP = re.compile(r"^[\s,，:：、]{0,2}")
# How many characters of a Chinese compound may follow a term before its explanation (预付费表).
_COMPOUND_TAIL = 2
_EXPLANATION_MARKS = (
    "(",
    "即",
    "也就是",
    "是指",
    "指的是",
    "i.e.",
    "ie.",
    "that is",
    "meaning",
    "which means",
)

MOBILE_PATTERN = re.compile(r"(?<![\d])(?:(?:\+|00)86[ \-]?)?(1[3-9]\d(?:[ \-]?\d){8})(?![\d])")
ID_NUMBER_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])"
    r"(?![0-9A-Za-z])"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARACTERS = "10X98765432"

# Segmentation ------------------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<latin>[^\W_{_CJK}]+(?:'[^\W_{_CJK}]+)*)|(?P<other>\S)")
_IS_CJK = re.compile(rf"[{_CJK}]")
# In the stream a reply is matched on, words are separated by _SEPARATOR; punctuation is one _PUNCTUATION.
_SEPARATOR = "\x01"
_PUNCTUATION = "\x02"
_CHINESE_PRONOUNS = (
    (re.compile("我们|咱们|俺们|咱|俺"), "我"),
    (re.compile("您们|你们|您|妳"), "你"),
)
# Function words written in several ways, folded into one (whole words only: 参与 keeps its 与).
_CHINESE_SYNONYMS = {
    **dict.fromkeys(("和", "与", "同"), "跟"),
    "讲": "说",
    "啥": "什么",
    "干嘛": "干什么",
    "没有": "没",
    "咋": "怎么",
    "甭": "别",
}
_ENGLISH_FORMS = {
    **dict.fromkeys(("we", "i"), "i"),
    **dict.fromkeys(("us", "me"), "me"),
    **dict.fromkeys(("our", "my"), "my"),
    **dict.fromkeys(("ours", "mine"), "mine"),
    **dict.fromkeys(("ourselves", "myself"), "myself"),
    **dict.fromkeys(("yourselves", "yourself"), "yourself"),
    **dict.fromkeys(("am", "is", "are", "was", "were", "be", "been", "being"), "be"),
    **dict.fromkeys(("has", "have", "had", "having"), "have"),
    **dict.fromkeys(("does", "do", "did", "doing", "done"), "do"),
    "said": "say",
    "says": "say",
    "told": "tell",
    "gave": "give",
    "given": "give",
    "went": "go",
    "gone": "go",
    "got": "get",
    "gotten": "get",
    "paid": "pay",
    "knew": "know",
    "known": "know",
    "understood": "understand",
    "thought": "think",
    "came": "come",
    "made": "make",
    "sent": "send",
    "meant": "mean",
    "heard": "hear",
    "left": "leave",
}
# Words of the same meaning, by stem (phone, phoning, rang → call).
_ENGLISH_SYNONYMS = {"phon": "call", "ring": "call", "rang": "call", "rung": "call"}
_NOT_CONTRACTIONS = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "be"}
_CONTRACTIONS = {"'re": "be", "'m": "be", "'ve": "have", "'ll": "will", "'d": "would"}
_IS_CONTRACTED = frozenset(
    "it that what there here he she who where how everything nothing something everyone this".split()
)
_NEGATIONS = ("not", "no", "never", "nothing", "nobody")
_CHINESE_NEGATIONS = "不没别未非无勿莫"


def _stem(word: str) -> str:
    """A crude, deterministic English stem: the same for a word and its plural, past and -ing forms (and for
    a few synonyms)."""
    stem = _suffix_stripped(word)
    return _ENGLISH_SYNONYMS.get(stem, stem)


def _suffix_stripped(word: str) -> str:
    if word in _ENGLISH_FORMS:
        return _ENGLISH_FORMS[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouylsz":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _english_words(word: str) -> list[str]:
    """The normalised words one written English word stands for ("isn't" → be, not)."""
    word = word.casefold()
    if word.endswith("n't"):
        base = _NOT_CONTRACTIONS.get(word, word[:-3])
        return [_stem(base), "not"]
    for ending, meaning in _CONTRACTIONS.items():
        if word.endswith(ending) and len(word) > len(ending):
            return [_stem(word[: -len(ending)]), meaning]
    if word.endswith("'s") and len(word) > 2:
        base = word[:-2]
        return [_stem(base), "be"] if base in _IS_CONTRACTED else [_stem(base)]
    return [_stem(word)]


@dataclass(frozen=True)
class _Word:
    """One normalised word of a text (a Chinese word, an English word or one punctuation mark), with the
    span of the NFKC text it was read from; `exact` when it is that text case-folded, unchanged."""

    form: str
    start: int
    end: int
    exact: bool
    is_latin: bool


def _words(body: str) -> Iterator[_Word]:
    for match in _RUN.finditer(body):
        start, end = match.span()
        if match.lastgroup == "cjk":
            jieba = jieba_load()
            for word, word_start, word_end in jieba.tokenize(match.group(), HMM=False):
                form = _CHINESE_SYNONYMS.get(word, word)
                for pattern, replacement in _CHINESE_PRONOUNS:
                    form = pattern.sub(replacement, form)
                yield _Word(form, start + word_start, start + word_end, form == word, False)
        elif match.lastgroup == "latin":
            written = match.group()
            forms = _english_words(written)
            exact = forms == [written.casefold()]
            for form in forms:
                yield _Word(form, start, end, exact, True)
        else:
            yield _Word(_PUNCTUATION, start, end, False, False)


@dataclass(frozen=True)
class Segmented:
    """A text as the phrase checks read it: the NFKC `body`, and the `stream` of its normalised words joined
    by _SEPARATOR, with the span of `body` each character of the stream stands for."""

    body: str
    stream: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `body` that the stream's characters start…end stand for."""
        inside = [index for index in range(start, end) if self.starts[index] >= 0]
        if not inside:
            return (0, 0)
        return (min(self.starts[i] for i in inside), max(self.ends[i] for i in inside))


@functools.lru_cache(maxsize=64)
def segment(text: str) -> Segmented:
    """Return `text` segmented and normalised for phrase matching (see the module's docstring)."""
    body = normalise(text)
    stream: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for word in _words(body):
        if stream:
            stream.append(_SEPARATOR)
            starts.append(-1)
            ends.append(-1)
        for offset, character in enumerate(word.form):
            stream.append(character)
            if word.exact and len(word.form) == word.end - word.start:
                starts.append(word.start + offset)
                ends.append(word.start + offset + 1)
            else:
                starts.append(word.start)
                ends.append(word.end)
    return Segmented(body, "".join(stream), tuple(starts), tuple(ends))


# A filler in Chinese is any short word; in English only a word that qualifies without changing what is said
# ("not really my job", "your own fault"): "your broadband fault" is no "your fault".
_CHINESE_FILLER = (
    rf"(?!(?:{'|'.join(_NEGATIONS)}){_SEPARATOR})(?![{_CHINESE_NEGATIONS}])"
    rf"[^{_SEPARATOR}{_PUNCTUATION}]{{1,{_FILLER_LENGTH}}}"
)
_ENGLISH_FILLERS = (
    "really just even actually exactly own all quite simply honestly entirely certainly truly very so "
    "the a an already ever again still also too now then more else that this"
)
_ENGLISH_FILLER = "(?:" + "|".join(sorted({_stem(word) for word in _ENGLISH_FILLERS.split()})) + ")"


# Patterns -----------------------------------------------------------------------------------------------

# How many words a * of a pattern stands for, and how long each may be.
GAP_WORDS = 5
_GAP_WORD_LENGTH = 24
_PATTERN_MARKS = frozenset("[]*")
_PATTERN_PART = re.compile(r"\[(?P<choice>[^\[\]]*)\]|(?P<gap>\*)|(?P<words>[^\[\]*]+)|(?P<stray>[\[\]])")
REPLY_WIDE = "+"
# A gap word is not a negation: in English none of _NEGATIONS, in Chinese no word starting with 不, 没, 未,
# 无, 勿, 莫 or 甭 (不用, 没有, 无需…), nor 别 or 非 on their own (别的 and 非常 may stand in a gap).
_GAP_WORD_START = (
    rf"(?!(?:{'|'.join(_NEGATIONS)})(?:{_SEPARATOR}|$))"
    rf"(?![不没未无勿莫甭])(?!(?:别|非)(?:{_SEPARATOR}|$))"
    rf"[^{_SEPARATOR}{_PUNCTUATION}]{{1,{_GAP_WORD_LENGTH}}}"
)
# Every gap word but the last runs to the end of its word: otherwise a long token (a meter number, a pasted
# id) could be cut into gap words in very many ways, and a failing pattern tried them all (seconds on one
# reply). The last may stop inside a word, so that "* 人" still finds 人 at the end of 其他人.
_GAP_WORD = rf"{_GAP_WORD_START}(?![^{_SEPARATOR}{_PUNCTUATION}])"
_GAP = rf"(?:{_SEPARATOR}?{_GAP_WORD}){{0,{GAP_WORDS - 1}}}(?:{_SEPARATOR}?{_GAP_WORD_START})?"


def is_pattern(phrase: str) -> bool:
    """True when `phrase` is written as a pattern (has a choice in square brackets or a * gap)."""
    return any(character in _PATTERN_MARKS for character in phrase)


class PatternError(StrEnum):
    """What may be wrong with a pattern."""

    UNBALANCED = "unbalanced"  # a square bracket without its pair, or brackets inside brackets
    STRAY_BAR = "stray_bar"  # a | outside square brackets
    NO_WORDS = "no_words"  # nothing but gaps and empty choices


def pattern_error(phrase: str) -> PatternError | None:
    """Return what is wrong with `phrase` (or an exception line) as a pattern, or None when it is a plain
    phrase or a well-formed pattern."""
    phrase = phrase.removeprefix(REPLY_WIDE)
    if not is_pattern(phrase) and "|" not in phrase:
        return None
    has_words = False
    for part in _PATTERN_PART.finditer(phrase):
        if part.lastgroup == "stray":
            return PatternError.UNBALANCED
        if part.lastgroup == "words":
            if "|" in part.group():
                return PatternError.STRAY_BAR
            has_words = has_words or bool(list(_words(normalise(part.group()).strip())))
        if part.lastgroup == "choice":
            has_words = has_words or any(
                list(_words(normalise(choice.replace("*", " ")).strip()))
                for choice in part.group("choice").split("|")
            )
    return None if has_words else PatternError.NO_WORDS


def _words_regex(words: Sequence[_Word]) -> str:
    """The regex of words matched as written, in order, on a segmented stream."""
    parts = []
    for word in words:
        if word.form == _PUNCTUATION:
            parts.append(_PUNCTUATION)
        elif word.is_latin:
            parts.append(rf"(?<![^{_SEPARATOR}]){re.escape(word.form)}(?![^{_SEPARATOR}])")
        else:
            parts.append(f"{_SEPARATOR}?".join(re.escape(character) for character in word.form))
    return f"{_SEPARATOR}?".join(parts)


@functools.lru_cache(maxsize=2048)
def _pattern_regex(pattern: str) -> re.Pattern[str] | None:
    """The regex of a pattern (see the module's docstring) on a segmented stream; None for a malformed one."""
    if pattern_error(pattern) is not None:
        return None
    parts: list[str] = []
    for part in _PATTERN_PART.finditer(pattern):
        if part.lastgroup == "gap":
            parts.append(_GAP)
        elif part.lastgroup == "choice":
            choices = [_choice_regex(choice) for choice in part.group("choice").split("|")]
            written = sorted({choice for choice in choices if choice}, key=len, reverse=True)
            optional = "?" if not all(choices) else ""
            parts.append(f"(?:{'|'.join(written)}){optional}")
        else:
            words = list(_words(normalise(part.group()).strip()))
            if words:
                parts.append(_words_regex(words))
    return re.compile(f"{_SEPARATOR}?".join(parts))


def _choice_regex(choice: str) -> str:
    """The regex of one choice between square brackets, which may have gaps of its own ("take * up"); an
    empty string for the empty choice."""
    pieces = [_words_regex(list(_words(normalise(piece).strip()))) for piece in choice.split("*")]
    if not any(pieces):
        return ""
    return f"{_SEPARATOR}?{_GAP}{_SEPARATOR}?".join(pieces)


@functools.lru_cache(maxsize=2048)
def _phrase_pattern(phrase: str, fillers: bool) -> re.Pattern[str] | None:
    """The pattern of `phrase` on a segmented stream (None for a phrase without words); a phrase written as a
    pattern is compiled as one."""
    if is_pattern(phrase):
        return _pattern_regex(phrase)
    words = list(_words(normalise(phrase).strip()))
    if not words:
        return None
    english = rf"{_SEPARATOR}(?:{_ENGLISH_FILLER}{_SEPARATOR}){{0,{MAX_FILLERS}}}" if fillers else _SEPARATOR
    chinese = rf"{_SEPARATOR}(?:{_CHINESE_FILLER}{_SEPARATOR}){{0,{MAX_FILLERS}}}" if fillers else _SEPARATOR
    parts: list[str] = []
    for index, word in enumerate(words):
        if index:
            both_latin = word.is_latin and words[index - 1].is_latin
            parts.append(english if both_latin else f"(?:{chinese})?")
        if word.is_latin:
            parts.append(re.escape(word.form))
        else:
            # A Chinese phrase matches however the reply happens to be segmented around it, with fillers
            # wherever the reply's words allow (没关系 in 没啥关系).
            parts.append(f"(?:{chinese})?".join(re.escape(character) for character in word.form))
    start = rf"(?<![^{_SEPARATOR}])" if words[0].is_latin else ""
    end = rf"(?![^{_SEPARATOR}])" if words[-1].is_latin else ""
    return re.compile(start + "".join(parts) + end)


def _matches(segmented: Segmented, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """Every match of `pattern` in the stream, overlapping ones too."""
    position = 0
    while (match := pattern.search(segmented.stream, position)) is not None:
        yield match
        position = match.start() + 1


def normalise(text: str) -> str:
    """Return `text` in the form every check reads: NFKC, curly apostrophes straightened."""
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")


def phrase_spans(
    text: str, phrase: str, exceptions: Sequence[str] = (), *, fillers: bool = True
) -> list[tuple[int, int]]:
    """Return the spans of normalise(`text`) where `phrase` occurs and no exception covers it.

    `fillers` allows up to MAX_FILLERS words between the words of the phrase (and of its exceptions).
    """
    pattern = _phrase_pattern(phrase, fillers)
    if pattern is None:
        return []
    segmented = segment(text)
    found = [match.span() for match in pattern.finditer(segmented.stream)]
    if not found:
        return []
    covered: list[tuple[int, int]] = []
    for exception in exceptions:
        if exception.startswith(REPLY_WIDE):
            reply_wide = _pattern_regex(exception[len(REPLY_WIDE) :].strip())
            if reply_wide is not None and reply_wide.search(segmented.stream):
                return []
            continue
        exception_pattern = (
            _pattern_regex(exception) if is_pattern(phrase) else _phrase_pattern(exception, fillers)
        )
        if exception_pattern is not None:
            covered.extend(match.span() for match in _matches(segmented, exception_pattern))
    return [
        segmented.span(start, end)
        for start, end in found
        if not any(begin <= start and end <= finish for begin, finish in covered)
    ]


def phrase_find(
    text: str, phrase: str, exceptions: Sequence[str] = (), *, fillers: bool = True
) -> str | None:
    """Return the first occurrence of `phrase` in `text` that is not inside an exception (as written in the
    normalised text), or None."""
    spans = phrase_spans(text, phrase, exceptions, fillers=fillers)
    if not spans:
        return None
    start, end = spans[0]
    return normalise(text)[start:end]


_QUOTATION = re.compile(r"“[^“”]{1,200}”|「[^「」]{1,200}」|『[^『』]{1,200}』|\"[^\"]{1,200}\"")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of normalise(`text`) inside quotation marks (“…”, 「…」, "…"): words the reply
    quotes, usually the customer's, which are not the agent's own wording."""
    return [match.span() for match in _QUOTATION.finditer(normalise(text))]


def excerpt_around(text: str, fragment: str, width: int = 20) -> str:
    """Return `fragment` with up to `width` characters of `text` on either side, on one line."""
    body = normalise(text)
    index = body.casefold().find(normalise(fragment).casefold())
    if index < 0:
        return fragment
    # Quote what the agent wrote (full-width punctuation and all) when normalising kept the positions.
    source = text if len(text) == len(body) else body
    start, end = max(index - width, 0), min(index + len(fragment) + width, len(body))
    snippet = ("…" if start else "") + source[start:end] + ("…" if end < len(body) else "")
    return " ".join(snippet.split())[:300]


def _explanation_follows(after: str) -> bool:
    """True when an explanation starts right after a term, or after the rest of a Chinese compound it starts
    (预付费表（先充值后用电）)."""
    for tail in range(_COMPOUND_TAIL + 1):
        if tail and not _IS_CJK.match(after[tail - 1 : tail]):
            break
        rest = after[tail:]
        rest = rest[_EXPLANATION_GAP.match(rest).end() :]  # type: ignore[union-attr]
        if rest.casefold().startswith(_EXPLANATION_MARKS):
            return True
    return False


def jargon_is_explained(text: str, term: str, hint: str = "") -> bool:
    """True when `term` does not appear, or one of its uses is explained nearby.

    Explained means: followed (directly, or after the rest of a Chinese compound) by an explanation in
    parentheses or introduced by 即, 也就是, 是指, "i.e." and the like; itself in parentheses after the plain
    words; or the rule's plain-language `hint` appears in the reply.
    """
    body = normalise(text)
    spans = phrase_spans(text, term, fillers=False)
    if not spans:
        return True
    if hint.strip() and normalise(hint).casefold() in body.casefold():
        return True
    for start, end in spans:
        if _explanation_follows(body[end:]):
            return True
        before = body[:start].rstrip()
        if before.endswith("("):
            return True
    return False


# A jargon rule whose phrase is ACRONYM_SLOT stands for every acronym: a word of two to six letters and digits
# with at least two capitals ("MPAN", "P3" counts by its digit, "CoT"), or a capital and a digit.
ACRONYM_SLOT = "{ACRONYM}"
_ACRONYM = re.compile(r"(?<![A-Za-z0-9'&-])(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{2,6}(?![A-Za-z0-9'&-])")


def acronyms_find(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """Return the acronyms of `text` (as written, each once, in order), those in `allowed` (compared
    case-insensitively) and plain numbers aside."""
    known = {word.casefold() for word in allowed}
    found: list[str] = []
    for match in _ACRONYM.finditer(normalise(text)):
        word = match.group()
        if word.isdigit() or word[0].isdigit() or word.casefold() in known or word in found:
            continue
        if sum(character.isupper() or character.isdigit() for character in word) < 2:
            continue
        found.append(word)
    return found


def greeting_present(text: str, greetings: Iterable[str]) -> bool:
    """True when one of `greetings` opens the reply (appears within its first GREETING_WINDOW characters)."""
    opening = normalise(text).strip()[:GREETING_WINDOW]
    return any(
        phrase_find(opening, greeting, fillers=False) is not None
        for greeting in greetings
        if greeting.strip()
    )


def id_number_is_valid(value: str) -> bool:
    """True for an 18-character resident ID number whose last character is its ISO 7064 MOD 11-2 check."""
    candidate = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", candidate):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(candidate[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARACTERS[total % 11] == candidate[17]


@dataclass(frozen=True)
class PersonalDatum:
    """A phone or ID number found in a reply: its kind ("phone", "id_number"), as written and normalised."""

    kind: str
    written: str
    value: str


def personal_data_find(text: str) -> list[PersonalDatum]:
    """Return the mainland mobile numbers and valid resident ID numbers in `text`, each once, in order."""
    body = normalise(text)
    found: list[PersonalDatum] = []
    seen: set[tuple[str, str]] = set()
    for match in ID_NUMBER_PATTERN.finditer(body):
        value = match.group(1).upper()
        if id_number_is_valid(value) and ("id_number", value) not in seen:
            seen.add(("id_number", value))
            found.append(PersonalDatum("id_number", match.group(0), value))
    for match in MOBILE_PATTERN.finditer(body):
        value = re.sub(r"\D", "", match.group(1))
        if ("phone", value) not in seen:
            seen.add(("phone", value))
            found.append(PersonalDatum("phone", match.group(0), value))
    return found
