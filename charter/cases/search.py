"""Keyword search over cases that is right for Chinese and English, indexed on SQLite and PostgreSQL.

Chinese has no spaces between words, so `LIKE '%…%'` is the usual fallback, and it is both slow and wrong
for Chinese word boundaries. Here every run of CJK characters is indexed as its single characters and its
overlapping pairs (bigrams), and every other run of letters and digits as a lower-cased word. A query keeps
the same shape: a run of two or more CJK characters must contain all of its bigrams, a single character
matches as itself, and a Latin word matches as a prefix. Each case has one index row in a table the
migrations create for the database in use:

- PostgreSQL: `cases_search(case_id, doc tsvector)` with a GIN index; the tokens are written as a tsvector
  with `array_to_tsvector` and queried with a tsquery literal; PostgreSQL's parser never re-splits them.
- SQLite: an FTS5 table `cases_search(doc)` whose rowid is the case id; tokens are space-separated.
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
MAX_WORD = 48
MAX_QUERY_TERMS = 24


def _runs(text: str) -> list[str]:
    return _RUNS.findall(unicodedata.normalize("NFKC", text).casefold())


def document_tokens(texts: Iterable[str]) -> list[str]:
    """Return the distinct index tokens of the given texts: CJK unigrams and bigrams, and Latin words."""
    tokens: set[str] = set()
    for text in texts:
        for run in _runs(text or ""):
            if _CJK.match(run):
                tokens.update(run)
                tokens.update(run[i : i + 2] for i in range(len(run) - 1))
            else:
                tokens.add(run[:MAX_WORD])
    return sorted(tokens)


def query_terms(query: str) -> list[tuple[str, bool]]:
    """Return (token, is_prefix) pairs that a matching case must all contain."""
    terms: list[tuple[str, bool]] = []
    for run in _runs(query):
        if _CJK.match(run):
            if len(run) == 1:
                terms.append((run, False))
            else:
                terms.extend((run[i : i + 2], False) for i in range(len(run) - 1))
        else:
            terms.append((run[:MAX_WORD], True))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_QUERY_TERMS]


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


def case_search_index(case: Any, *, has_messages: bool = True) -> None:
    """Write the search row of `case` from its number, title, description and every message.

    Call it inside the transaction of the change, after the change is saved; it replaces the old row.
    `has_messages=False` says the case has no messages yet (it was just created): they are not read.
    """
    tokens = document_tokens(_index_texts(case, has_messages=has_messages))
    case_id = case.pk
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO cases_search (case_id, doc) VALUES (%s, array_to_tsvector(%s::text[])) "
                "ON CONFLICT (case_id) DO UPDATE SET doc = EXCLUDED.doc",
                [case_id, tokens],
            )
        else:
            cursor.execute("DELETE FROM cases_search WHERE rowid = %s", [case_id])
            cursor.execute(
                "INSERT INTO cases_search (rowid, doc) VALUES (%s, %s)", [case_id, " ".join(tokens)]
            )


def case_search_forget(case_id: int) -> None:
    """Remove the search row of a case (a merged or erased case)."""
    with connection.cursor() as cursor:
        column = "case_id" if connection.vendor == "postgresql" else "rowid"
        cursor.execute(f"DELETE FROM cases_search WHERE {column} = %s", [case_id])  # noqa: S608 (fixed names)


def _pg_tsquery(terms: list[tuple[str, bool]]) -> str:
    return " & ".join(f"'{token}'" + (":*" if prefix else "") for token, prefix in terms)


def _fts5_match(terms: list[tuple[str, bool]]) -> str:
    return " ".join(f'"{token}"' + ("*" if prefix else "") for token, prefix in terms)


def case_search_filter(cases: "QuerySet[Any]", query: str) -> "QuerySet[Any]":
    """Narrow `cases` to those matching every term of `query`; a query without terms matches nothing."""
    terms = query_terms(query)
    if not terms:
        return cases.none()
    if connection.vendor == "postgresql":
        matching = RawSQL("SELECT case_id FROM cases_search WHERE doc @@ %s::tsquery", [_pg_tsquery(terms)])
    else:
        matching = RawSQL("SELECT rowid FROM cases_search WHERE cases_search MATCH %s", [_fts5_match(terms)])
    return cases.filter(pk__in=matching)


def case_search_reindex_all(*, batch_size: int = 1000) -> int:
    """Rebuild every case's search row; return how many were written. Safe to run at any time."""
    from charter.cases.models import Case

    count = 0
    last = 0
    while True:
        batch = list(Case.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return count
        for case in batch:
            case_search_index(case)
        count += len(batch)
        last = batch[-1].pk


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
    rows = [(case_id, document_tokens(texts)) for case_id, texts in documents]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                "INSERT INTO cases_search (case_id, doc) VALUES (%s, array_to_tsvector(%s::text[])) "
                "ON CONFLICT (case_id) DO UPDATE SET doc = EXCLUDED.doc",
                rows,
            )
        else:
            cursor.executemany(
                "INSERT INTO cases_search (rowid, doc) VALUES (%s, %s)", [(i, " ".join(t)) for i, t in rows]
            )
