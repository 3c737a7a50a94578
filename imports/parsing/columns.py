"""The files' columns and the bounds of their values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cases.models import ContactPoint, Customer

from ..reading import Columns

ZERO = Decimal("0.00")
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2099, 12, 31)
MAX_INSTALMENTS = 600

PORTFOLIO_COLUMNS = Columns(
    names=(
        "customer_reference",
        "customer_name",
        "national_id",
        "language",
        "country",
        "region",
        "time_zone",
        "address",
        "mobile",
        "email",
        "contact_name",
        "contact_relationship",
        "contact_phone",
        "loan_reference",
        "product",
        "currency",
        "principal",
        "outstanding_balance",
        "opened_on",
        "schedule",
    ),
    required=frozenset(
        {
            "customer_reference",
            "customer_name",
            "loan_reference",
            "product",
            "currency",
            "principal",
            "schedule",
        }
    ),
)

PAYMENT_COLUMNS = Columns(
    names=("reference", "loan_reference", "amount", "currency", "received_at"),
    required=frozenset(
        {"reference", "loan_reference", "amount", "currency", "received_at"}
    ),
)

# Customer fields that must agree on every row of the same customer.
CUSTOMER_FIELDS = (
    "customer_name",
    "national_id",
    "language",
    "country",
    "region",
    "time_zone",
    "address",
)
THIRD_PARTY = tuple(
    r for r in ContactPoint.Relationship.values if r != ContactPoint.Relationship.SELF
)
LANGUAGES = frozenset(Customer.Language.values)
MAX_LENGTHS = {
    "customer_reference": 64,
    "customer_name": 200,
    "national_id": 64,
    "region": 32,
    "loan_reference": 64,
    "product": 50,
    "contact_name": 200,
    "email": 320,
}
