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

from cases.models import Case, Team, WorkQueue
from compliance.models import ContactRestriction
from compliance.restrictions import restriction_create, restriction_end
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save
from core.money import money_parse
from core.roles import Role, user_roles

from .models import WorkItem

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
        raise _error("work_item", "You may not complete this work item.", status=403)
    if item.kind not in kinds:
        raise _error("work_item", f"A {item.get_kind_display()} cannot do this.")
    if not item.is_open:
        raise _error("state", f"This work item is {item.state}.", status=409)
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
) -> WorkItem:
    """A supervisor's decision on a review: continue the ladder, hold the case until
    a date, refer it to legal, offer a settlement (a settlement work item: offers
    are not modelled yet), or ask for a write-off (a write-off item someone else
    approves). Returns the follow-on item, if any, else the review."""
    notes = (notes or "").strip()
    if decision not in REVIEW_DECISIONS:
        raise _error("decision", f"Choose one of {', '.join(REVIEW_DECISIONS)}.")
    today = timezone.localdate()
    if decision == Outcome.HOLD:
        if hold_until is None:
            raise _error("hold_until", "Give the date the hold ends.")
        if not today < hold_until <= today + dt.timedelta(days=MAX_HOLD_DAYS):
            raise _error(
                "hold_until",
                f"The hold ends after today and within {MAX_HOLD_DAYS} days.",
            )
    if decision in (Outcome.SETTLEMENT, Outcome.WRITE_OFF):
        if amount is None:
            raise _error("amount", "Give an amount.")
        amount = money_parse(amount, field="amount")
    if decision in (Outcome.HOLD, Outcome.REFER_LEGAL, Outcome.WRITE_OFF) and not notes:
        raise _error("notes", "Say why.")
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
            follow_on = work_item_open(
                case=case,
                kind=Kind.SETTLEMENT_OFFER,
                reason=f"Settlement offer of {amount} {case.currency}",
                user=user,
                parent=item,
                amount=amount,
            )
        else:
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
            "Give the firm, the court reference, a date, the costs or a note.",
        )
    if legal_costs is not None and legal_costs < 0:
        raise _error("legal_costs", "Costs cannot be negative.")
    if filed_on and hearing_on and hearing_on < filed_on:
        raise _error("hearing_on", "The hearing cannot be before the filing.")
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
        raise _error("outcome", f"Choose one of {', '.join(LEGAL_OUTCOMES)}.")
    if not notes:
        raise _error("notes", "Say how the legal case ended.")
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
    """Approve (the case closes as written off) or reject a write-off request. The
    one who asked cannot approve it (a minimal four-eyes rule; no authority matrix
    by amount yet)."""
    notes = (notes or "").strip()
    if not notes:
        raise _error("notes", "Say why.")
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.WRITE_OFF,))
        if approve and item.requested_by_id == user.pk:
            raise _error(
                "approve", "Another supervisor or an admin approves this.", status=409
            )
        if approve:
            case = Case.objects.select_for_update().get(pk=item.case_id)
            case.status = Case.Status.CLOSED
            case.close_reason = Case.CloseReason.WRITTEN_OFF
            case.closed_at = timezone.now()
            history_save(case, reason=change_reason("written off", notes), user=user)
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
        raise _error("notes", "Say what was agreed or why not.")
    with transaction.atomic():
        item = _require(user, item, kinds=(Kind.SETTLEMENT_OFFER,))
        _done(item, user=user, outcome=Outcome.RECORDED, notes=notes, what="recorded")
    return item
