"""Repayment plans: previewed in the calculator, proposed by a collector, decided by a
supervisor, then settled."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.errors import ApplicationError, ConflictError
from core.history import history_save
from core.money import money_parse
from core.roles import Role, user_roles

from ..models import ZERO, Case, RepaymentPlan, RepaymentPlanInstalment
from ..selectors import case_visibility_filter
from ._common import customer_balance, new_reference, require_open
from .next_call import arrangement_holds_refresh, plan_hold


def plan_propose(
    *,
    case: Case,
    kind: str,
    instalments: list[dict],
    reason: str,
    proposed_by=None,
    requested_by_customer: bool = False,
) -> RepaymentPlan:
    """Propose a repayment plan for an open case; a supervisor approves it, unless
    it is within the configured auto-approval limits (then it is active at once).

    `instalments` is [{"due_date": date, "amount": Decimal}, ...]. Refuses an empty
    schedule, dates in the past, non-positive amounts, a total above what the customer
    owes, a deferral that is not exactly one instalment at a later date, and dates
    beyond PLAN_MAX_DAYS from today.
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if kind not in RepaymentPlan.Kind.values:
        errors["kind"] = [f"Choose one of {', '.join(RepaymentPlan.Kind.values)}."]
    rows: list[tuple[dt.date, Decimal]] = []
    messages: list[str] = []
    if not instalments:
        messages.append("The schedule needs at least one instalment.")
    for number, item in enumerate(instalments or [], start=1):
        due_date = item.get("due_date") if isinstance(item, dict) else None
        if not isinstance(due_date, dt.date):
            messages.append(f"Instalment {number}: a due date is required.")
            continue
        if due_date < today:
            messages.append(f"Instalment {number}: {due_date} is in the past.")
        elif (due_date - today).days > settings.PLAN_MAX_DAYS:
            messages.append(_too_far(number, due_date))
        try:
            amount = money_parse(item.get("amount"), field="amount")
        except ApplicationError as exc:
            messages.append(f"Instalment {number}: {exc.message}")
            continue
        rows.append((due_date, amount))
    too_long = _over_limit(len(instalments or []), "schedule")
    if too_long:
        messages.append(too_long)
    if kind == RepaymentPlan.Kind.DEFERRAL and instalments:
        if len(instalments) != 1:
            messages.append("A deferral is one instalment at a later date.")
        elif rows and rows[0][0] <= today:
            messages.append("A deferral's date must be after today.")
    if messages:
        errors["instalments"] = messages

    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        total = sum((amount for _, amount in rows), ZERO)
        balance = customer_balance(case.customer_id)
        if not errors and total > balance:
            errors["instalments"] = [
                f"The plan's total {total} is above the balance owed ({balance})."
            ]
        if errors:
            raise ApplicationError(
                "; ".join(m for msgs in errors.values() for m in msgs), errors=errors
            )
        plan = RepaymentPlan(
            reference=new_reference("RP"),
            case=case,
            kind=kind,
            total_amount=total,
            currency=case.currency,
            reason=reason or "",
            requested_by_customer=requested_by_customer,
            proposed_by=proposed_by,
        )
        history_save(plan, reason="plan proposed", user=proposed_by)
        for sequence, (due_date, amount) in enumerate(sorted(rows), start=1):
            history_save(
                RepaymentPlanInstalment(
                    plan=plan, sequence=sequence, due_date=due_date, amount=amount
                ),
                reason="plan proposed",
                user=proposed_by,
            )
        if _within_auto_approval(plan, rows, today=today):
            plan.status = RepaymentPlan.Status.ACTIVE
            plan.decided_at = timezone.now()
            plan.decision_reason = "within the auto-approval limits"
            history_save(plan, reason="approved: within limits", user=proposed_by)
            plan_hold(plan=plan)
            events.event_publish(events.PLAN_APPROVED, instance=plan)
    return plan


