"""Keyword search over cases that is right for Chinese and English, indexed on SQLite and PostgreSQL.

Chinese has no spaces between words, so `LIKE '%…%'` is the usual fallback, and it is both slow and wrong
for Chinese word boundaries. Here every run of CJK characters is indexed as its overlapping pairs (bigrams)
in order, with its single characters besides, and every other run of letters and digits as a lower-cased
word, in order. The index keeps each token's position, so a query can ask for tokens adjacent and in order:

- a run of two or more CJK characters in the query matches only where its pairs stand adjacent and in
  order ("三个小时" is the phrase 三个 个小 小时, so "三个人等了一个小时" does not match);
- a single CJK character matches as itself, anywhere; a Latin word matches as a prefix;
- text in double quotes ("…", “…”) matches as one phrase: all its runs adjacent and in order, exactly;
- terms outside quotes must all match, in any order.

Each case has one index row in a table the migrations create for the database in use:

- PostgreSQL: `cases_search(case_id, doc tsvector)` with a GIN index; the tokens are written as a tsvector
  literal with their positions and queried with a tsquery of `<->` (followed by) phrases; PostgreSQL's parser
  never re-splits them. A tsvector keeps positions up to 16383: past that, phrases are not found.
- SQLite: an FTS5 table `cases_search(doc)` whose rowid is the case id; the tokens are space-separated in
  order and queried with FTS5 phrases.

The texts of one case (number, title, description, messages) are separated by a token no query can produce,
so a phrase never spans two of them.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

CJK_RANGES = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\U00020000-\U0003134f"  # CJK extensions B-H
)
_RUNS = re.compile(rf"[{CJK_RANGES}]+|[^\W_{CJK_RANGES}]+")
_CJK = re.compile(rf"[{CJK_RANGES}]")
# Double quotes as typed on Latin and Chinese keyboards (full-width ＂ is folded to " by NFKC).
_QUOTES = re.compile('["\u201c\u201d\u300c\u300d]')
# Between two texts of a case: a private-use character, which is no letter or digit, so no query has it.
SEPARATOR = "\ue000"
MAX_WORD = 48
MAX_QUERY_TERMS = 24

# A phrase: its tokens, adjacent and in order, and whether the last one is a prefix.
Phrase = tuple[tuple[str, ...], bool]


def _runs(text: str) -> list[str]:
    return _RUNS.findall(unicodedata.normalize("NFKC", text).casefold())


def _run_tokens(run: str) -> list[str]:
    """The positional tokens of one run: a CJK run's pairs (or its one character), a Latin run's word."""
    if not _CJK.match(run):
        return [run[:MAX_WORD]]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_sequence(texts: Iterable[str]) -> list[str]:
    """Return the index tokens of the given texts in order: each text's runs' tokens, texts separated by
    `SEPARATOR`, then the single characters of longer CJK runs (matched anywhere, so their place is
    immaterial)."""
    sequence: list[str] = []
    characters: dict[str, None] = {}
    for text in texts:
        if sequence:
            sequence.append(SEPARATOR)
        for run in _runs(text or ""):
            sequence.extend(_run_tokens(run))
            if len(run) > 1 and _CJK.match(run):
                characters.update(dict.fromkeys(run))
    sequence.extend(characters)
    return sequence


def document_tokens(texts: Iterable[str]) -> list[str]:
    """Return the distinct index tokens of the given texts: CJK unigrams and bigrams, and Latin words."""
    return sorted(set(document_sequence(texts)) - {SEPARATOR})


def query_phrases(query: str) -> list[Phrase]:
    """Return the phrases that a matching case must all contain (see the module's description)."""
    phrases: list[Phrase] = []
    budget = MAX_QUERY_TERMS
    for index, part in enumerate(_QUOTES.split(query)):
        runs = _runs(part)
        if index % 2:
            tokens = [token for run in runs for token in _run_tokens(run)][:budget]
            candidates: list[Phrase] = [(tuple(tokens), False)] if tokens else []
        else:
            candidates = [(tuple(_run_tokens(run)[:budget]), not _CJK.match(run)) for run in runs]
        for phrase in candidates:
            if budget <= 0:
                return phrases
            if phrase not in phrases:
                phrases.append(phrase)
                budget -= len(phrase[0])
    return phrases


def query_terms(query: str) -> list[tuple[str, bool]]:
    """Return the distinct (token, is_prefix) pairs of the query's phrases, in order."""
    terms = [
        (token, prefix and position == len(tokens) - 1)
        for tokens, prefix in query_phrases(query)
        for position, token in enumerate(tokens)
    ]
    return list(dict.fromkeys(terms))


def _index_texts(case: Any, *, has_messages: bool = True) -> list[str]:
    from charter.cases.models import CaseMessage

    texts = [
        str(getattr(case, "number", "")),
        str(getattr(case, "title", "")),
        str(getattr(case, "description", "")),
    ]
    if has_messages:
        texts.extend(CaseMessage.objects.filter(case_id=case.pk).values_list("body", flat=True))
    return texts


def _pg_document(sequence: list[str]) -> str:
    """A tsvector literal of the sequence: each token with its positions (from 1; the separator takes a
    position and is not written)."""
    positions: dict[str, list[str]] = {}
    for position, token in enumerate(sequence, start=1):
        if token != SEPARATOR:
            positions.setdefault(token, []).append(str(min(position, 16383)))
    return " ".join(f"'{token}':{','.join(places[:256])}" for token, places in positions.items())


def _document_for(db: Any, sequence: list[str]) -> str:
    return _pg_document(sequence) if db.vendor == "postgresql" else " ".join(sequence)


def _document(sequence: list[str]) -> str:
    return _document_for(connection, sequence)


_PG_UPSERT = (
    "INSERT INTO cases_search (case_id, doc) VALUES (%s, %s::tsvector) "
    "ON CONFLICT (case_id) DO UPDATE SET doc = EXCLUDED.doc"
)


def case_search_index(case: Any, *, has_messages: bool = True) -> None:
    """Write the search row of `case` from its number, title, description and every message.

    Call it inside the transaction of the change, after the change is saved; it replaces the old row.
    `has_messages=False` says the case has no messages yet (it was just created): they are not read.
    """
    document = _document(document_sequence(_index_texts(case, has_messages=has_messages)))
    case_id = case.pk
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_UPSERT, [case_id, document])
        else:
            cursor.execute(
                "INSERT OR REPLACE INTO cases_search (rowid, doc) VALUES (%s, %s)", [case_id, document]
            )


