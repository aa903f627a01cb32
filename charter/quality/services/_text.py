"""The one way the quality services clean the text people enter: the common rule with the quality codes."""

from django.db import models

from charter.common.text import clean_column_text
from charter.quality.errors import TEXT_CODES


def text_clean(
    value: object, model: type[models.Model], column: str, *, field: str | None = None, multiline: bool = True
) -> str:
    """Return `value` cleaned by `charter.common.text.clean_text` (stripped, line endings normalised; one line
    unless `multiline`), at most as long as the column `column` of `model`.

    Raises DomainError on `field` (the input's name, `column` by default): quality_invalid_text for a
    control character (a NUL among them), quality_text_too_long naming the limit. Writes nothing.
    """
    return clean_column_text(
        value, model=model, column=column, codes=TEXT_CODES, field=field, multiline=multiline
    )
