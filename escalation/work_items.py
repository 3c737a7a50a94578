"""Work items' services: raising them, a supervisor's decision on a review, the
legal case a referral becomes, settlement and write-off requests
(docs/decisions.md, record 41). Every change is in the item's history (and the
case's) with the acting user and a reason; the pages and the API call these.

Who may complete an item: the supervisors of its team, and admins (any item); a
write-off is approved by someone other than who asked for it. There is no separate
legal role: the legal queue is worked by supervisors and admins.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.services import cases_defer_blocked
from cases.models import Case, SettlementOffer, Team, WorkQueue, percent_of
from cases.services import (
    case_balance,
    settlement_approve,
    settlement_communicate,
    settlement_create,
    settlement_reject,
    settlement_validate,
    write_off_record,
)
from compliance.models import ContactRestriction
from compliance.restrictions import restriction_create, restriction_end
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save
from core.money import money_parse
from core.roles import Role, user_roles

from .models import ApprovalAuthority, WorkItem

Kind = WorkItem.Kind
State = WorkItem.State
Outcome = WorkItem.Outcome
OPEN_STATES = (State.OPEN, State.IN_PROGRESS)
# A supervisor's choices on a review (and on a dispute review).
REVIEW_DECISIONS = (
    Outcome.CONTINUE,
    Outcome.HOLD,
    Outcome.REFER_LEGAL,
    Outcome.SETTLEMENT,
    Outcome.WRITE_OFF,
)
LEGAL_OUTCOMES = (
    Outcome.JUDGMENT,
    Outcome.SETTLED,
    Outcome.WITHDRAWN,
    Outcome.DISMISSED,
)
MAX_HOLD_DAYS = 180
# When a work item raised by a person is due.
DUE_IN = dt.timedelta(days=2)


def _error(field: str, message: str, *, status: int = 400) -> ApplicationError:
    if status == 409:
        return ConflictError(message, errors={field: [message]})
    return ApplicationError(message, errors={field: [message]}, status=status)


def team_for_case(case: Case) -> Team | None:
    queue = (
        WorkQueue.objects.filter(pk=case.queue_id).first() if case.queue_id else None
    )
    return queue.team if queue is not None else None


def work_item_can_complete(*, user, item: WorkItem) -> bool:
    """Whether `user` may decide or complete `item`: admins any; supervisors those of
    the teams they supervise. (Visibility is the same rule: selectors.)"""
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return True
    if Role.SUPERVISOR not in roles or item.team_id is None:
        return False
    return item.team.supervisors.filter(pk=user.pk).exists()


def _require(user, item: WorkItem, *, kinds: tuple[str, ...]) -> WorkItem:
    """The item locked, open, of one of `kinds`, and `user` allowed to act on it."""
    item = WorkItem.objects.select_for_update().select_related("case").get(pk=item.pk)
    if not work_item_can_complete(user=user, item=item):
        raise _error("work_item", _("You may not complete this work item."), status=403)
    if item.kind not in kinds:
        raise _error(
            "work_item",
            _("A %(kind)s cannot do this.") % {"kind": item.get_kind_display()},
        )
    if not item.is_open:
        message = _("This work item is %(state)s.") % {
            "state": item.get_state_display().lower()
        }
        raise _error("state", message, status=409)
    return item


def work_item_open(
    *,
    case: Case,
    kind: str,
    reason: str,
    user=None,
    parent: WorkItem | None = None,
    amount: Decimal | None = None,
    due_at: dt.datetime | None = None,
    team: Team | None = None,
) -> WorkItem:
    """Raise a work item for `case`, owned by the team of the case's queue."""
    item = WorkItem(
        case=case,
        kind=kind,
        reason=reason[:200],
        team=team or (parent.team if parent else None) or team_for_case(case),
        parent=parent,
        amount=amount,
        currency=case.currency,
        requested_by=user,
        due_at=due_at or timezone.now() + DUE_IN,
    )
    history_save(item, reason=f"opened: {reason}", user=user)
    return item


def legal_referral_open(
    *, case: Case, user, reason: str, parent: WorkItem | None = None
) -> WorkItem:
    """Refer `case` to legal: a legal-queue item and a legal hold on contacting the
    customer (litigation; the gate blocks collection contact while it lasts)."""
    with transaction.atomic():
        hold = restriction_create(
            customer=case.customer,
            kind=ContactRestriction.Kind.LEGAL_HOLD,
            reason=f"Legal referral of case {case.reference}: {reason}"[:500],
            actor=user,
            source="escalation:legal_referral",
        )
        item = work_item_open(
            case=case, kind=Kind.LEGAL_REFERRAL, reason=reason, user=user, parent=parent
        )
        item.hold = hold
        history_save(item, reason="legal hold recorded", user=user)
        # Out of the collectors' queue at once, not one press at a time.
        cases_defer_blocked(case_ids=[case.pk], now=timezone.now())
    return item


