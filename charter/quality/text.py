"""Pure checks on the text of a reply, in Chinese and English: no database, no clock.

Text is compared after NFKC normalisation (full-width letters, digits and brackets become their plain
forms) and, for Latin script, case-insensitively on word boundaries, so "Calm down" matches "calm down" but
"hello" does not match "Othello".
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# How far into a reply a greeting or form of address counts as opening it.
GREETING_WINDOW = 30
# What may stand between a jargon term and its explanation, and what introduces one.
_EXPLANATION_GAP = re.compile(r"^[\s,，:：、]{0,2}")
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


def normalise(text: str) -> str:
    """Return `text` in the form every check reads: NFKC, curly apostrophes straightened."""
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")


def _is_latin(phrase: str) -> bool:
    return bool(re.search(r"[A-Za-z]", phrase))


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    escaped = re.escape(normalise(phrase))
    if _is_latin(phrase):
        # Word boundaries only where the phrase itself starts or ends with a letter or digit.
        start = r"(?<![A-Za-z0-9])" if phrase[:1].isalnum() else ""
        end = r"(?![A-Za-z0-9])" if phrase[-1:].isalnum() else ""
        return re.compile(start + escaped + end, re.IGNORECASE)
    return re.compile(escaped)


def _covered_by_exception(text: str, start: int, phrase: str, exceptions: Iterable[str]) -> bool:
    """True when the occurrence of `phrase` at `start` lies inside one of the `exceptions`."""
    folded = text.casefold()
    needle = normalise(phrase).casefold()
    for exception in exceptions:
        longer = normalise(exception).casefold()
        offset = longer.find(needle)
        while offset >= 0:
            begin = start - offset
            if begin >= 0 and folded[begin : begin + len(longer)] == longer:
                return True
            offset = longer.find(needle, offset + 1)
    return False


def phrase_find(text: str, phrase: str, exceptions: Sequence[str] = ()) -> str | None:
    """Return the first occurrence of `phrase` in `text` that is not inside an exception, or None."""
    if not phrase.strip():
        return None
    body = normalise(text)
    for match in _phrase_pattern(phrase).finditer(body):
        if not _covered_by_exception(body, match.start(), phrase, exceptions):
            return match.group(0)
    return None


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


def jargon_is_explained(text: str, term: str, hint: str = "") -> bool:
    """True when `term` does not appear, or one of its uses is explained nearby.

    Explained means: followed by an explanation in parentheses or introduced by 即, 也就是, 是指, "i.e." and
    the like; itself in parentheses after the plain words; or the rule's plain-language `hint` appears in the
    reply.
    """
    body = normalise(text)
    pattern = _phrase_pattern(term)
    matches = list(pattern.finditer(body))
    if not matches:
        return True
    if hint.strip() and normalise(hint).casefold() in body.casefold():
        return True
    for match in matches:
        after = body[match.end() :]
        after = after[_EXPLANATION_GAP.match(after).end() :]  # type: ignore[union-attr]
        if after.casefold().startswith(_EXPLANATION_MARKS):
            return True
        before = body[: match.start()].rstrip()
        if before.endswith("("):
            return True
    return False


def greeting_present(text: str, greetings: Iterable[str]) -> bool:
    """True when one of `greetings` opens the reply (appears within its first GREETING_WINDOW characters)."""
    opening = normalise(text).strip()[:GREETING_WINDOW]
    return any(phrase_find(opening, greeting) is not None for greeting in greetings if greeting.strip())


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
