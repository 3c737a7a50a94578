"""The call queue's view of arrangements (decision 42): a pending promise or an active
plan in good standing keeps the case out of "Next case" until its next due date plus
ARRANGEMENT_GRACE_DAYS; a broken one brings it back with a boost and says why.

Only `Case.next_call_at`, `next_call_reason` and `call_boost` are written here, by
conditional UPDATEs (no history rows: the promise, plan or call that caused them has
its own). A hold never shortens a later next call time (a callback already agreed
for after the promise's date stands).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import F, Min, Q
from django.utils import timezone

from core.bulk import ids_in

from ..models import Case, PromiseToPay, RepaymentPlan, RepaymentPlanInstalment

# Added to a case's priority in the claim while it is back from a broken arrangement.
BROKEN_ARRANGEMENT_BOOST = 300


def grace_days() -> int:
    return int(getattr(settings, "ARRANGEMENT_GRACE_DAYS", 3))


def arrangement_hold_until(due_date: dt.date) -> dt.datetime:
    """When a case held for an arrangement due on `due_date` may be called again:
    the start of the day after the grace days (in the project's time zone), so the
    customer has the whole due date and grace days to pay."""
    day = due_date + dt.timedelta(days=grace_days() + 1)
    zone = timezone.get_default_timezone()
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone)


def case_call_hold(*, case_ids, until: dt.datetime, reason: str) -> int:
    """Keep open cases out of the call queue until `until` (never earlier than they
    already wait), saying why; a boost from a broken arrangement ends."""
    cases = Case.objects.filter(ids_in(list(case_ids)), status=Case.Status.OPEN)
    return cases.filter(
        Q(next_call_at__isnull=True) | Q(next_call_at__lt=until)
    ).update(next_call_at=until, next_call_reason=reason, call_boost=0) + cases.filter(
        next_call_at__gte=until
    ).update(call_boost=0)


def _hold_by_dates(rows, reason: str) -> int:
    """`rows`: (case id, due date) pairs; one UPDATE per distinct date."""
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for case_id, due in rows:
        by_date[due].append(case_id)
    return sum(
        case_call_hold(case_ids=ids, until=arrangement_hold_until(due), reason=reason)
        for due, ids in by_date.items()
    )


def promise_hold(*, promise: PromiseToPay) -> None:
    """A new pending promise holds its case until its date plus grace."""
    _hold_by_dates([(promise.case_id, promise.due_date)], Case.NextCall.PROMISE)


def plan_hold(*, plan: RepaymentPlan) -> None:
    """An active plan holds its case until its next unpaid instalment plus grace."""
    _hold_by_dates(_plan_next_dues(Q(pk=plan.pk)), Case.NextCall.PLAN)


def _plan_next_dues(plans: Q) -> list[tuple[int, dt.date]]:
    return list(
        RepaymentPlanInstalment.objects.filter(
            plan__in=RepaymentPlan.objects.filter(plans, status="active"),
            paid_amount__lt=F("amount"),
        )
        .values("plan__case_id")
        .annotate(due=Min("due_date"))
        .values_list("plan__case_id", "due")
    )


def arrangement_holds_refresh(*, broken_promise_case_ids=(), broken_plan_case_ids=()):
    """After the daily promise and plan refresh: holds follow the next unpaid date of
    every pending promise and active plan (a paid instalment moves the hold on to the
    next one); cases whose arrangement just broke come back with a boost and say so,
    unless another arrangement in good standing holds them. Their hold ends as set
    (the due date plus grace): the grace is for late-posted payments."""
    held = _hold_by_dates(
        PromiseToPay.objects.filter(status="pending", case__status="open")
        .values("case_id")
        .annotate(due=Min("due_date"))
        .values_list("case_id", "due"),
        Case.NextCall.PROMISE,
    )
    held += _hold_by_dates(_plan_next_dues(Q(case__status="open")), Case.NextCall.PLAN)
    in_good_standing = Q(
        pk__in=PromiseToPay.objects.filter(status="pending").values("case_id")
    ) | Q(pk__in=RepaymentPlan.objects.filter(status="active").values("case_id"))
    back = 0
    for ids, reason in (
        (broken_promise_case_ids, Case.NextCall.PROMISE_BROKEN),
        (broken_plan_case_ids, Case.NextCall.PLAN_BROKEN),
    ):
        if ids:
            back += (
                Case.objects.filter(ids_in(list(ids)), status="open")
                .exclude(in_good_standing)
                .update(next_call_reason=reason, call_boost=BROKEN_ARRANGEMENT_BOOST)
            )
    return {"held": held, "back": back}