def _done(item: WorkItem, *, user, outcome: str, notes: str, what: str) -> None:
    item.state = State.DONE
    item.outcome = outcome
    item.decided_by = user
    item.decided_at = timezone.now()
    if notes:
        item.notes = f"{item.notes}\n\n{notes}".strip() if item.notes else notes
    history_save(item, reason=change_reason(what, notes), user=user)


def review_decide(
    *,
    item: WorkItem,
    user,
    decision: str,
    notes: str = "",
    hold_until: dt.date | None = None,
    amount: Decimal | None = None,
    deadline: dt.date | None = None,
) -> WorkItem:
    """A supervisor's decision on a review: continue the ladder, hold the case until
    a date, refer it to legal, propose a settlement by a deadline (an offer and
    its work item, settlement_propose), or ask for a write-off (a write-off item
    someone else approves). Returns the follow-on item, if any, else the review."""
    notes = (notes or "").strip()
    if decision not in REVIEW_DECISIONS:
        raise _error(
            "decision",
            _("Choose one of %(choices)s.") % {"choices": ", ".join(REVIEW_DECISIONS)},
        )
    today = timezone.localdate()
    if decision == Outcome.HOLD:
        if hold_until is None:
            raise _error("hold_until", _("Give the date the hold ends."))
        if not today < hold_until <= today + dt.timedelta(days=MAX_HOLD_DAYS):
            raise _error(
                "hold_until",
                _("The hold ends after today and within %(days)d days.")
                % {"days": MAX_HOLD_DAYS},
            )
    if decision in (Outcome.SETTLEMENT, Outcome.WRITE_OFF):
        if amount is None:
            raise _error("amount", _("Give an amount."))
        amount = money_parse(amount, field="amount")
    if decision in (Outcome.HOLD, Outcome.REFER_LEGAL, Outcome.WRITE_OFF) and not notes:
        raise _error("notes", _("Say why."))
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.SUPERVISOR_REVIEW, Kind.DISPUTE_REVIEW))
        case = Case.objects.select_for_update().get(pk=item.case_id)
        follow_on = None
        if decision == Outcome.CONTINUE:
            # The ladder goes on from this rung at the next sweep.
            case.next_action_at = None
            history_save(case, reason="review: continue the ladder", user=user)
        elif decision == Outcome.HOLD:
            zone = timezone.get_current_timezone()
            case.next_action_at = dt.datetime.combine(hold_until, dt.time(), zone)
            history_save(
                case,
                reason=change_reason(f"review: held until {hold_until}", notes),
                user=user,
            )
        elif decision == Outcome.REFER_LEGAL:
            follow_on = legal_referral_open(
                case=case, user=user, reason=notes, parent=item
            )
        elif decision == Outcome.SETTLEMENT:
            follow_on = settlement_propose(
                case=case,
                user=user,
                amount=amount,
                deadline=deadline,
                notes=notes,
                parent=item,
            )
        else:
            balance = case_balance(case)
            if amount > balance:
                raise _error(
                    "amount",
                    _("A write-off is at most the balance (%(balance)s %(currency)s).")
                    % {"balance": balance, "currency": case.currency},
                )
            follow_on = work_item_open(
                case=case,
                kind=Kind.WRITE_OFF,
                reason=f"Write off {amount} {case.currency}: {notes}",
                user=user,
                parent=item,
                amount=amount,
            )
        _done(
            item, user=user, outcome=decision, notes=notes, what=f"decided {decision}"
        )
    return follow_on or item


def legal_case_update(
    *,
    item: WorkItem,
    user,
    legal_firm: str = "",
    court_reference: str = "",
    filed_on: dt.date | None = None,
    hearing_on: dt.date | None = None,
    legal_costs: Decimal | None = None,
    notes: str = "",
) -> WorkItem:
    """Record what the legal case has become: firm, court reference, dates, costs."""
    if not any((legal_firm, court_reference, filed_on, hearing_on, legal_costs, notes)):
        raise _error(
            "legal_firm",
            _("Give the firm, the court reference, a date, the costs or a note."),
        )
    if legal_costs is not None and legal_costs < 0:
        raise _error("legal_costs", _("Costs cannot be negative."))
    if filed_on and hearing_on and hearing_on < filed_on:
        raise _error("hearing_on", _("The hearing cannot be before the filing."))
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.LEGAL_REFERRAL,))
        item.legal_firm = (legal_firm or "").strip()[:200]
        item.court_reference = (court_reference or "").strip()[:100]
        item.filed_on, item.hearing_on, item.legal_costs = (
            filed_on,
            hearing_on,
            legal_costs,
        )
        if notes:
            item.notes = f"{item.notes}\n\n{notes}".strip()
        item.state = State.IN_PROGRESS
        item.assignee = item.assignee or user
        history_save(item, reason=change_reason("legal case updated", notes), user=user)
    return item


