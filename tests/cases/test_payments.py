"""payment_record: allocation, idempotency, and what a payment does to the case."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Case, Loan, Payment, PaymentAllocation, PromiseToPay
from cases.services import payment_record
from core.errors import ApplicationError, ConflictError
from tests.cases.factories import (
    CaseFactory,
    CustomerFactory,
    InstalmentFactory,
    LoanFactory,
    PromiseToPayFactory,
    loan_with_schedule,
)

pytestmark = pytest.mark.django_db


def pay(loan, amount, reference="P-1", **kwargs):
    kwargs.setdefault("currency", loan.currency)
    kwargs.setdefault("received_at", timezone.now())
    return payment_record(
        reference=reference, loan=loan, amount=Decimal(amount), **kwargs
    )


def paid_amounts(loan):
    return list(
        loan.instalments.order_by("sequence").values_list("amount_paid", flat=True)
    )


def test_payment_goes_to_the_oldest_instalment_first_and_across_instalments():
    today = timezone.localdate()
    loan = LoanFactory(outstanding_balance=Decimal("3000"))
    # Created out of order: allocation follows due dates, not insertion or sequence.
    InstalmentFactory(loan=loan, sequence=2, due_date=today - dt.timedelta(days=10))
    InstalmentFactory(loan=loan, sequence=3, due_date=today + dt.timedelta(days=20))
    InstalmentFactory(loan=loan, sequence=1, due_date=today - dt.timedelta(days=40))

    payment, created = pay(loan, "1500.00")

    assert created
    assert paid_amounts(loan) == [Decimal("1000"), Decimal("500"), Decimal("0")]
    allocations = PaymentAllocation.objects.filter(payment=payment).order_by(
        "instalment__sequence"
    )
    assert [(a.instalment.sequence, a.amount) for a in allocations] == [
        (1, Decimal("1000")),
        (2, Decimal("500")),
    ]
    loan.refresh_from_db()
    assert loan.outstanding_balance == Decimal("1500")
    assert loan.overdue_amount == Decimal("500")
    assert loan.days_past_due == 10
    assert loan.bucket == "1-30"
    assert payment.unallocated_amount == 0


def test_instalments_due_the_same_day_are_paid_in_sequence():
    loan = loan_with_schedule(dues=[(-5, "300"), (-5, "300")])

    pay(loan, "400")

    assert paid_amounts(loan) == [Decimal("300"), Decimal("100")]


def test_an_overpayment_is_kept_unallocated_and_pays_the_loan_off():
    loan = loan_with_schedule(dues=[(-3, "1000")])
    case = CaseFactory(customer=loan.customer)

    payment, _ = pay(loan, "1200")

    assert payment.unallocated_amount == Decimal("200")
    loan.refresh_from_db()
    assert loan.outstanding_balance == 0
    assert loan.status == Loan.Status.PAID
    assert (loan.overdue_amount, loan.days_past_due, loan.bucket) == (0, 0, "")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.close_reason == Case.CloseReason.PAID


def test_paying_the_arrears_cures_the_case_while_a_balance_remains():
    loan = loan_with_schedule(dues=[(-3, "1000"), (27, "1000")])
    case = CaseFactory(customer=loan.customer)

    pay(loan, "1000")

    case.refresh_from_db()
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    assert case.status == Case.Status.CLOSED
    assert case.close_reason == Case.CloseReason.CURED
    assert case.closed_at is not None


def test_a_part_payment_keeps_the_case_open_with_fresh_figures():
    loan = loan_with_schedule(dues=[(-40, "1000"), (-10, "1000")])
    case = CaseFactory(customer=loan.customer, overdue_amount=Decimal("2000"))

    pay(loan, "1000")

    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.overdue_amount == Decimal("1000")
    assert case.max_days_past_due == 10
    assert case.bucket == "1-30"


def test_the_case_stays_open_while_another_loan_is_overdue():
    customer = CustomerFactory()
    loan = loan_with_schedule(customer=customer, dues=[(-3, "1000")])
    loan_with_schedule(customer=customer, dues=[(-50, "700")])
    Loan.objects.filter(customer=customer, overdue_amount=0).exclude(pk=loan.pk).update(
        overdue_amount=Decimal("700"), days_past_due=50, bucket="31-60"
    )
    case = CaseFactory(customer=customer)

    pay(loan, "1000")

    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.overdue_amount == Decimal("700")
    assert case.bucket == "31-60"


def test_the_same_payment_twice_is_counted_once():
    loan = loan_with_schedule(dues=[(-3, "1000"), (27, "1000")])

    first, created_first = pay(loan, "600", reference="BANK-42")
    again, created_again = pay(loan, "600.00", reference="BANK-42")

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert PaymentAllocation.objects.count() == 1
    loan.refresh_from_db()
    assert loan.outstanding_balance == Decimal("1400")
    assert paid_amounts(loan) == [Decimal("600"), Decimal("0")]


def test_the_same_reference_with_another_amount_is_a_conflict():
    loan = loan_with_schedule(dues=[(-3, "1000")])
    pay(loan, "600", reference="BANK-42")

    with pytest.raises(ConflictError) as excinfo:
        pay(loan, "601", reference="BANK-42")

    assert excinfo.value.status == 409
    assert "reference" in excinfo.value.errors
    loan.refresh_from_db()
    assert loan.outstanding_balance == Decimal("400")


def test_the_same_reference_on_another_loan_is_a_conflict():
    loan = loan_with_schedule(dues=[(-3, "1000")])
    other = loan_with_schedule(dues=[(-3, "1000")])
    pay(loan, "600", reference="BANK-42")

    with pytest.raises(ConflictError):
        pay(other, "600", reference="BANK-42")

    other.refresh_from_db()
    assert other.outstanding_balance == Decimal("1000")


def test_a_payment_in_another_currency_is_refused_naming_the_field():
    loan = loan_with_schedule(dues=[(-3, "1000")])

    with pytest.raises(ApplicationError) as excinfo:
        pay(loan, "100", currency="USD")

    assert list(excinfo.value.errors) == ["currency"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "10.001", "abc"])
def test_a_bad_amount_is_refused_naming_the_field(amount):
    loan = loan_with_schedule(dues=[(-3, "1000")])

    with pytest.raises(ApplicationError) as excinfo:
        payment_record(
            reference="P-1",
            loan=loan,
            amount=amount,
            currency="CNY",
            received_at=timezone.now(),
        )

    assert list(excinfo.value.errors) == ["amount"]


def test_a_payment_time_without_offset_is_refused():
    loan = loan_with_schedule(dues=[(-3, "1000")])

    with pytest.raises(ApplicationError) as excinfo:
        pay(loan, "100", received_at=dt.datetime(2026, 1, 5, 10, 0))

    assert list(excinfo.value.errors) == ["received_at"]


def test_the_payment_and_instalment_changes_are_in_history_with_the_user(
    collector,
):
    loan = loan_with_schedule(dues=[(-3, "1000")])

    payment, _ = pay(loan, "100", reference="BANK-7", recorded_by=collector)

    record = payment.history.get()
    assert record.history_user == collector
    assert record.history_change_reason == "payment recorded"
    instalment_record = loan.instalments.get().history.latest()
    assert instalment_record.history_change_reason == "payment BANK-7"
    assert instalment_record.amount_paid == Decimal("100")


def test_a_payment_covering_a_pending_promise_keeps_it():
    loan = loan_with_schedule(dues=[(-3, "1000"), (27, "1000")])
    case = CaseFactory(customer=loan.customer)
    promise = PromiseToPayFactory(case=case, amount=Decimal("500"))
    larger = PromiseToPayFactory(case=case, amount=Decimal("800"))

    pay(loan, "500")

    promise.refresh_from_db()
    larger.refresh_from_db()
    assert promise.status == PromiseToPay.Status.KEPT
    assert promise.resolved_at is not None
    assert larger.status == PromiseToPay.Status.PENDING


def test_payments_before_the_promise_was_made_do_not_count():
    loan = loan_with_schedule(dues=[(-3, "1000"), (27, "1000")])
    case = CaseFactory(customer=loan.customer)
    pay(
        loan,
        "300",
        reference="EARLY",
        received_at=timezone.now() - dt.timedelta(days=2),
    )
    promise = PromiseToPayFactory(case=case, amount=Decimal("500"))

    pay(loan, "300", reference="LATER")

    promise.refresh_from_db()
    assert promise.status == PromiseToPay.Status.PENDING
