"""The ledger and payments are append-only in the database (issue 15, finding 2):
PostgreSQL triggers refuse a raw UPDATE of recorded facts and any DELETE, while the
product's own writes (settling an attempt, posting a payment, the sweep) still pass."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.models import Payment, PaymentAllocation
from cases.services import payment_record
from compliance.models import ContactAttempt, Decision
from compliance.services import contact_attempt_complete, contact_request
from tests.cases.factories import (
    ContactPointFactory,
    CustomerFactory,
    InstalmentFactory,
    LoanFactory,
)

SH = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def attempt():
    customer = CustomerFactory()
    ContactPointFactory(customer=customer, value="+8613800138000")
    _, attempt = contact_request(customer=customer, channel="call", at=MORNING)
    assert attempt.result == ContactAttempt.Result.PENDING
    return attempt


@pytest.fixture
def payment():
    loan = LoanFactory()
    InstalmentFactory(loan=loan, amount_due=Decimal("500.00"))
    payment, created = payment_record(
        loan=loan,
        reference="PAY-T1",
        amount=Decimal("100.00"),
        currency=loan.currency,
        received_at=timezone.now(),
    )
    assert created and payment.allocations.count() == 1
    return payment


def _refused(sql: str, params=()) -> None:
    """`sql` fails with the trigger's error, and the test's transaction goes on."""
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


def _passes(sql: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_a_raw_update_or_delete_of_a_decision_is_refused(attempt):
    pk = attempt.decision_id
    _refused("UPDATE compliance_decision SET outcome = 'deny' WHERE id = %s", [pk])
    _refused("UPDATE compliance_decision SET allowed = allowed WHERE id = %s", [pk])
    _refused("DELETE FROM compliance_decision WHERE id = %s", [pk])
    assert Decision.objects.get(pk=pk).outcome == "allow_with_conditions"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("contact_value", "'+8613900000000'"),
        ("channel", "'sms'"),
        ("at", "now()"),
        ("allowed", "false"),
        ("third_party", "true"),
        ("source", "'forged'"),
        ("decision_id", "NULL"),
        ("customer_id", "customer_id + 1"),
        ("actor_id", "1"),
    ],
)
def test_a_raw_update_of_an_attempts_recorded_facts_is_refused(attempt, column, value):
    _refused(
        f"UPDATE compliance_contactattempt SET {column} = {value} WHERE id = %s",  # noqa: S608
        [attempt.pk],
    )


def test_a_raw_delete_of_an_attempt_is_refused(attempt):
    _refused("DELETE FROM compliance_contactattempt WHERE id = %s", [attempt.pk])
    assert ContactAttempt.objects.filter(pk=attempt.pk).exists()


def test_an_attempt_settles_once_from_pending(attempt):
    settle = "UPDATE compliance_contactattempt SET result = %s WHERE id = %s"
    # Pending to pending (or a settling time with no result) is no settlement.
    _refused(
        "UPDATE compliance_contactattempt SET completed_at = now() WHERE id = %s",
        [attempt.pk],
    )
    done = contact_attempt_complete(
        attempt=attempt, result="conversation", completed_at=MORNING
    )
    assert done.result == "conversation"
    # The review's rewrite: a conversation made into no answer.
    _refused(settle, ["no_answer", attempt.pk])
    _refused(settle, ["pending", attempt.pk])
    _refused(
        "UPDATE compliance_contactattempt SET completed_at = now() WHERE id = %s",
        [attempt.pk],
    )
    # A save that rewrites nothing (history_save of the same values) still passes.
    assert _passes(
        "UPDATE compliance_contactattempt SET result = result WHERE id = %s",
        [attempt.pk],
    )
    attempt.refresh_from_db()
    assert attempt.result == "conversation"


def test_a_blocked_attempt_cannot_be_made_allowed_or_settled(attempt):
    blocked = "UPDATE compliance_contactattempt SET result = 'sent' WHERE id = %s"
    _passes(
        "UPDATE compliance_contactattempt SET result = 'blocked' WHERE id = %s",
        [attempt.pk],
    )
    _refused(blocked, [attempt.pk])


def test_the_dispatchers_bulk_settling_still_passes(attempt):
    from compliance.ledger import ledger_complete_many

    assert (
        ledger_complete_many(
            attempt_ids=[attempt.pk], result="sent", completed_at=timezone.now()
        )
        == 1
    )
    # Run twice: the second finds nothing pending, and so changes nothing.
    assert (
        ledger_complete_many(
            attempt_ids=[attempt.pk], result="failed", completed_at=timezone.now()
        )
        == 0
    )


@pytest.mark.parametrize(
    "assignment",
    [
        "amount = 999999.00",
        "received_at = now() - interval '1 day'",
        "loan_id = loan_id",  # unchanged: passes (checked below)
        "unallocated_amount = 5",
        "reference = 'PAY-OTHER'",
        "currency = 'USD'",
    ],
)
def test_a_raw_update_of_a_posted_payment_is_refused(payment, assignment):
    sql = f"UPDATE cases_payment SET {assignment} WHERE id = %s"  # noqa: S608
    if assignment == "loan_id = loan_id":
        assert _passes(sql, [payment.pk]) == 1
    else:
        _refused(sql, [payment.pk])
    payment.refresh_from_db()
    assert payment.amount == Decimal("100.00")


def test_a_payments_recorder_may_still_be_cleared_when_a_user_goes(payment):
    # recorded_by is SET_NULL: deleting a user must not be blocked by the ledger.
    assert _passes(
        "UPDATE cases_payment SET recorded_by_id = NULL WHERE id = %s", [payment.pk]
    )


def test_a_raw_delete_of_a_payment_or_an_allocation_is_refused(payment):
    allocation = payment.allocations.get()
    _refused("DELETE FROM cases_paymentallocation WHERE id = %s", [allocation.pk])
    _refused(
        "UPDATE cases_paymentallocation SET amount = 1 WHERE id = %s", [allocation.pk]
    )
    _refused("DELETE FROM cases_payment WHERE id = %s", [payment.pk])
    assert Payment.objects.filter(pk=payment.pk).exists()
    assert PaymentAllocation.objects.get(pk=allocation.pk).amount == Decimal("100.00")


def test_a_repeated_payment_reference_is_still_answered_without_a_write(payment):
    again, created = payment_record(
        loan=payment.loan,
        reference=payment.reference,
        amount=payment.amount,
        currency=payment.currency,
        received_at=payment.received_at,
    )
    assert not created and again.pk == payment.pk
