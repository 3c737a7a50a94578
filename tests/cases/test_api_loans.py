"""Loans and payments API: schedules, arrears figures, idempotent payments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Instalment, Loan, Payment
from tests.api import client_for
from tests.cases.factories import (
    CaseFactory,
    CustomerFactory,
    InstalmentFactory,
    LoanFactory,
)

pytestmark = pytest.mark.django_db

LOANS = "/api/v1/loans/"
PAYMENTS = "/api/v1/payments/"


def loan_body(customer, **overrides) -> dict:
    today = timezone.localdate()
    body = {
        "reference": "LN-1",
        "customer": customer.reference,
        "product": "personal_loan",
        "currency": "CNY",
        "principal": "3000.00",
        "instalments": [
            # Listed out of order: the schedule is numbered by due date.
            {"due_date": str(today + dt.timedelta(days=20)), "amount": "1000"},
            {"due_date": str(today - dt.timedelta(days=40)), "amount": "1000.00"},
            {"due_date": str(today - dt.timedelta(days=10)), "amount": 1000},
        ],
    }
    body.update(overrides)
    return body


def test_admin_creates_a_loan_already_in_arrears(admin_user):
    customer = CustomerFactory()

    response = client_for(admin_user).post(LOANS, loan_body(customer), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == customer.reference
    assert body["outstanding_balance"] == "3000.00"
    assert body["overdue_amount"] == "2000.00"
    assert body["days_past_due"] == 40
    assert body["bucket"] == "31-60"
    today = timezone.localdate()
    assert [(i["sequence"], i["due_date"]) for i in body["instalments"]] == [
        (1, str(today - dt.timedelta(days=40))),
        (2, str(today - dt.timedelta(days=10))),
        (3, str(today + dt.timedelta(days=20))),
    ]
    assert body["instalments"][0] == {
        "sequence": 1,
        "due_date": str(today - dt.timedelta(days=40)),
        "amount": "1000.00",
        "paid_amount": "0.00",
    }
    loan = Loan.objects.get(reference="LN-1")
    assert loan.history.get().history_user == admin_user
    assert Instalment.objects.filter(loan=loan).count() == 3


def test_loan_detail_reports_balance_arrears_and_schedule(collector, queue):
    case = CaseFactory(queue=queue)
    loan = LoanFactory(
        customer=case.customer,
        outstanding_balance=Decimal("2000.00"),
        overdue_amount=Decimal("1000.00"),
        days_past_due=12,
        bucket="1-30",
    )
    InstalmentFactory(loan=loan, sequence=1, amount_paid=Decimal("250.00"))

    response = client_for(collector).get(f"{LOANS}{loan.reference}/")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("outstanding_balance", "overdue_amount")} == {
        "outstanding_balance": "2000.00",
        "overdue_amount": "1000.00",
    }
    assert body["days_past_due"] == 12 and body["bucket"] == "1-30"
    assert body["instalments"][0]["paid_amount"] == "250.00"
    assert body["instalments"][0]["amount"] == "1000.00"


def test_collector_gets_404_for_a_loan_outside_their_cases(collector, other_queue):
    loan = LoanFactory(customer=CaseFactory(queue=other_queue).customer)

    response = client_for(collector).get(f"{LOANS}{loan.reference}/")

    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "errors"}


def test_collector_lists_only_loans_they_may_see(collector, queue, other_queue):
    mine = LoanFactory(customer=CaseFactory(queue=queue).customer)
    LoanFactory(customer=CaseFactory(queue=other_queue).customer)

    response = client_for(collector).get(LOANS)

    assert [row["reference"] for row in response.json()["results"]] == [mine.reference]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "yuan"}, "currency"),
        ({"currency": "C1Y"}, "currency"),
        ({"principal": "-5"}, "principal"),
        ({"principal": "abc"}, "principal"),
        ({"instalments": []}, "instalments"),
        (
            {"instalments": [{"due_date": "2026-13-01", "amount": "1"}]},
            "instalments[0].due_date",
        ),
        (
            {"instalments": [{"due_date": "2026-01-01", "amount": "0"}]},
            "instalments[0].amount",
        ),
        (
            {"instalments": [{"due_date": "2026-01-01", "amount": "1.234"}]},
            "instalments[0].amount",
        ),
    ],
)
def test_bad_loan_input_names_the_field(admin_user, change, field):
    body = loan_body(CustomerFactory(), **change)

    response = client_for(admin_user).post(LOANS, body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Loan.objects.exists()


def test_a_loan_for_an_unknown_customer_is_404_naming_the_customer(admin_user):
    body = loan_body(CustomerFactory.build(reference="GHOST"))

    response = client_for(admin_user).post(LOANS, body, format="json")

    assert response.status_code == 404
    assert set(response.json()["errors"]) == {"customer"}


def test_a_duplicate_loan_reference_is_a_conflict(admin_user):
    customer = CustomerFactory()
    client = client_for(admin_user)
    assert client.post(LOANS, loan_body(customer), format="json").status_code == 201

    response = client.post(LOANS, loan_body(customer), format="json")

    assert response.status_code == 409
    assert response.json()["errors"].keys() == {"reference"}


def test_collectors_may_not_create_loans(collector, queue):
    customer = CaseFactory(queue=queue).customer

    response = client_for(collector).post(LOANS, loan_body(customer), format="json")

    assert response.status_code == 403
    assert not Loan.objects.exists()


# --------------------------------------------------------------------------------------
# Payments
# --------------------------------------------------------------------------------------


@pytest.fixture
def loan(db):
    loan = LoanFactory(
        reference="LN-PAY",
        outstanding_balance=Decimal("2000.00"),
        overdue_amount=Decimal("1000.00"),
        days_past_due=10,
        bucket="1-30",
    )
    InstalmentFactory(loan=loan, sequence=1)
    InstalmentFactory(
        loan=loan, sequence=2, due_date=timezone.localdate() + dt.timedelta(days=20)
    )
    return loan


def payment_body(**overrides) -> dict:
    body = {
        "reference": "PAY-1",
        "loan": "LN-PAY",
        "amount": "400.00",
        "currency": "CNY",
        "received_at": "2026-03-02T10:00:00+08:00",
    }
    body.update(overrides)
    return body


def test_a_payment_is_201_then_200_with_the_same_payment_counted_once(admin_user, loan):
    client = client_for(admin_user)

    first = client.post(PAYMENTS, payment_body(), format="json")
    again = client.post(PAYMENTS, payment_body(), format="json")

    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["loan"] == "LN-PAY"
    assert first.json()["amount"] == "400.00"
    assert Payment.objects.count() == 1
    loan.refresh_from_db()
    assert loan.outstanding_balance == Decimal("1600.00")


@pytest.mark.parametrize(
    "change", [{"amount": "401.00"}, {"loan": "LN-OTHER"}], ids=["amount", "loan"]
)
def test_the_same_reference_with_a_different_loan_or_amount_is_409(
    admin_user, loan, change
):
    LoanFactory(reference="LN-OTHER", customer=loan.customer)
    client = client_for(admin_user)
    assert client.post(PAYMENTS, payment_body(), format="json").status_code == 201

    response = client.post(PAYMENTS, payment_body(**change), format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert "reference" in body["errors"]
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "ten"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"currency": "USD"}, "currency"),
        ({"reference": ""}, "reference"),
    ],
)
def test_bad_payment_input_names_the_field(admin_user, loan, change, field):
    response = client_for(admin_user).post(
        PAYMENTS, payment_body(**change), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Payment.objects.exists()


def test_a_payment_for_an_unknown_loan_is_404_naming_the_loan(admin_user, loan):
    response = client_for(admin_user).post(
        PAYMENTS, payment_body(loan="LN-NONE"), format="json"
    )

    assert response.status_code == 404
    assert set(response.json()["errors"]) == {"loan"}


def test_collectors_and_supervisors_may_not_record_payments(
    collector, supervisor, loan
):
    for user in (collector, supervisor):
        response = client_for(user).post(PAYMENTS, payment_body(), format="json")
        assert response.status_code == 403
    assert not Payment.objects.exists()
