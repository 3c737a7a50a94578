"""What waits for a supervisor's decision: proposed plans and exception requests,
one of each, and the decisions taken, read from history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    ZERO,
    Case,
    Loan,
    Payment,
    RepaymentPlan,
    RepaymentPlanInstalment,
)
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


# What a supervisor judges a plan by: what is owed, how late, and what the customer
# has actually paid lately (against the plan's largest instalment).
PAYMENT_HISTORY_DAYS = 180


def _customer_sum(queryset, field: str):
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values("customer_id" if queryset.model is Loan else "loan__customer_id")
            .annotate(total=Sum(field))
            .values("total")[:1],
            output_field=money,
        ),
        Value(ZERO),
        output_field=money,
    )


def plans_with_judgement(plans: QuerySet[RepaymentPlan]) -> QuerySet[RepaymentPlan]:
    """Plans annotated with the customer's balance, payments over the last
    PAYMENT_HISTORY_DAYS (total, count, last date) and the plan's largest
    instalment: one query for the whole list, whatever its length."""
    since = timezone.now() - dt.timedelta(days=PAYMENT_HISTORY_DAYS)
    customer = OuterRef("case__customer_id")
    loans = Loan.objects.filter(customer_id=customer, status=Loan.Status.ACTIVE)
    payments = Payment.objects.filter(
        loan__customer_id=customer, received_at__gte=since
    )
    return plans.annotate(
        balance=_customer_sum(loans, "outstanding_balance"),
        paid_recently=_customer_sum(payments, "amount"),
        payments_recently=Coalesce(
            Subquery(
                payments.order_by()
                .values("loan__customer_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
        last_payment_at=Subquery(
            Payment.objects.filter(loan__customer_id=customer)
            .order_by("-received_at")
            .values("received_at")[:1]
        ),
        largest_instalment=Subquery(
            RepaymentPlanInstalment.objects.filter(plan_id=OuterRef("pk"))
            .order_by("-amount")
            .values("amount")[:1]
        ),
    ).annotate(
        paid_per_month=ExpressionWrapper(
            F("paid_recently") / Value(Decimal(PAYMENT_HISTORY_DAYS) / 30),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    )


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