def legal_case_close(
    *,
    item: WorkItem,
    user,
    outcome: str,
    notes: str = "",
    closed_on: dt.date | None = None,
    lift_hold: bool = False,
) -> WorkItem:
    """The legal case ended with `outcome`; with `lift_hold`, contact may resume (the
    legal hold ends), else the hold stays until someone ends it."""
    notes = (notes or "").strip()
    if outcome not in LEGAL_OUTCOMES:
        raise _error(
            "outcome",
            _("Choose one of %(choices)s.") % {"choices": ", ".join(LEGAL_OUTCOMES)},
        )
    if not notes:
        raise _error("notes", _("Say how the legal case ended."))
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.LEGAL_REFERRAL,))
        item.closed_on = closed_on or timezone.localdate()
        if lift_hold and item.hold_id is not None:
            hold = item.hold
            if hold.ends_at is None or hold.ends_at > timezone.now():
                restriction_end(
                    restriction=hold, reason=f"legal case closed: {notes}", actor=user
                )
        _done(item, user=user, outcome=outcome, notes=notes, what="legal case closed")
    return item


def write_off_decide(
    *, item: WorkItem, user, approve: bool, notes: str = ""
) -> WorkItem:
    """Approve (the case closes as written off, the amount recorded) or reject a
    write-off request. The approver is never who asked for it, and their role's
    authority must cover the amount and its share of the balance."""
    notes = (notes or "").strip()
    if not notes:
        raise _error("notes", _("Say why."))
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.WRITE_OFF,))
        if approve and item.requested_by_id == user.pk:
            raise _error(
                "approve",
                _("Another supervisor or an admin approves this."),
                status=409,
            )
        if approve and not work_item_can_approve(user=user, item=item):
            raise _error(
                "approve",
                _("Your approval authority does not cover this write-off."),
                status=403,
            )
        if approve:
            write_off_record(
                case=item.case,
                amount=item.amount,
                reason=f"{item.reason}; approved: {notes}",
                requested_by=item.requested_by,
                approved_by=user,
            )
        _done(
            item,
            user=user,
            outcome=Outcome.APPROVED if approve else Outcome.REJECTED,
            notes=notes,
            what="write-off approved" if approve else "write-off rejected",
        )
    return item


def work_item_record(*, item: WorkItem, user, notes: str) -> WorkItem:
    """Close a settlement offer placeholder with what was agreed (or not)."""
    notes = (notes or "").strip()
    if not notes:
        raise _error("notes", _("Say what was agreed or why not."))
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.SETTLEMENT_OFFER,))
        _done(item, user=user, outcome=Outcome.RECORDED, notes=notes, what="recorded")
    return item


# --- the approval authority matrix, settlements and write-offs (record 48) ---------


def authority_rows(kind: str) -> list[ApprovalAuthority]:
    return list(ApprovalAuthority.objects.filter(kind=kind))


def authority_covers(*, user, kind: str, amount: Decimal, percent: Decimal) -> bool:
    """Whether one of `user`'s roles may approve `amount` (forgiven or written off),
    `percent` of the case's balance."""
    roles = user_roles(user)
    return any(
        row.role in roles and row.covers(amount=amount, percent=percent)
        for row in authority_rows(kind)
    )


def authority_roles(*, kind: str, amount: Decimal, percent: Decimal) -> list[str]:
    """The roles whose authority covers `amount` and `percent` (for the pages)."""
    return [
        row.role
        for row in authority_rows(kind)
        if row.covers(amount=amount, percent=percent)
    ]


def _measure(item: WorkItem) -> tuple[str, Decimal, Decimal]:
    """(matrix kind, amount, percent) a decision on `item` is measured by."""
    if item.kind == Kind.WRITE_OFF:
        balance = case_balance(item.case)
        return (
            ApprovalAuthority.Kind.WRITE_OFF,
            item.amount,
            percent_of(item.amount, balance),
        )
    offer = item.settlement
    return ApprovalAuthority.Kind.SETTLEMENT, offer.discount, offer.discount_percent