def case_search_forget(case_id: int) -> None:
    """Remove the search row of a case (a merged or erased case)."""
    with connection.cursor() as cursor:
        column = "case_id" if connection.vendor == "postgresql" else "rowid"
        cursor.execute(f"DELETE FROM cases_search WHERE {column} = %s", [case_id])  # noqa: S608 (fixed names)


def _pg_tsquery(phrases: list[Phrase]) -> str:
    def phrase(tokens: tuple[str, ...], prefix: bool) -> str:
        words = [f"'{token}'" for token in tokens]
        if prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"

    return " & ".join(phrase(tokens, prefix) for tokens, prefix in phrases)


def _fts5_match(phrases: list[Phrase]) -> str:
    return " ".join(f'"{" ".join(tokens)}"' + (" *" if prefix else "") for tokens, prefix in phrases)


def case_search_filter(cases: "QuerySet[Any]", query: str) -> "QuerySet[Any]":
    """Narrow `cases` to those matching every phrase of `query` (see the module's description); a query
    without searchable text matches nothing. The desk and the API (`?q=`) both call it."""
    phrases = query_phrases(query)
    if not phrases:
        return cases.none()
    if connection.vendor == "postgresql":
        matching = RawSQL("SELECT case_id FROM cases_search WHERE doc @@ %s::tsquery", [_pg_tsquery(phrases)])
    else:
        matching = RawSQL(
            "SELECT rowid FROM cases_search WHERE cases_search MATCH %s", [_fts5_match(phrases)]
        )
    return cases.filter(pk__in=matching)


def case_search_reindex_all(*, batch_size: int = 2000, using: Any = None) -> int:
    """Rebuild every case's search row; return how many were written. Safe to run at any time.

    It reads the tables with plain SQL, so a migration can call it (`using` is its schema editor's
    connection) whatever the models look like later."""
    db = using or connection
    count = 0
    last = 0
    while True:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT id, number, title, description FROM cases_case WHERE id > %s ORDER BY id LIMIT %s",
                [last, batch_size],
            )
            cases = cursor.fetchall()
            if not cases:
                return count
            texts: dict[int, list[str]] = {
                row[0]: [row[1] or "", row[2] or "", row[3] or ""] for row in cases
            }
            cursor.execute(
                "SELECT case_id, body FROM cases_casemessage WHERE case_id > %s AND case_id <= %s "
                "ORDER BY case_id, created_at, id",
                [last, cases[-1][0]],
            )
            for case_id, body in cursor.fetchall():
                texts[case_id].append(body or "")
            rows = [(case_id, _document_for(db, document_sequence(t))) for case_id, t in texts.items()]
            if db.vendor == "postgresql":
                cursor.executemany(_PG_UPSERT, rows)
            else:
                cursor.executemany("INSERT OR REPLACE INTO cases_search (rowid, doc) VALUES (%s, %s)", rows)
        count += len(cases)
        last = cases[-1][0]


# SQL for the migration that creates the index table on each database.
# No foreign key to cases_case: test databases are emptied with TRUNCATE, which a reference would block, and
# a stale row is harmless (search results are always intersected with the visible cases).
POSTGRESQL_CREATE = (
    "CREATE TABLE cases_search (case_id bigint PRIMARY KEY, doc tsvector NOT NULL);"
    "CREATE INDEX cases_search_doc_gin ON cases_search USING GIN (doc);"
)
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE cases_search USING fts5(doc, tokenize = 'unicode61 remove_diacritics 0');"
)
DROP = "DROP TABLE IF EXISTS cases_search;"


def case_search_index_bulk(documents: list[tuple[int, list[str]]]) -> None:
    """Write many search rows at once from (case id, texts) pairs: for imports and the benchmark seed."""
    rows = [(case_id, _document(document_sequence(texts))) for case_id, texts in documents]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(_PG_UPSERT, rows)
        else:
            cursor.executemany("INSERT OR REPLACE INTO cases_search (rowid, doc) VALUES (%s, %s)", rows)
