"""Money as it comes in: a Decimal of at most two places that fits the columns
(`DecimalField(max_digits=14, decimal_places=2)`, core.api.MONEY)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ApplicationError

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


def money_problem(amount: Decimal, *, allow_zero: bool = False) -> str | None:
    """Why `amount` (a Decimal) is no amount of money we store, or None."""
    if not amount.is_finite():
        return "not_money"
    try:
        exact = amount == amount.quantize(CENT)
    except InvalidOperation:  # more digits than a Decimal context holds: too large
        exact = True
    if not exact:
        return "places"
    if amount < 0 or (amount == 0 and not allow_zero):
        return "negative" if allow_zero else "not_positive"
    if amount > MAX_MONEY:
        return "too_large"
    return None


MESSAGES = {
    "places": gettext_lazy("Amounts have at most two decimal places."),
    "negative": gettext_lazy("The amount cannot be negative."),
    "not_positive": gettext_lazy("The amount must be greater than zero."),
    "too_large": gettext_lazy("The amount is too large."),
}


def money_parse(value, *, field: str) -> Decimal:
    """`value` as a positive Decimal amount of money, or ApplicationError naming
    `field`."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    problem = "not_money" if amount is None else money_problem(amount)
    if problem is not None:
        message = MESSAGES.get(problem) or _("%(value)r is not an amount of money.") % {
            "value": value
        }
        raise ApplicationError(message, errors={field: [message]})
    return amount.quantize(CENT)