def _over_limit(count: int, what: str) -> str:
    """Why `count` instalments are too many ("" when they are not). The one plan limit,
    settings.PLAN_MAX_INSTALMENTS, for proposal and approval alike (the calculator's
    preview and the case page's form read the same setting)."""
    # CN.PLAN: personalised instalment agreements run at most 5 years (60).
    limit = settings.PLAN_MAX_INSTALMENTS
    if count <= limit:
        return ""
    return f"At most {limit} instalments (this {what} has {count})."


def _within_auto_approval(
    plan: RepaymentPlan, rows: list[tuple[dt.date, Decimal]], *, today: dt.date
) -> bool:
    """Small plans need no supervisor: at most PLAN_AUTO_APPROVE_MAX_INSTALMENTS
    instalments, the last within PLAN_AUTO_APPROVE_MAX_DAYS, and no other active plan.
    Both limits 0 (the default) send every plan to a supervisor."""
    limit = settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS
    if not limit or len(rows) > limit:
        return False
    if max(due for due, _ in rows) > today + dt.timedelta(
        days=settings.PLAN_AUTO_APPROVE_MAX_DAYS
    ):
        return False
    return (
        not RepaymentPlan.objects.filter(
            case_id=plan.case_id, status=RepaymentPlan.Status.ACTIVE
        )
        .exclude(pk=plan.pk)
        .exists()
    )


def _plan_decide_check(plan: RepaymentPlan, user) -> None:
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return
    if Role.SUPERVISOR in roles:
        # Supervisors decide for the teams they supervise (the case's queue's team or
        # its assignee's team), as they see cases (selectors.case_visibility_filter).
        if Case.objects.filter(
            case_visibility_filter(user=user), pk=plan.case_id
        ).exists():
            return
    message = "Only a supervisor of this case's team or an admin may decide on a plan."
    raise ApplicationError(message, code="permission_denied", status=403)


def _plan_for_decision(plan: RepaymentPlan, user) -> RepaymentPlan:
    plan = RepaymentPlan.objects.select_for_update().get(pk=plan.pk)
    _plan_decide_check(plan, user)
    if plan.status != RepaymentPlan.Status.PROPOSED:
        message = f"Plan {plan.reference} is {plan.status}, not proposed."
        raise ConflictError(message, code="invalid_state", errors={"status": [message]})
    return plan


def plan_four_eyes_binds(user) -> bool:
    """Whether `user` may not approve the plans they proposed themselves: the four
    eyes rule (PLAN_FOUR_EYES, on by default) binds supervisors; admins stay the
    last resort of a team with one supervisor, as for exception requests
    (supervision.services.approval_decide)."""
    return settings.PLAN_FOUR_EYES and Role.ADMIN not in user_roles(user)


def plan_approve(*, plan: RepaymentPlan, user, reason: str = "") -> RepaymentPlan:
    """Approve a proposed plan; it becomes active at once.

    Refuses (403) the plan's own proposer (four eyes, `plan_four_eyes_binds`), and
    (409) when the case already has an active plan: one agreement at a time.
    """
    with transaction.atomic():
        plan = _plan_for_decision(plan, user)
        if plan.proposed_by_id == user.pk and plan_four_eyes_binds(user):
            # An agreement that forgives or defers debt is decided by someone
            # other than the person who negotiated it (segregation of duties).
            message = _(
                "You proposed this plan: another supervisor must approve it "
                "(four eyes)."
            )
            raise ApplicationError(message, code="permission_denied", status=403)
        # A plan proposed under a higher limit is not agreed above today's.
        too_long = _over_limit(plan.instalments.count(), "plan")
        if too_long:
            raise ApplicationError(too_long, errors={"instalments": [too_long]})
        if (
            RepaymentPlan.objects.filter(
                case_id=plan.case_id, status=RepaymentPlan.Status.ACTIVE
            )
            .exclude(pk=plan.pk)
            .exists()
        ):
            message = "The case already has an active repayment plan."
            raise ConflictError(message, code="plan_active", errors={"plan": [message]})
        plan.status = RepaymentPlan.Status.ACTIVE
        plan.decided_by = user
        plan.decided_at = timezone.now()
        plan.decision_reason = reason or ""
        history_save(
            plan, reason=f"approved: {reason}" if reason else "approved", user=user
        )
        # Out of the call queue until the first instalment plus grace (decision 42).
        plan_hold(plan=plan)
        events.event_publish(events.PLAN_APPROVED, instance=plan)
    return plan


