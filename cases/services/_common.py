"""Helpers shared by the cases services: money parsing, saving with history."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import ApplicationError

from ..models import ZERO, Case, Loan


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
        message = _("Case %(ref)s is closed.") % {"ref": case.reference}
        raise ApplicationError(message, code="case_closed", errors={"case": [message]})
