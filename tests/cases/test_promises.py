"""Promises to pay: recording them; settling them as payments arrive or dates pass."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Case, PromiseToPay
from cases.services import promise_record, promise_refresh
from core.errors import ApplicationError
from tests.cases.factories import (
    CaseFactory,
    PaymentFactory,
    PromiseToPayFactory,
    loan_with_schedule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    loan = loan_with_schedule(dues=[(-10, "1000"), (20, "1000")])
    return CaseFactory(customer=loan.customer)


def tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def test_a_promise_is_recorded_pending_with_its_author(case, collector):
    promise = promise_record(
        case=case, amount=Decimal("500"), due_date=tomorrow(), created_by=collector
    )

    assert promise.status == PromiseToPay.Status.PENDING
    assert promise.currency == "CNY"
    assert promise.made_at is not None
    assert promise.history.get().history_user == collector


def test_a_promise_for_today_is_accepted(case):
    promise = promise_record(
        case=case, amount=Decimal("1"), due_date=timezone.localdate()
    )
    assert promise.pk


@pytest.mark.parametrize(
    ("amount", "days", "field"),
    [
        ("0", 1, "amount"),
        ("-1", 1, "amount"),
        ("2000.01", 1, "amount"),  # above the balance owed (2000)
        ("100", -1, "due_date"),
    ],
)
def test_a_bad_promise_is_refused_naming_the_field(case, amount, days, field):
    with pytest.raises(ApplicationError) as excinfo:
        promise_record(
            case=case,
            amount=amount,
            due_date=timezone.localdate() + dt.timedelta(days=days),
        )

    assert field in excinfo.value.errors
    assert not PromiseToPay.objects.exists()


def test_a_promise_on_someone_elses_loan_is_refused(case):
    stranger = loan_with_schedule(dues=[(-10, "1000")])

    with pytest.raises(ApplicationError) as excinfo:
        promise_record(case=case, amount="10", due_date=tomorrow(), loan=stranger)

    assert "loan" in excinfo.value.errors


def test_a_promise_on_a_closed_case_is_refused(case):
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, closed_at=timezone.now()
    )

    with pytest.raises(ApplicationError) as excinfo:
        promise_record(case=case, amount="10", due_date=tomorrow())

    assert "case" in excinfo.value.errors


def test_refresh_keeps_covered_promises_and_breaks_lapsed_ones(case):
    loan = case.customer.loans.get()
    today = timezone.localdate()
    made = timezone.now() - dt.timedelta(days=5)
    covered = PromiseToPayFactory(case=case, amount=Decimal("300"), made_at=made)
    lapsed = PromiseToPayFactory(
        case=case, amount=Decimal("900"), made_at=made, due_date=today - dt.timedelta(1)
    )
    waiting = PromiseToPayFactory(case=case, amount=Decimal("900"), made_at=made)
    # Three payments summing to the promise: no floating-point shortfall on SQLite.
    for amount in ("100.10", "100.10", "99.80"):
        PaymentFactory(loan=loan, amount=Decimal(amount))
    PaymentFactory(  # before the promises: does not count
        loan=loan, amount=Decimal("5000"), received_at=made - dt.timedelta(days=1)
    )

    counts = promise_refresh()

    for promise in (covered, lapsed, waiting):
        promise.refresh_from_db()
    assert covered.status == PromiseToPay.Status.KEPT
    assert lapsed.status == PromiseToPay.Status.BROKEN
    assert waiting.status == PromiseToPay.Status.PENDING
    assert covered.resolved_at and lapsed.resolved_at
    assert counts == {"kept": 1, "broken": 1}
    assert promise_refresh() == {"kept": 0, "broken": 0}


def test_a_promise_on_one_loan_counts_only_that_loans_payments(case):
    customer = case.customer
    promised_loan = customer.loans.get()
    other_loan = loan_with_schedule(customer=customer, dues=[(-5, "800")])
    made = timezone.now() - dt.timedelta(days=1)
    promise = PromiseToPayFactory(
        case=case, loan=promised_loan, amount=Decimal("500"), made_at=made
    )
    PaymentFactory(loan=other_loan, amount=Decimal("800"))

    promise_refresh()

    promise.refresh_from_db()
    assert promise.status == PromiseToPay.Status.PENDING
