"""The COPY path (PostgreSQL) and the row path give the same result on the same
files: the same rows written, the same counts, the same report."""

import pytest
from django.db import transaction

from .helpers import (
    csv_bytes,
    day,
    loan_row,
    payment_row,
    payments_bytes,
    run_import,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NO_CONTACT = {"contact_name": "", "contact_relationship": "", "contact_phone": ""}

FIRST = csv_bytes(
    [
        loan_row(),
        loan_row(loan_reference="L-2", schedule=f"{day(-100)}:700.00;{day(5)}:700.00"),
        loan_row(customer_reference="C-2", loan_reference="L-3", mobile="bad"),
        loan_row(loan_reference="L-1"),  # duplicate loan
        loan_row(loan_reference="L-4", customer_name="别名"),  # customer differs
        loan_row(
            customer_reference="C-3",
            customer_name="Emily Chen",
            language="en",
            country="US",
            time_zone="America/New_York",
            mobile="+1 212 555 0100",
            email="Emily@Example.COM",
            loan_reference="L-5",
            currency="usd",
            outstanding_balance="123.45",
            **NO_CONTACT,
        ),
        loan_row(
            customer_reference="C-4",
            loan_reference="L-6",
            mobile="13612345678",
            contact_phone="13612345678",  # same as the mobile
        ),
        loan_row(
            customer_reference="C-5",
            loan_reference="L-7",
            mobile="",
            email="",
            schedule=f"{day(-3)}:50.00:50.00",
            **NO_CONTACT,
        ),
    ]
)
PAYMENTS = payments_bytes(
    [payment_row(), payment_row(reference="P-2", loan_reference="L-2", amount="800")]
)
SECOND = csv_bytes(
    [
        loan_row(customer_name="王小明二", mobile="13700137000"),
        loan_row(
            customer_name="王小明二",
            mobile="13700137000",
            loan_reference="L-2",
            schedule=f"{day(-100)}:700.00",
        ),  # drops instalment 2, which has a payment allocated: an error
        loan_row(
            customer_reference="C-3",
            customer_name="Emily Chen",
            language="en",
            country="US",
            time_zone="America/New_York",
            mobile="+1 212 555 0100",
            email="emily@example.com",
            loan_reference="L-5",
            currency="EUR",  # currency change: an error
            **NO_CONTACT,
        ),
        loan_row(
            customer_reference="C-6",
            loan_reference="L-8",
            principal="99.999",
            **NO_CONTACT,
        ),
        loan_row(
            customer_reference="C-5",
            loan_reference="L-7",
            mobile="",
            email="",
            schedule=f"{day(-3)}:50.00:20.00;{day(27)}:50.00",
            outstanding_balance="80.00",
            **NO_CONTACT,
        ),
    ]
)


def _through(method: str) -> tuple[dict, list]:
    reports = []
    with transaction.atomic():
        for kind, data, partial in (
            ("portfolio", FIRST, True),
            ("payments", PAYMENTS, False),
            ("portfolio", SECOND, False),
            ("portfolio", SECOND, True),
            ("portfolio", SECOND, True),
        ):
            run = run_import(data, kind=kind, partial=partial, method=method)
            reports.append(
                (
                    run.status,
                    run.rows_total,
                    run.rows_loaded,
                    run.rows_rejected,
                    run.counts,
                    run.errors,
                    run.customer_references,
                )
            )
        state = snapshot()
        transaction.set_rollback(True)
    return state, reports


def test_copy_and_row_paths_write_and_report_the_same():
    copy_state, copy_reports = _through("copy")
    rows_state, rows_reports = _through("rows")

    assert copy_reports == rows_reports
    assert copy_state == rows_state
    # And the files exercised what they were meant to.
    first, _payments, strict, partial, again = copy_reports
    assert [e["row"] for e in first[5]] == [4, 5, 6, 8]
    assert strict[0] == "rejected"
    assert [(e["row"], e["field"]) for e in strict[5]] == [
        (3, "schedule"),
        (4, "currency"),
        (5, "principal"),
    ]
    assert partial[0] == "completed"
    assert partial[4]["customers_updated"] == 1
    assert again[4]["customers_updated"] == 0
    assert again[4]["loans_updated"] == 0
    assert [loan[0] for loan in copy_state["loans"]] == ["L-1", "L-2", "L-5", "L-7"]
