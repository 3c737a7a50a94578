"""Repayment plans: previewed in the calculator, proposed by a collector, decided by a
supervisor, then settled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.errors import ApplicationError, ConflictError
from core.history import history_save
from core.roles import Role, user_roles

from ..models import ZERO, Case, RepaymentPlan, RepaymentPlanInstalment
from ..selectors import case_visibility_filter
from ._common import new_reference, require_open
from .arrangements import arrangements_supersede, plan_check, too_far
from .next_call import arrangement_holds_refresh, plan_hold


def plan_propose(
    *,
    case: Case,
    kind: str,
    instalments: list[dict],
    reason: str,
    proposed_by=None,
    requested_by_customer: bool = False,
    supersede: bool = False,
) -> RepaymentPlan:
    """Propose a repayment plan for an open case; a supervisor approves it, unless
    it is within the configured auto-approval limits (then it is active at once).

    `instalments` is [{"due_date": date, "amount": Decimal}, ...]. The one check
    (`arrangements.plan_check`, the preview's too) refuses an empty schedule, dates
    in the past, non-positive amounts, a total above what the customer owes, a
    deferral that is not exactly one instalment at a later date, more than
    PLAN_MAX_INSTALMENTS instalments or dates beyond PLAN_MAX_DAYS, and a case with
    an arrangement in force unless `supersede`. A plan beyond its products' terms
    needs a reason and waits for a supervisor (`outside_terms`). A customer who
    asked us to cease communication: 409 on `case`.
    """
    today = timezone.localdate()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        check, rows = plan_check(
            case=case,
            kind=kind,
            instalments=instalments,
            reason=reason,
            supersede=supersede,
            today=today,
        )
        check.raise_errors()
        total = sum((amount for _, amount in rows), ZERO)
        plan = RepaymentPlan(
            reference=new_reference("RP"),
            case=case,
            kind=kind,
            total_amount=total,
            currency=case.currency,
            reason=reason or "",
            requested_by_customer=requested_by_customer,
            proposed_by=proposed_by,
            outside_terms="\n".join(check.outside_terms),
            supersedes=bool(check.superseding),
        )
        history_save(
            plan,
            reason="plan proposed: outside the terms"
            if check.outside_terms
            else "plan proposed",
            user=proposed_by,
        )
        for sequence, (due_date, amount) in enumerate(sorted(rows), start=1):
            history_save(
                RepaymentPlanInstalment(
                    plan=plan, sequence=sequence, due_date=due_date, amount=amount
                ),
                reason="plan proposed",
                user=proposed_by,
            )
        if not check.outside_terms and _within_auto_approval(plan, rows, today=today):
            plan.status = RepaymentPlan.Status.ACTIVE
            plan.decided_at = timezone.now()
            plan.decision_reason = "within the auto-approval limits"
            history_save(plan, reason="approved: within limits", user=proposed_by)
            _supersede_on_activation(plan, user=proposed_by)
            plan_hold(plan=plan)
            events.event_publish(events.PLAN_APPROVED, instance=plan)
    return plan


def _supersede_on_activation(plan: RepaymentPlan, *, user) -> None:
    """A plan proposed to supersede the case's arrangements replaces them when it
    becomes active, not before: a rejected revision leaves the old plan standing."""
    if plan.supersedes:
        arrangements_supersede(case=plan.case, by=plan, user=user, reason=plan.reason)


def _over_limit(count: int) -> str:
    """Why `count` instalments are too many ("" when they are not). The one plan limit,
    settings.PLAN_MAX_INSTALMENTS, for proposal and approval alike (the calculator's
    preview and the case page's form read the same setting)."""
    # CN.PLAN: personalised instalment agreements run at most 5 years (60).
    limit = settings.PLAN_MAX_INSTALMENTS
    if count <= limit:
        return ""
    return _("At most %(limit)d instalments (this plan has %(count)d).") % {
        "limit": limit,
        "count": count,
    }


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
    # A plan replacing an active one goes to a supervisor, superseding or not.
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
    message = _(
        "Only a supervisor of this case's team or an admin may decide on a plan."
    )
    raise ApplicationError(message, code="permission_denied", status=403)


def _plan_for_decision(plan: RepaymentPlan, user) -> RepaymentPlan:
    plan = RepaymentPlan.objects.select_for_update().get(pk=plan.pk)
    _plan_decide_check(plan, user)
    if plan.status != RepaymentPlan.Status.PROPOSED:
        message = _("Plan %(ref)s is %(status)s, not proposed.") % {
            "ref": plan.reference,
            "status": plan.get_status_display().lower(),
        }
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
        too_long = _over_limit(plan.instalments.count())
        if too_long:
            raise ApplicationError(too_long, errors={"instalments": [too_long]})
        if not plan.supersedes and (
            RepaymentPlan.objects.filter(
                case_id=plan.case_id, status=RepaymentPlan.Status.ACTIVE
            )
            .exclude(pk=plan.pk)
            .exists()
        ):
            message = _("The case already has an active repayment plan.")
            raise ConflictError(message, code="plan_active", errors={"plan": [message]})
        plan.status = RepaymentPlan.Status.ACTIVE
        plan.decided_by = user
        plan.decided_at = timezone.now()
        plan.decision_reason = reason or ""
        history_save(
            plan, reason=f"approved: {reason}" if reason else "approved", user=user
        )
        _supersede_on_activation(plan, user=user)
        # Out of the call queue until the first instalment plus grace (decision 42).
        plan_hold(plan=plan)
        events.event_publish(events.PLAN_APPROVED, instance=plan)
    return plan


def plan_reject(*, plan: RepaymentPlan, user, reason: str) -> RepaymentPlan:
    """Reject a proposed plan; the reason is required (the collector acts on it)."""
    if not (reason or "").strip():
        message = _("Say why the plan is rejected.")
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


def plan_schedule_preview(
    *,
    case: Case,
    total: Decimal,
    count: int,
    first_due_date: dt.date,
    every_days: int = 30,
    kind: str = RepaymentPlan.Kind.INSTALMENTS,
    reason: str = "",
    supersede: bool = False,
) -> PlanPreview:
    """Equal instalments (the last takes the rounding) every `every_days` days: the
    plan calculator's schedule, before anything is saved. `count` 1 is a deferral.

    The schedule is then put through the proposal's own check (`plan_check`), so
    the preview refuses what the proposal would refuse (ApplicationError, the same
    fields) and says when the plan would wait for a supervisor (`outside_terms`)."""
    errors: dict[str, list[str]] = {}
    if total is None or total <= 0:
        errors["total"] = [_("The total must be above zero.")]
    if not count or count < 1:
        errors["count"] = [_("At least one instalment.")]
    elif count > settings.PLAN_MAX_INSTALMENTS:
        errors["count"] = [
            _("At most %(limit)d instalments.")
            % {"limit": settings.PLAN_MAX_INSTALMENTS}
        ]
    if every_days < 1:
        errors["every_days"] = [_("At least one day apart.")]
    elif not errors and first_due_date is not None:
        # The last date in days from today, counted before any date is built: a
        # schedule past the calendar's end (year 9999) is refused, not an overflow.
        last_day = (first_due_date - timezone.localdate()).days + every_days * (
            count - 1
        )
        if last_day > settings.PLAN_MAX_DAYS:
            errors["first_due_date"] = [too_far(count, None, settings.PLAN_MAX_DAYS)]
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
    check, _rows = plan_check(
        case=case, kind=kind, instalments=rows, reason=reason, supersede=supersede
    )
    check.raise_errors()
    return PlanPreview(
        rows=rows, outside_terms=check.outside_terms, superseding=check.superseding
    )


@dataclass
class PlanPreview:
    rows: list[dict]
    outside_terms: list[str] = field(default_factory=list)
    superseding: list = field(default_factory=list)

    # A list's behaviour for the callers that only want the schedule.
    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]
