"""Payments import: posted through payment_record, idempotent by reference."""

from decimal import Decimal

import pytest

from cases.models import Loan, Payment
from imports.models import ImportRun

from .helpers import (
    csv_bytes,
    errors_of,
    loan_row,
    payment_row,
    payments_bytes,
    run_import,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loans():
    run = run_import(
        csv_bytes(
            [
                loan_row(),
                loan_row(
                    customer_reference="C-2",
                    loan_reference="L-2",
                    mobile="13612345678",
                    currency="USD",
                ),
            ]
        )
    )
    assert run.status == ImportRun.Status.COMPLETED, run.errors


def test_payments_are_posted_and_allocated_oldest_first(loans, admin_user):
    run = run_import(
        payments_bytes(
            [
                payment_row(amount="1500.00"),
                payment_row(reference="P-2", loan_reference="L-2", currency="USD"),
            ]
        ),
        kind="payments",
        actor=admin_user,
    )

    assert run.status == ImportRun.Status.COMPLETED, run.errors
    assert run.counts == {"payments_created": 2, "payments_already_recorded": 0}
    loan = Loan.objects.get(reference="L-1")
    assert loan.outstanding_balance == Decimal("1500.00")
    assert loan.overdue_amount == Decimal("500.00")
    paid = list(loan.instalments.values_list("amount_paid", flat=True))
    assert paid == [Decimal("1000.00"), Decimal("500.00"), Decimal("0.00")]
    assert Payment.objects.get(reference="P-1").recorded_by == admin_user


def test_reimporting_the_same_payments_adds_nothing(loans):
    data = payments_bytes([payment_row(), payment_row(reference="P-2")])
    run_import(data, kind="payments")

    again = run_import(data, kind="payments")

    assert again.status == ImportRun.Status.COMPLETED
    assert again.counts == {"payments_created": 0, "payments_already_recorded": 2}
    assert Payment.objects.count() == 2
    assert Loan.objects.get(reference="L-1").outstanding_balance == Decimal("2000.00")


def test_a_reference_twice_in_the_file_is_an_error_naming_the_row(loans):
    run = run_import(
        payments_bytes([payment_row(), payment_row(amount="20.00")]), kind="payments"
    )

    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == [(3, "reference")]
    assert run.errors[0]["message"] == "Payment P-1 is also on row 2."
    assert not Payment.objects.exists()


def test_bad_payment_rows_reject_the_file_with_every_error(loans):
    run_import(payments_bytes([payment_row(reference="P-0")]), kind="payments")
    run = run_import(
        payments_bytes(
            [
                payment_row(),
                payment_row(reference="P-2", loan_reference="L-404"),
                payment_row(reference="P-3", currency="USD"),
                payment_row(reference="P-4", amount="0", received_at="yesterday"),
                payment_row(reference="P-5", received_at="2026-03-01T10:00:00"),
                payment_row(reference="P-0", amount="1.00"),
            ]
        ),
        kind="payments",
    )

    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == [
        (3, "loan_reference"),
        (4, "currency"),
        (5, "amount"),
        (5, "received_at"),
        (6, "received_at"),
        (7, "reference"),
    ]
    assert Payment.objects.count() == 1


def test_partial_posts_the_good_payments(loans):
    run = run_import(
        payments_bytes(
            [payment_row(), payment_row(reference="P-2", loan_reference="L-404")]
        ),
        kind="payments",
        partial=True,
    )

    assert run.status == ImportRun.Status.COMPLETED
    assert (run.rows_total, run.rows_loaded, run.rows_rejected) == (2, 1, 1)
    assert list(Payment.objects.values_list("reference", flat=True)) == ["P-1"]


def test_a_payment_that_clears_the_arrears_closes_the_case(loans):
    from cases.models import Case

    assert Case.objects.open().filter(customer__reference="C-1").exists()
    run_import(payments_bytes([payment_row(amount="2000.00")]), kind="payments")

    assert not Case.objects.open().filter(customer__reference="C-1").exists()