def plan_reject(*, plan: RepaymentPlan, user, reason: str) -> RepaymentPlan:
    """Reject a proposed plan; the reason is required (the collector acts on it)."""
    if not (reason or "").strip():
        message = "Say why the plan is rejected."
        raise ApplicationError(message, errors={"reason": [message]})
    with transaction.atomic():
        plan = _plan_for_decision(plan, user)
        plan.status = RepaymentPlan.Status.REJECTED
        plan.decided_by = user
        plan.decided_at = timezone.now()
        plan.decision_reason = reason.strip()
        history_save(plan, reason=f"rejected: {reason.strip()}", user=user)
    return plan


def plan_refresh(*, today: dt.date | None = None) -> dict:
    """Settle active plans, set-based: an instalment past due and unpaid → broken;
    every instalment paid → completed."""
    today = today or timezone.localdate()
    unpaid = RepaymentPlanInstalment.objects.filter(
        plan=OuterRef("pk"), paid_amount__lt=F("amount")
    )
    active = RepaymentPlan.objects.filter(status=RepaymentPlan.Status.ACTIVE)
    with transaction.atomic():
        breaking = active.filter(Exists(unpaid.filter(due_date__lt=today)))
        broken_cases = set(breaking.values_list("case_id", flat=True))
        broken = breaking.update(status=RepaymentPlan.Status.BROKEN)
        completed = active.exclude(Exists(unpaid)).update(
            status=RepaymentPlan.Status.COMPLETED
        )
        # The call queue: holds move on to each plan's next unpaid instalment; a
        # missed one brings the case back with priority (decision 42).
        arrangement_holds_refresh(broken_plan_case_ids=broken_cases)
    return {"broken": broken, "completed": completed}


def _too_far(number: int, due_date: dt.date | None) -> str:
    days = settings.PLAN_MAX_DAYS
    if due_date is None:
        return _(
            "Instalment %(number)d would fall too far off: a plan must end within "
            "%(days)d days of today."
        ) % {"number": number, "days": days}
    return _(
        "Instalment %(number)d: %(date)s is too far off: a plan must end within "
        "%(days)d days of today."
    ) % {"number": number, "date": due_date, "days": days}


def plan_schedule_preview(
    *, total: Decimal, count: int, first_due_date: dt.date, every_days: int = 30
) -> list[dict]:
    """Equal instalments (the last takes the rounding) every `every_days` days: the
    plan calculator's schedule, before anything is saved. `count` 1 is a deferral."""
    errors: dict[str, list[str]] = {}
    if total is None or total <= 0:
        errors["total"] = ["The total must be above zero."]
    if not count or count < 1:
        errors["count"] = ["At least one instalment."]
    elif count > settings.PLAN_MAX_INSTALMENTS:
        errors["count"] = [f"At most {settings.PLAN_MAX_INSTALMENTS} instalments."]
    if every_days < 1:
        errors["every_days"] = ["At least one day apart."]
    elif not errors and first_due_date is not None:
        # The last date in days from today, counted before any date is built: a
        # schedule past the calendar's end (year 9999) is refused, not an overflow.
        last_day = (first_due_date - timezone.localdate()).days + every_days * (
            count - 1
        )
        if last_day > settings.PLAN_MAX_DAYS:
            errors["first_due_date"] = [_too_far(count, None)]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    cent = Decimal("0.01")
    part = (total / count).quantize(cent, rounding=ROUND_DOWN)
    rows = []
    for n in range(count):
        amount = part if n < count - 1 else total - part * (count - 1)
        rows.append(
            {
                "due_date": first_due_date + dt.timedelta(days=every_days * n),
                "amount": amount,
            }
        )
    return rows
