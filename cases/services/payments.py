"""Recording payments: idempotent by reference, allocated oldest instalment first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.errors import ApplicationError, ConflictError
from core.history import history_save
from core.money import money_parse

from ..models import (
    ZERO,
    Case,
    Instalment,
    Loan,
    Payment,
    PaymentAllocation,
    PromiseToPay,
    RepaymentPlan,
)
from .delinquency import bucket_for, days_past_due, priority_score
from .settlements import recovery_record, settlements_apply_payment


def _replayed_payment(
    existing: Payment, *, loan: Loan, amount: Decimal, currency: str
) -> tuple[Payment, bool]:
    """The same reference again: the same payment if the body matches, else 409."""
    mismatched = []
    if existing.loan_id != loan.pk:
        mismatched.append("loan")
    if existing.amount != amount:
        mismatched.append("amount")
    if existing.currency != currency:
        mismatched.append("currency")
    if mismatched:
        message = _(
            "Payment %(ref)s was already recorded with a different %(fields)s."
        ) % {"ref": existing.reference, "fields": ", ".join(mismatched)}
        raise ConflictError(message, errors={"reference": [message]})
    return existing, False


def payment_record(
    *,
    reference: str,
    loan: Loan,
    amount: Decimal,
    currency: str,
    received_at: dt.datetime,
    recorded_by=None,
) -> tuple[Payment, bool]:
    """Record money received on `loan`; returns (payment, created).

    Idempotent by reference: the same reference with the same loan, amount and
    currency returns the existing payment (created=False) and counts nothing again; a
    different loan, amount or currency raises ConflictError (409).

    Allocates to the oldest unpaid instalment first (due date, then sequence); what does
    not fit is kept in `unallocated_amount`. Then refreshes the loan's delinquency
    figures, the customer's pending promises, an active repayment plan, and closes the
    customer's open case once no active loan is overdue.
    """
    reference = (reference or "").strip()
    if not reference:
        message = _("A payment reference is required.")
        raise ApplicationError(message, errors={"reference": [message]})
    amount = money_parse(amount, field="amount")
    currency = (currency or "").strip().upper()
    if currency != loan.currency:
        message = _("Loan %(ref)s is in %(currency)s, not %(given)s.") % {
            "ref": loan.reference,
            "currency": loan.currency,
            "given": currency or "-",
        }
        raise ApplicationError(message, errors={"currency": [message]})
    if received_at is None or timezone.is_naive(received_at):
        message = _("received_at needs a date, time and UTC offset.")
        raise ApplicationError(message, errors={"received_at": [message]})

    # Fast path for replays: no lock needed to answer "already have it".
    existing = Payment.objects.filter(reference=reference).first()
    if existing is not None:
        return _replayed_payment(existing, loan=loan, amount=amount, currency=currency)

    today = timezone.localdate()
    with transaction.atomic():
        # The loan lock serialises payments on one loan (allocation reads then writes
        # the instalments); the unique reference catches a concurrent twin, which may
        # be on another loan and so not behind this lock.
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        unpaid = list(
            loan.instalments.filter(amount_paid__lt=F("amount_due")).order_by(
                "due_date", "sequence"
            )
        )
        shares: list[tuple[Instalment, Decimal]] = []
        remaining = amount
        for instalment in unpaid:
            if remaining <= 0:
                break
            share = min(remaining, instalment.amount_outstanding)
            shares.append((instalment, share))
            remaining -= share

        payment = Payment(
            reference=reference,
            loan=loan,
            amount=amount,
            currency=currency,
            received_at=received_at,
            unallocated_amount=remaining,
            recorded_by=recorded_by,
        )
        try:
            # A savepoint, so the losing side of a race can still read the winner.
            with transaction.atomic():
                history_save(payment, reason="payment recorded", user=recorded_by)
        except IntegrityError:
            existing = Payment.objects.filter(reference=reference).first()
            if existing is None:
                raise
            return _replayed_payment(
                existing, loan=loan, amount=amount, currency=currency
            )

        reason = f"payment {reference}"
        for instalment, share in shares:
            instalment.amount_paid += share
            history_save(
                instalment,
                reason=reason,
                user=recorded_by,
                update_fields=["amount_paid"],
            )
        PaymentAllocation.objects.bulk_create(
            PaymentAllocation(payment=payment, instalment=instalment, amount=share)
            for instalment, share in shares
        )

        loan.outstanding_balance = max(ZERO, loan.outstanding_balance - amount)
        overdue = [i for i in unpaid if i.due_date < today and i.amount_outstanding > 0]
        loan.overdue_amount = sum((i.amount_outstanding for i in overdue), ZERO)
        loan.days_past_due = days_past_due(
            min((i.due_date for i in overdue), default=None), today
        )
        loan.bucket = bucket_for(loan.days_past_due)
        still_unpaid = any(i.amount_outstanding > 0 for i in unpaid)
        fields = ["outstanding_balance", "overdue_amount", "days_past_due", "bucket"]
        if (
            loan.status == Loan.Status.ACTIVE
            and loan.outstanding_balance == 0
            and not still_unpaid
        ):
            loan.status = Loan.Status.PAID
            fields.append("status")
        history_save(
            loan, reason=reason, user=recorded_by, update_fields=[*fields, "updated_at"]
        )

        _promises_settle(customer_id=loan.customer_id, user=recorded_by)
        _plan_apply_payment(
            customer_id=loan.customer_id, amount=amount, reason=reason, user=recorded_by
        )
        # A written-off loan's payment is a recovery; a payment that completes a
        # settlement offer closes the case as settled before the refresh below
        # could close it as cured (docs/decisions.md, record 48).
        recovery_record(payment=payment, loan=loan, user=recorded_by)
        settlements_apply_payment(customer_id=loan.customer_id, user=recorded_by)
        _case_refresh_after_payment(
            customer_id=loan.customer_id, today=today, reason=reason, user=recorded_by
        )
    return payment, True


def _payments_since(*, customer_id: int, since: dt.datetime, loan_id=None) -> Decimal:
    payments = Payment.objects.filter(
        loan__customer_id=customer_id, received_at__gte=since
    )
    if loan_id is not None:
        payments = payments.filter(loan_id=loan_id)
    return sum(payments.values_list("amount", flat=True), ZERO)


def _promises_settle(*, customer_id: int, user=None) -> int:
    """Mark the customer's pending promises kept once payments since cover them."""
    kept = 0
    pending = PromiseToPay.objects.select_for_update(of=("self",)).filter(
        case__customer_id=customer_id, status=PromiseToPay.Status.PENDING
    )
    for promise in pending:
        paid = _payments_since(
            customer_id=customer_id, since=promise.made_at, loan_id=promise.loan_id
        )
        if paid >= promise.amount:
            promise.status = PromiseToPay.Status.KEPT
            promise.resolved_at = timezone.now()
            history_save(
                promise,
                reason="kept: payments cover the promise",
                user=user,
                update_fields=["status", "resolved_at"],
            )
            kept += 1
    return kept


