"""What both import paths share: the row tuple's positions, the model fields the
file fills, the outcome, the words of errors found across rows, the closing
delinquency refresh, and the names of the COPY path's temporary tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cases.services import delinquency_refresh

# Row tuple positions (PORTFOLIO_COLUMNS order).
CUSTOMER_REF, NAME, NATIONAL_ID, ADDRESS = 0, 1, 2, 7
CUSTOMER_SLICE = slice(1, 8)  # customer_name .. address
MOBILE, EMAIL, CONTACT_NAME, CONTACT_REL, CONTACT_PHONE = 8, 9, 10, 11, 12
LOAN_REF, PRODUCT, CURRENCY, PRINCIPAL, BALANCE, OPENED, SCHEDULE = range(13, 20)

CUSTOMER_MODEL_FIELDS = (
    "full_name",
    "national_id",
    "language",
    "country",
    "region",
    "time_zone",
    "address",
)
LOAN_MODEL_FIELDS = ("product", "currency", "principal", "outstanding_balance")
STAGE = "import_portfolio_stage"
STAGE_ERRORS = "import_portfolio_errors"
# The staged rows whose loan already exists (row_no, loan_id, owner, currency): on a
# first import it is empty, so every statement about updating existing rows costs
# nothing.
EXISTING = "import_portfolio_existing"
PAID_LOANS = "import_portfolio_paid_loans"
# The first row of each customer, with the id of a customer known before; then
# (reference, id, known) of every customer in the file.
FIRSTS = "import_portfolio_firsts"
IDS = "import_portfolio_ids"
TEMP_TABLES = f"{STAGE}, {STAGE_ERRORS}, {EXISTING}, {PAID_LOANS}, {FIRSTS}, {IDS}"


@dataclass
class Outcome:
    rows_total: int = 0
    rows_loaded: int = 0
    counts: dict = field(default_factory=dict)
    sample: list[str] = field(default_factory=list)  # customer references


def set_error(
    kind: str,
    *,
    other_row: int | None,
    detail: str,
    loan_reference: str,
    customer_reference: str,
) -> str:
    """The message for an error found across rows or against the database; the same
    words whichever path found it."""
    if kind == "duplicate_loan":
        return _("Loan %(loan)s is also on row %(row)s.") % {
            "loan": loan_reference,
            "row": other_row,
        }
    if kind == "customer_differs":
        return _(
            "Differs from row %(row)s for customer %(customer)s; every row of a "
            "customer must carry the same customer details."
        ) % {"row": other_row, "customer": customer_reference}
    if kind == "loan_other_customer":
        return _("Loan %(loan)s belongs to customer %(owner)s, not %(customer)s.") % {
            "loan": loan_reference,
            "owner": detail,
            "customer": customer_reference,
        }
    if kind == "currency_change":
        return _(
            "Loan %(loan)s is in %(currency)s; a loan's currency cannot change."
        ) % {
            "loan": loan_reference,
            "currency": detail,
        }
    if kind == "drop_paid_instalment":
        return _(
            "Instalment %(sequence)s of loan %(loan)s has payments allocated; the "
            "schedule cannot drop it."
        ) % {"sequence": detail, "loan": loan_reference}
    raise ValueError(kind)


def delinquency_counts(today: dt.date) -> dict:
    result = delinquency_refresh(today=today)
    return {
        "cases_opened": result["cases_opened"],
        "cases_refreshed": result["cases_refreshed"],
        "cases_closed": result["cases_closed_paid"] + result["cases_closed_cured"],
        "cases_queued": result["cases_queued"],
    }


def references_sample(references, size: int = 20) -> list[str]:
    seen: list[str] = []
    for ref in references:
        if ref not in seen:
            seen.append(ref)
            if len(seen) == size:
                break
    return seen