def work_item_can_approve(*, user, item: WorkItem) -> bool:
    """Four eyes and authority: someone who can complete the item, is not who asked
    for it, and whose role's authority covers its amount and percentage."""
    if item.kind not in (Kind.WRITE_OFF, Kind.SETTLEMENT_OFFER) or not item.is_open:
        return False
    if item.kind == Kind.SETTLEMENT_OFFER and (
        item.settlement_id is None
        or item.settlement.state != SettlementOffer.State.PROPOSED
    ):
        return False
    if item.requested_by_id == user.pk:
        return False
    if not work_item_can_complete(user=user, item=item):
        return False
    kind, amount, percent = _measure(item)
    return authority_covers(user=user, kind=kind, amount=amount, percent=percent)


def approvers(*, item: WorkItem) -> list:
    """The users who may approve `item` (its completers with the authority, never
    its requester)."""
    from .selectors import work_item_completers

    kind, amount, percent = _measure(item)
    roles = set(authority_roles(kind=kind, amount=amount, percent=percent))
    return [
        u
        for u in work_item_completers(item=item)
        if u.pk != item.requested_by_id and user_roles(u) & roles
    ]


def settlement_propose(
    *,
    case: Case,
    user,
    amount,
    deadline: dt.date | None,
    notes: str = "",
    parent: WorkItem | None = None,
) -> WorkItem:
    """Propose a settlement of `amount` by `deadline`: a settlement-offer work item
    for the case's team and the offer. Within the proposer's own authority the offer
    is approved at once (the item then asks only to communicate it); above it, it
    waits for an approver whose authority covers it, never the proposer."""
    notes = (notes or "").strip()
    amount, balance = settlement_validate(case=case, amount=amount, deadline=deadline)
    discount = balance - amount
    within = authority_covers(
        user=user,
        kind=ApprovalAuthority.Kind.SETTLEMENT,
        amount=discount,
        percent=percent_of(discount, balance),
    )
    with transaction.atomic():
        offer = settlement_create(
            case=case,
            amount=amount,
            deadline=deadline,
            proposed_by=user,
            notes=notes,
            approved=within,
        )
        item = work_item_open(
            case=case,
            kind=Kind.SETTLEMENT_OFFER,
            reason=(
                f"Settlement of {amount} {case.currency} by {deadline} "
                f"({offer.discount_percent}% off {balance})"
            ),
            user=user,
            parent=parent,
            amount=amount,
        )
        item.settlement = offer
        if within:
            item.state = State.IN_PROGRESS
        history_save(
            item,
            reason="within the proposer's authority: approved"
            if within
            else "awaiting approval",
            user=user,
        )
    return item


def settlement_decide(
    *, item: WorkItem, user, approve: bool, notes: str = ""
) -> WorkItem:
    """Approve or reject a proposed settlement: the approver's authority must cover
    the amount forgiven and its share of the balance, and the approver is never the
    proposer."""
    notes = (notes or "").strip()
    if not notes:
        raise _error("notes", _("Say why."))
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.SETTLEMENT_OFFER,))
        offer = item.settlement
        if offer is None:
            raise _error("work_item", _("This item has no settlement offer."))
        if approve:
            if offer.state != SettlementOffer.State.PROPOSED:
                raise _error("answer", _("This offer is already approved."), status=409)
            if item.requested_by_id == user.pk or offer.proposed_by_id == user.pk:
                raise _error(
                    "answer",
                    _("Someone other than the proposer approves this."),
                    status=409,
                )
            if not work_item_can_approve(user=user, item=item):
                raise _error(
                    "answer",
                    _("Your approval authority does not cover this settlement."),
                    status=403,
                )
            settlement_approve(offer=offer, user=user, notes=notes)
            item.state = State.IN_PROGRESS
            item.assignee = item.assignee or user
            history_save(item, reason=change_reason("approved", notes), user=user)
        else:
            settlement_reject(offer=offer, user=user, notes=notes)
            _done(
                item,
                user=user,
                outcome=Outcome.REJECTED,
                notes=notes,
                what="settlement rejected",
            )
    return item


def settlement_communicated(
    *, item: WorkItem, user, via: str, notes: str = ""
) -> WorkItem:
    """Record how the approved offer was put to the customer; the item is done and
    the offer is tracked on the case until paid or lapsed."""
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.SETTLEMENT_OFFER,))
        offer = item.settlement
        if offer is None or offer.state != SettlementOffer.State.APPROVED:
            raise _error(
                "answer",
                _("Only an approved offer can be communicated."),
                status=409,
            )
        settlement_communicate(offer=offer, user=user, via=via, notes=notes)
        _done(
            item,
            user=user,
            outcome=Outcome.COMMUNICATED,
            notes=notes or via,
            what=f"communicated ({via.strip()[:40]})",
        )
    return item
