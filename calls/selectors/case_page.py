"""Reads of the case page: the customer's loans and what is overdue, the gate's
verdict on each phone, the task the collector holds, the call in progress, reveals
of masked PII, what the customer said about being contacted; and the calls a user
may list. Each is a bounded read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.masking import mask_phone
from cases.models import Case, ContactPoint, Instalment, Loan
from cases.selectors import case_get_for_user, case_list_for_user
from compliance.models import ContactAttempt
from compliance.reasons import preference_text
from compliance.selectors import customer_statements_in_force
from compliance.services import (
    ContactProposal,
    contact_evaluate_many,
    pack_compiled_for,
)

from ..models import CallLog, CallTask, PiiReveal
from ..services import call_purpose, case_claim
from ._common import reason_summary, reason_text


def case_for_page(*, user, reference: str) -> Case:
    """The case with what its page shows, if `user` may see it (else 404)."""
    case = case_get_for_user(user=user, reference=reference)
    return case


@dataclass
class LoanView:
    loan: Loan
    oldest_unpaid_due: dt.date | None
    overdue_instalments: list[Instalment] = field(default_factory=list)


def case_loans(*, case: Case) -> list[LoanView]:
    """The customer's active loans with overdue amounts and the dates they fell due."""
    today = timezone.localdate()
    unpaid = Instalment.objects.filter(amount_paid__lt=F("amount_due")).order_by(
        "due_date"
    )
    loans = Loan.objects.filter(customer_id=case.customer_id).prefetch_related(
        Prefetch("instalments", queryset=unpaid, to_attr="unpaid")
    )
    views = []
    for loan in loans.order_by("-overdue_amount", "reference"):
        overdue = [i for i in loan.unpaid if i.due_date < today]
        views.append(
            LoanView(
                loan=loan,
                oldest_unpaid_due=overdue[0].due_date if overdue else None,
                overdue_instalments=overdue,
            )
        )
    return views


def case_totals(loans: list[LoanView]) -> dict[str, Decimal]:
    active = [v.loan for v in loans if v.loan.status == Loan.Status.ACTIVE]
    return {
        "overdue": sum((loan.overdue_amount for loan in active), Decimal("0")),
        "balance": sum((loan.outstanding_balance for loan in active), Decimal("0")),
    }


@dataclass
class Banner:
    point: ContactPoint
    masked: str
    allowed: bool
    text: str
    next_permitted_at: dt.datetime | None = None


def _cap_counts(
    *, point: ContactPoint, attempts: list[ContactAttempt], pack, zone, now
) -> list[str]:
    """ "2 of 6 unanswered calls today" for each call cap of the pack."""
    parts = []
    local_day = now.astimezone(zone).date()
    for cap in pack.caps:
        if "call" not in cap.channels:
            continue
        if cap.window == "calendar_day":
            since = dt.datetime.combine(local_day, dt.time(0), tzinfo=zone)
        else:
            since = now - dt.timedelta(days=cap.days)
        used = sum(
            1
            for a in attempts
            if a.at >= since
            and a.channel in cap.channels
            and a.result in cap.counted
            and (cap.scope != "contact_point" or a.contact_value == point.value)
        )
        what = {
            "contact_point": _("on this number"),
            "debtor": _("with the customer"),
            "debtor_debt": _("on this debt"),
        }.get(cap.scope, "")
        period = (
            _("today")
            if cap.window == "calendar_day"
            else _("in %(days)s days") % {"days": cap.days}
        )
        values = {"used": used, "max": cap.max, "what": what, "period": period}
        # Say what the cap counts: answered calls do not use an unanswered cap.
        counted = set(cap.counted) - {"pending"}
        if counted == {"conversation"}:
            text = _("%(used)s of %(max)s conversations %(what)s %(period)s")
        elif "conversation" not in counted:
            text = _("%(used)s of %(max)s unanswered calls %(what)s %(period)s")
        else:
            text = _("%(used)s of %(max)s calls %(what)s %(period)s")
        parts.append(text % values)
    return parts


