"""Helpers shared by the cases services: money parsing, saving with history."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from collections_app.errors import ApplicationError

from ..models import ZERO, Case, Loan

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


def money_parse(value, *, field: str) -> Decimal:
    """`value` as a Decimal amount of money, or ApplicationError naming `field`."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        message = f"{value!r} is not an amount of money."
        raise ApplicationError(message, errors={field: [message]}) from None
    if not amount.is_finite():
        message = f"{value!r} is not an amount of money."
        raise ApplicationError(message, errors={field: [message]})
    if amount != amount.quantize(CENT):
        message = "Amounts have at most two decimal places."
        raise ApplicationError(message, errors={field: [message]})
    if amount <= 0:
        message = "The amount must be greater than zero."
        raise ApplicationError(message, errors={field: [message]})
    if amount > MAX_MONEY:
        message = "The amount is too large."
        raise ApplicationError(message, errors={field: [message]})
    return amount.quantize(CENT)


def history_save(instance, *, reason: str, user=None, update_fields=None) -> None:
    """Save through the ORM with a history change reason and the acting user."""
    instance._change_reason = reason
    if user is not None:
        instance._history_user = user
    instance.save(update_fields=update_fields)


def new_reference(prefix: str) -> str:
    # 56 random bits: collisions are negligible even across millions of rows, and the
    # unique constraint catches the one in a blue moon.
    return f"{prefix}-{secrets.token_hex(7).upper()}"


def customer_balance(customer_id: int) -> Decimal:
    """What the customer still owes on active loans."""
    balances = Loan.objects.filter(
        customer_id=customer_id, status=Loan.Status.ACTIVE
    ).values_list("outstanding_balance", flat=True)
    return sum(balances, ZERO)


def require_open(case: Case) -> None:
    if case.status != Case.Status.OPEN:
        message = f"Case {case.reference} is closed."
        raise ApplicationError(message, code="case_closed", errors={"case": [message]})
