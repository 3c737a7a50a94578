"""Races that only a real database with row locks can show (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Loan, Payment, PaymentAllocation
from cases.services import payment_record
from tests.cases.factories import loan_with_schedule


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_payments_with_one_reference_are_counted_once():
    loan = loan_with_schedule(dues=[(-10, "1000"), (20, "1000")])
    received_at = timezone.now()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def record():
        try:
            barrier.wait(timeout=10)
            results.append(
                payment_record(
                    reference="RACE-1",
                    loan=loan,
                    amount=Decimal("700"),
                    currency="CNY",
                    received_at=received_at,
                )
            )
        except Exception as exc:  # surfaced below with the thread's error
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len({payment.pk for payment, _ in results}) == 1
    assert Payment.objects.count() == 1
    assert PaymentAllocation.objects.count() == 1
    loan.refresh_from_db()
    assert loan.outstanding_balance == Decimal("1300")
    assert list(
        loan.instalments.order_by("sequence").values_list("amount_paid", flat=True)
    ) == [Decimal("700"), Decimal("0")]
    assert Loan.objects.get(pk=loan.pk).overdue_amount == Decimal("300")
