"""Invariants the database itself enforces, whatever code writes the rows."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case, Instalment, Loan, Payment
from tests.cases.factories import (
    CaseFactory,
    CustomerFactory,
    InstalmentFactory,
    LoanFactory,
    PaymentFactory,
)

pytestmark = pytest.mark.django_db


def test_a_customer_cannot_have_two_open_cases():
    customer = CustomerFactory()
    CaseFactory(customer=customer)

    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(customer=customer)


def test_a_customer_may_have_closed_cases_beside_the_open_one():
    customer = CustomerFactory()
    CaseFactory(
        customer=customer,
        status=Case.Status.CLOSED,
        closed_at=timezone.now(),
        close_reason=Case.CloseReason.CURED,
    )
    CaseFactory(customer=customer)

    assert Case.objects.filter(customer=customer).count() == 2


def test_a_closed_case_needs_its_closing_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(status=Case.Status.CLOSED, closed_at=None)


def test_a_payment_reference_is_unique():
    PaymentFactory(reference="BANK-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(reference="BANK-1")


def test_a_payment_amount_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(amount=Decimal("0"))
    assert not Payment.objects.exists()


def test_a_loan_balance_cannot_go_negative():
    loan = LoanFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(outstanding_balance=Decimal("-0.01"))


def test_an_instalment_cannot_be_paid_beyond_its_amount():
    instalment = InstalmentFactory(amount_due=Decimal("100"))

    with pytest.raises(IntegrityError), transaction.atomic():
        Instalment.objects.filter(pk=instalment.pk).update(
            amount_paid=Decimal("100.01")
        )