def _plan_apply_payment(
    *, customer_id: int, amount: Decimal, reason: str, user=None
) -> None:
    """Apply the payment to the customer's active plan, oldest plan instalment first."""
    plan = (
        RepaymentPlan.objects.select_for_update(of=("self",))
        .filter(case__customer_id=customer_id, status=RepaymentPlan.Status.ACTIVE)
        .order_by("created_at", "pk")
        .first()
    )
    if plan is None:
        return
    remaining = amount
    instalments = plan.instalments.filter(paid_amount__lt=F("amount")).order_by(
        "due_date", "sequence"
    )
    for instalment in instalments:
        if remaining <= 0:
            break
        share = min(remaining, instalment.amount - instalment.paid_amount)
        instalment.paid_amount += share
        history_save(
            instalment, reason=reason, user=user, update_fields=["paid_amount"]
        )
        remaining -= share
    if not plan.instalments.filter(paid_amount__lt=F("amount")).exists():
        plan.status = RepaymentPlan.Status.COMPLETED
        history_save(plan, reason="completed: all instalments paid", user=user)


def _case_refresh_after_payment(
    *, customer_id: int, today: dt.date, reason: str, user=None
) -> None:
    """Refresh or close the customer's open case from their loans' figures."""
    case = (
        Case.objects.select_for_update().filter(customer_id=customer_id).open().first()
    )
    if case is None:
        return
    loans = list(
        Loan.objects.filter(customer_id=customer_id, status=Loan.Status.ACTIVE).values(
            "overdue_amount", "days_past_due", "outstanding_balance"
        )
    )
    overdue = sum((row["overdue_amount"] for row in loans), ZERO)
    if overdue <= 0:
        owing = any(row["outstanding_balance"] > 0 for row in loans)
        case.status = Case.Status.CLOSED
        case.closed_at = timezone.now()
        case.close_reason = Case.CloseReason.CURED if owing else Case.CloseReason.PAID
        history_save(
            case, reason=f"closed ({case.close_reason}) after {reason}", user=user
        )
        events.event_publish(events.CASE_CLOSED, instance=case)
        return
    dpd = max(row["days_past_due"] for row in loans)
    case.overdue_amount = overdue
    case.max_days_past_due = dpd
    case.bucket = bucket_for(dpd)
    case.priority = priority_score(dpd=dpd, overdue_amount=overdue)
    history_save(
        case,
        reason=reason,
        user=user,
        update_fields=["overdue_amount", "max_days_past_due", "bucket", "priority"],
    )