def contact_banners(*, case: Case, now: dt.datetime | None = None) -> list[Banner]:
    """The gate's verdict on calling each of the customer's phones now, as a line a
    collector reads at a glance: "may call until 21:00 · 2 of 6 unanswered calls on
    this number today" or "blocked until 08:00: outside the permitted window"."""
    now = now or timezone.now()
    customer = case.customer
    points = [
        p
        for p in customer.contact_points.all()
        if p.channel == ContactPoint.Channel.PHONE
    ]
    if not points:
        return []
    decisions = contact_evaluate_many(
        [
            ContactProposal(
                customer=customer,
                channel="call",
                contact_point=p,
                purpose=call_purpose(p),
                at=now,
            )
            for p in points
        ],
        at=now,
    )
    pack = pack_compiled_for(customer)
    attempts = list(
        ContactAttempt.objects.filter(
            customer=customer,
            channel="call",
            allowed=True,
            at__gte=now - dt.timedelta(days=8),
        ).only("at", "channel", "result", "contact_value")
    )
    banners = []
    for point, decision in zip(points, decisions, strict=True):
        zone = (
            decision.next_permitted_at.tzinfo
            if decision.next_permitted_at is not None
            else pack.zone
        )
        masked = mask_phone(point.value)
        if decision.allowed:
            parts = [
                _("May call until %(time)s")
                % {"time": pack.window_end.strftime("%H:%M")}
            ]
            parts += _cap_counts(
                point=point, attempts=attempts, pack=pack, zone=zone, now=now
            )
            # An exception that let the call through (prior consent, a reply).
            parts += [reason_text(r) for r in decision.reasons]
            banners.append(Banner(point, masked, True, " · ".join(parts)))
        else:
            reason = reason_summary(decision.reasons[0]) if decision.reasons else ""
            if decision.next_permitted_at is not None:
                local = decision.next_permitted_at.astimezone(zone)
                fmt = (
                    "%H:%M"
                    if local.date() == now.astimezone(zone).date()
                    else ("%Y-%m-%d %H:%M")
                )
                text = _("Blocked until %(time)s: %(reason)s") % {
                    "time": local.strftime(fmt),
                    "reason": reason,
                }
            else:
                text = _("Blocked: %(reason)s") % {"reason": reason}
            banners.append(
                Banner(point, masked, False, text, decision.next_permitted_at)
            )
    return banners


def pii_reveals_for_case(*, case: Case, limit: int = 10) -> list[PiiReveal]:
    return list(
        PiiReveal.objects.filter(customer_id=case.customer_id)
        .select_related("user")
        .order_by("-revealed_at")[:limit]
    )


def case_current_task(*, case: Case, user) -> CallTask | None:
    """The task on this case the user holds, if any (shown on the case page)."""
    return (
        CallTask.objects.filter(
            case=case, claimed_by=user, status=CallTask.Status.CLAIMED
        )
        .order_by("-priority")
        .first()
    )


def case_claim_holder(*, case: Case) -> CallTask | None:
    """The live claim on the case, whoever holds it (shown on the case page)."""
    return case_claim(case=case)


def pending_attempt(*, case: Case, user, attempt_id: int) -> ContactAttempt | None:
    """A call the user started on this case and has not logged yet."""
    return (
        ContactAttempt.objects.select_related("contact_point")
        .filter(
            pk=attempt_id,
            case=case,
            actor=user,
            channel="call",
            result=ContactAttempt.Result.PENDING,
        )
        .first()
    )


def call_list_for_user(*, user) -> QuerySet[CallLog]:
    """Calls on the cases `user` may see, newest first."""
    visible = case_list_for_user(user=user).order_by().values("pk")
    return (
        CallLog.objects.filter(case_id__in=visible)
        .select_related("case", "contact_point", "collector")
        .order_by("-started_at")
    )


@dataclass
class Statement:
    row: object
    text: str


def case_statements(*, case: Case, now: dt.datetime | None = None) -> dict:
    """What the customer said about being contacted, in the reader's language: the
    inconvenient times and places in force, and prior consents not yet over."""
    now = now or timezone.now()
    preferences, consents = customer_statements_in_force(
        customer=case.customer, now=now
    )
    zh = (get_language() or "").startswith("zh")
    shown = []
    for p in preferences:
        en, cn = preference_text(p)
        shown.append(Statement(p, cn if zh else en))
    zone = timezone.get_current_timezone()
    shown_consents = []
    for c in consents:
        start = c.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        end = c.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        text = _("Prior consent to calls from %(start)s to %(end)s") % {
            "start": start,
            "end": end,
        }
        if c.loan:
            text += f" ({c.loan.reference})"
        shown_consents.append(Statement(c, text))
    return {"preferences": shown, "consents": shown_consents}


def case_settlement(*, case: Case) -> dict:
    """The case's active settlement offer (with its deadline), and when it was
    written off the write-off and its recoveries (docs/decisions.md, record 48).
    One query, two more for a written-off case."""
    from django.db.models import Count, Sum

    from cases.models import SettlementOffer, WriteOff

    offer = (
        SettlementOffer.objects.filter(
            case=case, state__in=SettlementOffer.ACTIVE_STATES
        )
        .order_by("-created_at")
        .first()
    )
    write_off = None
    recoveries = {"n": 0, "total": None}
    if case.close_reason == Case.CloseReason.WRITTEN_OFF:
        write_off = WriteOff.objects.filter(case=case).first()
        if write_off is not None:
            recoveries = write_off.recoveries.aggregate(
                n=Count("id"), total=Sum("amount")
            )
    return {
        "settlement_offer": offer,
        "write_off": write_off,
        "recoveries": recoveries,
    }
