"""Money helpers: amounts are Decimal CNY with two places, never floats, never negative."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


def parse_amount(value: object) -> Decimal:
    """Return `value` as a Decimal with at most two places; refuse floats, negatives and junk.

    Raises ValidationError (code `invalid_amount`) with a message in the active language.
    """
    if isinstance(value, float | bool):
        raise ValidationError(
            _("Give the amount as text or a decimal, not a floating-point number."), code="invalid_amount"
        )
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("Enter an amount such as 12.50."), code="invalid_amount") from error
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount such as 12.50."), code="invalid_amount")
    if amount < 0:
        raise ValidationError(_("An amount cannot be negative."), code="invalid_amount")
    if amount != amount.quantize(CENT):
        raise ValidationError(_("An amount has at most two decimal places."), code="invalid_amount")
    if amount > MAX_AMOUNT:
        raise ValidationError(_("The amount is too large."), code="invalid_amount")
    return amount.quantize(CENT)
