"""Settlement offers and write-offs on the case's side (docs/decisions.md, record 48):
recording an offer, its approval, its communication, a payment that settles it, the
daily lapse; closing a case as written off, and the recoveries paid after.

Who may approve is not decided here: the escalation app's authority matrix does
that (escalation.work_items) and calls these once it has. Every change is in the
history with the acting user and a reason; the daily refresh is set-based.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save
from core.money import money_parse

from ..models import ZERO, Case, Loan, Payment, Recovery, SettlementOffer, WriteOff
from ._common import customer_balance, require_open

State = SettlementOffer.State


def _error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, errors={field: [message]})


def max_deadline_days() -> int:
    return int(getattr(settings, "SETTLEMENT_MAX_DAYS", 90))


def _day_start(day: dt.date) -> dt.datetime:
    zone = timezone.get_default_timezone()
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone)


def deadline_end(deadline: dt.date) -> dt.datetime:
    """The end of the deadline day (the project's zone): payments received before
    it count."""
    return _day_start(deadline + dt.timedelta(days=1))


def case_balance(case: Case) -> Decimal:
    """What the case's customer still owes on active loans: what an offer or a
    write-off is measured against."""
    return customer_balance(case.customer_id)


def settlement_active(case: Case) -> SettlementOffer | None:
    return (
        SettlementOffer.objects.filter(
            case=case, state__in=SettlementOffer.ACTIVE_STATES
        )
        .select_related("proposed_by", "approved_by")
        .first()
    )


def settlement_validate(
    *, case: Case, amount, deadline: dt.date | None
) -> tuple[Decimal, Decimal]:
    """(amount, balance) if `amount` by `deadline` is an offer this case can get,
    else ApplicationError naming the field."""
    require_open(case)
    amount = money_parse(amount, field="amount")
    balance = case_balance(case)
    if balance <= 0:
        raise _error("amount", _("The case has no balance to settle."))
    if amount >= balance:
        raise _error(
            "amount",
            _("A settlement is less than the balance (%(balance)s %(currency)s).")
            % {"balance": balance, "currency": case.currency},
        )
    today = timezone.localdate()
    if deadline is None:
        raise _error("deadline", _("Give the date the settlement must be paid by."))
    if not today <= deadline <= today + dt.timedelta(days=max_deadline_days()):
        raise _error(
            "deadline",
            _("The deadline is between today and %(days)d days ahead.")
            % {"days": max_deadline_days()},
        )
    if SettlementOffer.objects.filter(
        case=case, state__in=SettlementOffer.ACTIVE_STATES
    ).exists():
        message = _("The case already has a settlement offer; decide or end it first.")
        raise ConflictError(message, errors={"case": [message]})
    return amount, balance


def settlement_create(
    *,
    case: Case,
    amount,
    deadline: dt.date,
    proposed_by,
    notes: str = "",
    approved: bool = False,
) -> SettlementOffer:
    """Record an offer of `amount` by `deadline`; `approved` when the proposer's own
    authority covers it (the caller decided)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        amount, balance = settlement_validate(
            case=case, amount=amount, deadline=deadline
        )
        offer = SettlementOffer(
            case=case,
            balance=balance,
            amount=amount,
            currency=case.currency,
            deadline=deadline,
            notes=(notes or "").strip(),
            proposed_by=proposed_by,
        )
        history_save(
            offer,
            reason=change_reason(f"proposed {amount} by {deadline}", notes),
            user=proposed_by,
        )
        if approved:
            settlement_approve(
                offer=offer, user=proposed_by, notes="within the proposer's authority"
            )
            offer.refresh_from_db()
    return offer


def _locked(offer: SettlementOffer, *states) -> SettlementOffer:
    offer = SettlementOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state not in states:
        message = _("This settlement offer is %(state)s.") % {
            "state": offer.get_state_display()
        }
        raise ConflictError(message, errors={"state": [message]})
    return offer


def _ladder_pause(
    case_id: int, *, until: dt.datetime | None, reason: str, user
) -> None:
    """The escalation ladder leaves the case alone until `until`."""
    case = Case.objects.select_for_update().get(pk=case_id)
    case.next_action_at = until
    history_save(case, reason=reason, user=user, update_fields=["next_action_at"])


def settlement_approve(*, offer: SettlementOffer, user, notes: str = "") -> None:
    """Approved: the customer may pay it; the ladder waits until the deadline."""
    with transaction.atomic():
        offer = _locked(offer, State.PROPOSED)
        offer.state = State.APPROVED
        offer.approved_by = user
        offer.approved_at = timezone.now()
        history_save(offer, reason=change_reason("approved", notes), user=user)
        _ladder_pause(
            offer.case_id,
            until=deadline_end(offer.deadline),
            reason=f"settlement {offer.reference} approved: ladder waits",
            user=user,
        )


def settlement_reject(*, offer: SettlementOffer, user, notes: str) -> None:
    with transaction.atomic():
        offer = _locked(offer, State.PROPOSED, State.APPROVED)
        was_approved = offer.state == State.APPROVED
        offer.state = State.REJECTED
        offer.closed_at = timezone.now()
        history_save(offer, reason=change_reason("rejected", notes), user=user)
        if was_approved:
            _ladder_pause(
                offer.case_id,
                until=None,
                reason=f"settlement {offer.reference} withdrawn: ladder resumes",
                user=user,
            )


def settlement_communicate(
    *, offer: SettlementOffer, user, via: str, notes: str = ""
) -> None:
    """Record that (and how) the approved offer was put to the customer."""
    via = (via or "").strip()
    if not via:
        raise _error("via", _("Say how the offer was communicated."))
    with transaction.atomic():
        offer = _locked(offer, State.APPROVED)
        offer.state = State.COMMUNICATED
        offer.communicated_by = user
        offer.communicated_at = timezone.now()
        offer.communicated_via = via[:100]
        history_save(
            offer, reason=change_reason(f"communicated ({via})", notes), user=user
        )


def _paid_towards(offer: SettlementOffer, *, customer_id: int) -> Decimal:
    total = Payment.objects.filter(
        loan__customer_id=customer_id,
        received_at__gte=offer.created_at,
        received_at__lt=deadline_end(offer.deadline),
    ).aggregate(total=Sum("amount"))["total"]
    return Decimal(str(total or 0))


def _settle(offer: SettlementOffer, *, paid: Decimal, user=None) -> None:
    """Paid in full by the deadline: the case closes as settled, its loans are
    settled and the balance left is recorded as forgiven."""
    case = Case.objects.select_for_update().get(pk=offer.case_id)
    loans = list(
        Loan.objects.select_for_update().filter(
            customer_id=case.customer_id, status=Loan.Status.ACTIVE
        )
    )
    forgiven = sum((loan.outstanding_balance for loan in loans), ZERO)
    reason = f"settlement {offer.reference} paid"
    offer.state = State.PAID
    offer.paid_amount = paid
    offer.forgiven_amount = forgiven
    offer.closed_at = timezone.now()
    history_save(offer, reason=f"paid in full; {forgiven} forgiven", user=user)
    for loan in loans:
        loan.status = Loan.Status.SETTLED
        history_save(loan, reason=reason, user=user, update_fields=["status"])
    if case.status == Case.Status.OPEN:
        case.status = Case.Status.CLOSED
        case.close_reason = Case.CloseReason.SETTLED
        case.closed_at = timezone.now()
        history_save(case, reason=f"closed (settled) after {reason}", user=user)
        events.event_publish(events.CASE_CLOSED, instance=case)


def settlements_apply_payment(*, customer_id: int, user=None) -> bool:
    """After a payment on the customer's loans (payment_record, in its
    transaction): settle their live offer once the payments since it cover it.
    One indexed read when the customer has none."""
    offer = (
        SettlementOffer.objects.select_for_update(of=("self",))
        .filter(
            case__customer_id=customer_id,
            case__status=Case.Status.OPEN,
            state__in=SettlementOffer.LIVE_STATES,
        )
        .first()
    )
    if offer is None:
        return False
    paid = _paid_towards(offer, customer_id=customer_id)
    if paid < offer.amount:
        return False
    _settle(offer, paid=paid, user=user)
    return True


def recovery_record(*, payment: Payment, loan: Loan, user=None) -> Recovery | None:
    """A payment on a written-off loan is a recovery of that write-off."""
    if loan.status != Loan.Status.WRITTEN_OFF:
        return None
    write_off = (
        WriteOff.objects.filter(case__customer_id=loan.customer_id)
        .order_by("-written_off_at")
        .first()
    )
    if write_off is None:
        return None
    recovery = Recovery(
        write_off=write_off,
        payment=payment,
        amount=payment.amount,
        received_at=payment.received_at,
    )
    history_save(recovery, reason="recovery after write-off", user=user)
    return recovery


def settlement_refresh(*, today: dt.date | None = None) -> dict:
    """The daily refresh (after the promise and plan refresh): settle any live offer
    the payments cover (payments posted out of band), then lapse the live offers
    whose deadline has passed (their cases go back to the ladder), and end the
    active offers of cases closed otherwise. Set-based, no history rows (as the
    other refreshes); the settling is row by row, there are few."""
    today = today or timezone.localdate()
    now = timezone.now()
    settled = 0
    live = SettlementOffer.objects.filter(
        state__in=SettlementOffer.LIVE_STATES, case__status=Case.Status.OPEN
    )
    paid = (
        Payment.objects.filter(
            loan__customer=OuterRef("case__customer"),
            received_at__gte=OuterRef("created_at"),
            received_at__date__lte=OuterRef("deadline"),
        )
        .order_by()
        .values("loan__customer")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    covered = (
        live.annotate(paid=Coalesce(Subquery(paid), ZERO))
        .filter(paid__gte=F("amount"))
        .values_list("pk", flat=True)
    )
    for pk in list(covered):
        with transaction.atomic():
            offer = SettlementOffer.objects.select_for_update().get(pk=pk)
            if offer.state not in SettlementOffer.LIVE_STATES:
                continue
            paid = _paid_towards(offer, customer_id=offer.case.customer_id)
            if paid >= offer.amount:
                _settle(offer, paid=paid)
                settled += 1
    with transaction.atomic():
        lapsing = live.filter(deadline__lt=today)
        case_ids = list(lapsing.select_for_update().values_list("case_id", flat=True))
        lapsed = lapsing.update(state=State.LAPSED, closed_at=now)
        # Back to the ladder: the sweep looks at them at its next run.
        Case.objects.filter(pk__in=case_ids, status=Case.Status.OPEN).update(
            next_action_at=None
        )
        ended = SettlementOffer.objects.filter(
            state__in=SettlementOffer.ACTIVE_STATES, case__status=Case.Status.CLOSED
        ).update(state=State.WITHDRAWN, closed_at=now)
    return {"settled": settled, "lapsed": lapsed, "withdrawn": ended}


def write_off_record(
    *, case: Case, amount, reason: str, requested_by, approved_by
) -> WriteOff:
    """Close `case` as written off for `amount` (at most its balance): its loans are
    written off, an active settlement offer ends."""
    reason = (reason or "").strip()
    if not reason:
        raise _error("notes", _("Say why."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        amount = money_parse(amount, field="amount")
        balance = case_balance(case)
        if amount > balance:
            raise _error(
                "amount",
                _("A write-off is at most the balance (%(balance)s %(currency)s).")
                % {"balance": balance, "currency": case.currency},
            )
        now = timezone.now()
        write_off = WriteOff(
            case=case,
            amount=amount,
            balance=balance,
            currency=case.currency,
            reason=reason,
            requested_by=requested_by,
            approved_by=approved_by,
            written_off_at=now,
        )
        history_save(
            write_off, reason=change_reason("written off", reason), user=approved_by
        )
        for loan in Loan.objects.select_for_update().filter(
            customer_id=case.customer_id, status=Loan.Status.ACTIVE
        ):
            loan.status = Loan.Status.WRITTEN_OFF
            history_save(
                loan,
                reason=f"case {case.reference} written off",
                user=approved_by,
                update_fields=["status"],
            )
        for offer in SettlementOffer.objects.select_for_update().filter(
            case=case, state__in=SettlementOffer.ACTIVE_STATES
        ):
            offer.state = State.WITHDRAWN
            offer.closed_at = now
            history_save(offer, reason="case written off", user=approved_by)
        case.status = Case.Status.CLOSED
        case.close_reason = Case.CloseReason.WRITTEN_OFF
        case.closed_at = now
        history_save(
            case, reason=change_reason("written off", reason), user=approved_by
        )
        events.event_publish(events.CASE_CLOSED, instance=case)
    return write_off
