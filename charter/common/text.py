"""Text that people and programs send, cleaned one way for every app.

`clean_text` is the one rule for a service's text arguments: line endings normalised to `\\n`, surrounding
whitespace stripped, and a refusal naming the field when the text is not text, holds a character that must
never be stored (a control character: NUL and the rest of C0 and C1, a lone surrogate), is blank where
required or is longer than the limit (the message says the limit). Each refusal has its own error code; the
codes are the calling app's (`TextCodes`, kept in the app's `errors.py`), so an API client keeps reading
`case_…` or `conduct_…` codes and never a code that says "too long" for a NUL.

`remove_control_characters` is for text nobody can be asked to correct (inbound e-mail): it drops what
`clean_text` would refuse.
"""

import re
from dataclasses import dataclass

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.common.errors import DomainError

# Every control character (Unicode category Cc: C0, DEL and C1) and the lone surrogates that UTF-8 cannot
# encode (PostgreSQL and the JSON encoder refuse them). Line breaks and tabs are taken out of the class
# separately, by `_LINE_BREAKS` and by the caller's choice of `multiline`.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Line breaks other than \n that pasted text carries: \r\n and \r, Word's and PowerPoint's soft break
# (Shift+Enter, U+000B), a page break (U+000C), NEL (U+0085) and the Unicode line and paragraph separators.
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_SINGLE_LINE_BREAKS = re.compile("[\n\t]")

# The limit of a text stored in a column without one of its own (a TextField): more than any description,
# clause, comment or letter a person writes, so that what it refuses is a pasted file or a runaway client.
TEXT_MAX_LENGTH = 20_000


@dataclass(frozen=True)
class TextCodes:
    """The error codes an app gives the three ways its text is refused.

    `invalid` covers a value that is not text and text holding a control character (a NUL among them).
    `required` may stay the shared `invalid` for an app that refuses blank text itself, with a code per
    field (the catalogue's `catalog_name_required`…).
    """

    too_long: str
    invalid: str
    required: str = DomainError.default_code


def clean_text(
    value: object,
    *,
    field: str,
    codes: TextCodes,
    required: bool = False,
    max_length: int | None = None,
    multiline: bool = True,
    required_message: str | Promise | None = None,
) -> str:
    """Return `value` as clean text: every line break (`\\r\\n`, `\\r`, a soft break U+000B, a page break,
    U+2028…) made `\\n`, surrounding whitespace stripped.

    None counts as blank. `multiline=False` (names, titles, codes) refuses line breaks and tabs too; multiline
    text keeps them. `max_length` counts characters after cleaning. Raises DomainError on `field` with
    `codes.invalid` (not text; a control character, NUL among them), `codes.required` (blank while
    `required`; `required_message` replaces the generic message) or `codes.too_long` (the message names
    the limit). Writes nothing.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), code=codes.invalid, field=field)
    text = _LINE_BREAKS.sub("\n", value).strip()
    if "\x00" in text:
        raise DomainError(_("The text contains a null character."), code=codes.invalid, field=field)
    if not multiline and _SINGLE_LINE_BREAKS.search(text):
        raise DomainError(
            _("Write this on one line, without line breaks or tabs."), code=codes.invalid, field=field
        )
    if _CONTROL.search(text):
        raise DomainError(
            _("The text contains a control character that cannot be stored."), code=codes.invalid, field=field
        )
    if required and not text:
        raise DomainError(required_message or _("This field is required."), code=codes.required, field=field)
    if max_length is not None and len(text) > max_length:
        raise DomainError(
            _("The text is too long (at most %(limit)d characters).") % {"limit": max_length},
            code=codes.too_long,
            field=field,
        )
    return text


def max_length_of(model: type[Model], name: str) -> int:
    """Return how many characters field `name` of `model` holds, the `max_length` to give `clean_text`: the
    column's own `max_length`, or TEXT_MAX_LENGTH for a text column without one. Raises FieldDoesNotExist
    for an unknown name."""
    limit = getattr(model._meta.get_field(name), "max_length", None)
    return TEXT_MAX_LENGTH if limit is None else int(limit)


def clean_column_text(
    value: object,
    *,
    model: type[Model],
    column: str,
    codes: TextCodes,
    field: str | None = None,
    multiline: bool = True,
) -> str:
    """Return `value` cleaned by `clean_text` for storing in column `column` of `model`: at most as long as
    the column holds (`max_length_of`). Errors name `field` (the input's name; `column` by default) with the
    app's `codes`. The one wrapper the apps bind their codes to; writes nothing."""
    return clean_text(
        value,
        field=field or column,
        codes=codes,
        max_length=max_length_of(model, column),
        multiline=multiline,
    )


def remove_control_characters(value: str, *, multiline: bool = True) -> str:
    """Return `value` with what `clean_text` would refuse taken out: line endings normalised, control
    characters dropped, and (single-line) line breaks and tabs made spaces. Not stripped."""
    text = _LINE_BREAKS.sub("\n", value)
    if not multiline:
        text = _SINGLE_LINE_BREAKS.sub(" ", text)
    return _CONTROL.sub("", text)
