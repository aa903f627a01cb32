"""JSON read from a request, with a limit on how deeply it nests.

Python's JSON decoder recurses once per level: a body of 10,000 nested lists (20 KB) reaches the recursion
limit and the request ends in a 500. Nothing Charter takes nests deeper than a few levels, so a body nested
deeper than JSON_MAX_DEPTH (100) is refused with 400 `request_too_deep` before it is decoded: by the API's
parser (`DepthLimitedJSONParser`, the default parser of REST_FRAMEWORK) and by `json_loads_limited`, which
every other place that decodes JSON a request brought (an uploaded file, a body read by hand) uses instead
of `json.loads`.
"""

import codecs
import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding  # type: ignore[attr-defined]
from rest_framework.utils.json import strict_constant

from charter.common.errors import CommonErrorCode, DomainError

JSON_MAX_DEPTH = 100
# A string (skipped whole, escapes included) or one bracket: brackets inside strings do not nest anything.
# Possessive, and an unterminated string runs to the end: every match succeeds at once, so the scan stays
# linear whatever the body (no backtracking over `"\"\"\"…`).
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


def _max_depth() -> int:
    return int(getattr(settings, "CHARTER_JSON_MAX_DEPTH", JSON_MAX_DEPTH))


def json_depth_check(text: str, *, max_depth: int | None = None) -> None:
    """Raise DomainError `request_too_deep` when `text` nests arrays and objects deeper than `max_depth`.

    Counts without recursing, so any depth is measured safely; malformed text is left to the decoder.
    """
    limit = _max_depth() if max_depth is None else max_depth
    depth = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in ("[", "{"):
            depth += 1
            if depth > limit:
                raise DomainError(
                    _("The data is nested more than %(limit)d levels deep.") % {"limit": limit},
                    code=CommonErrorCode.REQUEST_TOO_DEEP,
                )
        elif piece in ("]", "}"):
            depth -= 1


def json_loads_limited(data: str | bytes | bytearray, **kwargs: Any) -> Any:
    """`json.loads` for what a request brought: refuses nesting deeper than JSON_MAX_DEPTH first.

    Raises DomainError (`request_too_deep`), json.JSONDecodeError or UnicodeDecodeError like json.loads.
    """
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    json_depth_check(text)
    return json.loads(text, **kwargs)


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing a body nested deeper than JSON_MAX_DEPTH with 400 `request_too_deep`."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
        json_depth_check(text)
        try:
            return json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
