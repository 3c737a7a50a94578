"""Promises to pay: recorded in a call, settled by payments or by the date passing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import events
from core.history import history_save
from core.money import money_parse

from ..models import ZERO, Case, Loan, Payment, PromiseToPay
from ._common import require_open
from .arrangements import arrangements_supersede, promise_check
from .next_call import arrangement_holds_refresh, promise_hold


def promise_record(
    *,
    case: Case,
    amount: Decimal,
    due_date: dt.date,
    loan: Loan | None = None,
    created_by=None,
    call=None,
    supersede: bool = False,
    supersede_reason: str = "",
) -> PromiseToPay:
    """Record a promise to pay `amount` by `due_date` on an open case.

    The one check (`arrangements.promise_check`) refuses, naming the field, a
    non-positive amount, a date in the past or beyond the case's promise horizon
    (its products' terms), an amount above what the customer (or `loan`) still owes,
    a loan that is not the case's customer's, and a case with an arrangement in force
    unless `supersede` (field `supersede`): then those are cancelled, in history. A
    customer who asked us to cease communication: 409 on `case`.
    """
    amount = money_parse(amount, field="amount")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        check = promise_check(
            case=case,
            amount=amount,
            due_date=due_date,
            loan=loan,
            supersede=supersede,
        )
        check.raise_errors()
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
        if check.superseding:
            arrangements_supersede(
                case=case, by=promise, user=created_by, reason=supersede_reason
            )
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
