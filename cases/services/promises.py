"""Promises to pay: recorded in a call, settled by payments or by the date passing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.errors import ApplicationError
from core.history import history_save
from core.money import money_parse

from ..models import ZERO, Case, Loan, Payment, PromiseToPay
from ._common import customer_balance, require_open
from .next_call import arrangement_holds_refresh, promise_hold


def promise_record(
    *,
    case: Case,
    amount: Decimal,
    due_date: dt.date,
    loan: Loan | None = None,
    created_by=None,
    call=None,
) -> PromiseToPay:
    """Record a promise to pay `amount` by `due_date` on an open case.

    Refuses (ApplicationError naming the field) a non-positive amount, a date in the
    past, an amount above what the customer (or `loan`) still owes, and a loan that
    is not the case's customer's. The date must fall within PROMISE_MAX_DAYS of today.
    """
    amount = money_parse(amount, field="amount")
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        if not isinstance(due_date, dt.date):
            errors["due_date"] = ["A date is required."]
        elif due_date < today:
            errors["due_date"] = [f"The promised date {due_date} is in the past."]
        elif (due_date - today).days > settings.PROMISE_MAX_DAYS:
            # Days compared, not dates added: no overflow for any date or setting.
            errors["due_date"] = [
                _(
                    "The promised date %(date)s is too far off: a promise must fall "
                    "within %(days)d days of today."
                )
                % {"date": due_date, "days": settings.PROMISE_MAX_DAYS}
            ]
        if loan is not None and loan.customer_id != case.customer_id:
            errors["loan"] = [f"Loan {loan.reference} is not this customer's."]
        elif loan is not None:
            balance = loan.outstanding_balance
        else:
            balance = customer_balance(case.customer_id)
        if "loan" not in errors and amount > balance:
            errors["amount"] = [f"The amount is above the balance owed ({balance})."]
        if errors:
            raise ApplicationError(
                "; ".join(m for msgs in errors.values() for m in msgs), errors=errors
            )
        promise = PromiseToPay(
            case=case,
            loan=loan,
            amount=amount,
            currency=loan.currency if loan is not None else case.currency,
            due_date=due_date,
            made_at=timezone.now(),
            created_by=created_by,
            call=call,
        )
        history_save(promise, reason="promise recorded", user=created_by)
        # Out of the call queue until the date plus grace (decision 42).
        promise_hold(promise=promise)
        events.event_publish(events.PROMISE_MADE, instance=promise)
    return promise


def promise_refresh(*, today: dt.date | None = None) -> dict:
    """Settle pending promises, set-based.

    Covered by payments received since the promise was made → kept (whatever the
    date); still uncovered after the promised date → broken. A promise on a loan counts
    that loan's payments, otherwise all of the customer's.
    """
    today = today or timezone.localdate()
    now = timezone.now()

    def paid_since(loan_filter: dict):
        payments = (
            Payment.objects.filter(
                loan__customer=OuterRef("case__customer"),
                received_at__gte=OuterRef("made_at"),
                **loan_filter,
            )
            .order_by()
            .values("loan__customer")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return Coalesce(payments, ZERO)

    # Half a cent of slack: SQLite sums decimals as floating point.
    slack = Decimal("0.005")
    pending = PromiseToPay.objects.filter(status=PromiseToPay.Status.PENDING)
    with transaction.atomic():
        kept = (
            pending.filter(loan__isnull=True)
            .annotate(paid=paid_since({}))
            .filter(paid__gte=F("amount") - slack)
            .update(status=PromiseToPay.Status.KEPT, resolved_at=now)
        )
        kept += (
            pending.filter(loan__isnull=False)
            .annotate(paid=paid_since({"loan": OuterRef("loan")}))
            .filter(paid__gte=F("amount") - slack)
            .update(status=PromiseToPay.Status.KEPT, resolved_at=now)
        )
        to_break = pending.filter(due_date__lt=today)
        breaking = list(to_break.select_for_update().values_list("pk", "case_id"))
        broken = to_break.update(status=PromiseToPay.Status.BROKEN, resolved_at=now)
        # Webhook events for integrations, in this transaction (core.events).
        wanted = events.event_wanted(events.PROMISE_BROKEN)
        events.event_publish(
            events.PROMISE_BROKEN, ids=[pk for pk, _ in breaking] if wanted else []
        )
        # The call queue: holds follow the remaining promises; the cases whose
        # promise broke come back with priority (decision 42).
        arrangement_holds_refresh(
            broken_promise_case_ids={case_id for _pk, case_id in breaking}
        )
    return {"kept": kept, "broken": broken}
