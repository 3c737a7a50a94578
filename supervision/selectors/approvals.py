"""What waits for a supervisor's decision: proposed plans and exception requests,
one of each, and the decisions taken, read from history."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cases.models import Case, RepaymentPlan
from cases.selectors import case_list_for_user
from compliance.models import ContactRestriction

from ..models import Approval


def plans_for_supervisor(*, user, status: str | None = None) -> QuerySet[RepaymentPlan]:
    visible = case_list_for_user(user=user).order_by().values("pk")
    plans = RepaymentPlan.objects.filter(case_id__in=visible).select_related(
        "case__customer", "proposed_by", "decided_by"
    )
    if status:
        plans = plans.filter(status=status)
    return plans.prefetch_related("instalments").order_by("created_at")


def plan_get_for_supervisor(*, user, reference: str) -> RepaymentPlan:
    plan = plans_for_supervisor(user=user).filter(reference=reference).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def approvals_for_supervisor(*, user, status: str | None = None) -> QuerySet[Approval]:
    visible = case_list_for_user(user=user).order_by().values("pk")
    approvals = Approval.objects.filter(case_id__in=visible).select_related(
        "case", "restriction", "promise", "requested_by", "decided_by"
    )
    if status:
        approvals = approvals.filter(status=status)
    return approvals.order_by("requested_at")


def approval_get_for_supervisor(*, user, reference: str) -> Approval:
    approval = approvals_for_supervisor(user=user).filter(reference=reference).first()
    if approval is None:
        raise Http404("No such approval.")
    return approval


def decision_history(*, user, limit: int = 50) -> list[dict]:
    """Recent decisions on plans and approvals, newest first, from the history
    tables (who decided what, when and why). Two queries."""
    visible = case_list_for_user(user=user).order_by().values("pk")
    rows = []
    plan_history = (
        RepaymentPlan.history.filter(
            case_id__in=visible,
            status__in=[
                RepaymentPlan.Status.ACTIVE,
                RepaymentPlan.Status.APPROVED,
                RepaymentPlan.Status.REJECTED,
            ],
        )
        .filter(
            Q(history_change_reason__startswith="approved")
            | Q(history_change_reason__startswith="rejected")
        )
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    for h in plan_history:
        rows.append(
            {
                "what": "plan",
                "what_label": _("Repayment plan"),
                "reference": h.reference,
                "status": h.status,
                "status_label": h.get_status_display(),
                "at": h.history_date,
                "by": h.history_user,
                "reason": h.history_change_reason,
            }
        )
    approval_history = (
        Approval.history.filter(case_id__in=visible)
        .exclude(status=Approval.Status.PENDING)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    for h in approval_history:
        rows.append(
            {
                "what": h.kind,
                "what_label": h.get_kind_display(),
                "reference": h.reference,
                "status": h.status,
                "status_label": h.get_status_display(),
                "at": h.history_date,
                "by": h.history_user,
                "reason": h.history_change_reason,
            }
        )
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]


def restriction_for_case(*, case: Case, restriction_id) -> ContactRestriction:
    restriction = ContactRestriction.objects.filter(
        pk=restriction_id, customer_id=case.customer_id
    ).first()
    if restriction is None:
        raise Http404("No such restriction on this case.")
    return restriction
