"""The case header a collector reads at a glance (issue 18): what is owed and what
cures it, how late, the last contact and how it went, the arrangement in force and
its next date, the restrictions in force, and whether a call to the customer's own
phones is allowed now or from when. Built from what the case page already read (its
loans and banners) plus four bounded queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from cases.models import (
    Case,
    ContactPoint,
    PromiseToPay,
    RepaymentPlan,
    RepaymentPlanInstalment,
)
from compliance.models import ContactRestriction

from ..models import CallLog
from .case_page import Banner, LoanView

PLAN_SHOWN = (RepaymentPlan.Status.APPROVED, RepaymentPlan.Status.ACTIVE)


@dataclass
class Glance:
    overdue: Decimal
    balance: Decimal
    # The oldest overdue instalments' outstanding amount on each loan: paying it
    # brings that loan back one bucket (a month of arrears).
    to_cure_oldest: Decimal
    bucket: str
    days_past_due: int
    currency: str
    last_call: CallLog | None
    promise: PromiseToPay | None
    plan: RepaymentPlan | None
    plan_next: RepaymentPlanInstalment | None
    plan_proposed: bool
    restrictions: list[ContactRestriction] = field(default_factory=list)
    # The customer's own phones: may one be called now, else the earliest time.
    call_allowed: bool = False
    call_next_at: dt.datetime | None = None
    has_phone: bool = False


def case_glance(
    *, case: Case, loans: list[LoanView], totals: dict, banners: list[Banner]
) -> Glance:
    now = timezone.now()
    oldest = sum(
        (
            v.overdue_instalments[0].amount_outstanding
            for v in loans
            if v.overdue_instalments
        ),
        Decimal("0"),
    )
    last_call = (
        CallLog.objects.filter(case=case, started_at__lte=now)
        .order_by("-started_at")
        .first()
    )
    promise = (
        PromiseToPay.objects.filter(case=case, status=PromiseToPay.Status.PENDING)
        .order_by("due_date")
        .first()
    )
    plan = (
        RepaymentPlan.objects.filter(case=case, status__in=PLAN_SHOWN)
        .order_by("-created_at")
        .first()
    )
    plan_next = None
    if plan is not None:
        plan_next = (
            plan.instalments.filter(paid_amount__lt=F("amount"))
            .order_by("sequence")
            .first()
        )
    proposed = (
        plan is None
        and RepaymentPlan.objects.filter(
            case=case, status=RepaymentPlan.Status.PROPOSED
        ).exists()
    )
    restrictions = list(
        ContactRestriction.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            customer_id=case.customer_id,
            starts_at__lte=now,
        ).order_by("starts_at")[:10]
    )
    own = [b for b in banners if b.point.relationship == ContactPoint.Relationship.SELF]
    later = [b.next_permitted_at for b in own if b.next_permitted_at is not None]
    return Glance(
        overdue=totals["overdue"],
        balance=totals["balance"],
        to_cure_oldest=oldest,
        bucket=case.bucket,
        days_past_due=case.max_days_past_due,
        currency=case.currency,
        last_call=last_call,
        promise=promise,
        plan=plan,
        plan_next=plan_next,
        plan_proposed=proposed,
        restrictions=restrictions,
        call_allowed=any(b.allowed for b in own),
        call_next_at=min(later) if later else None,
        has_phone=bool(own),
    )
