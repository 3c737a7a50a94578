"""Reads that decide visibility or span relations."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from core.roles import Role, user_roles

from .models import Case, Customer, Loan, Team, WorkQueue


def case_visibility_filter(*, user) -> Q | None:
    """The Q that limits cases to what `user` may see; None means everything.

    Collectors see cases in their teams' queues or assigned to them; supervisors the
    cases of the teams they supervise; admins everything (DESIGN.md section 9).
    """
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return None
    visible = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        visible |= Q(queue__team__supervisors=user) | Q(
            assigned_to__teams__supervisors=user
        )
    if Role.COLLECTOR in roles:
        visible |= Q(queue__team__members=user) | Q(assigned_to=user)
    return visible


def case_list_for_user(*, user) -> QuerySet[Case]:
    cases = Case.objects.select_related("customer", "queue", "assigned_to")
    visible = case_visibility_filter(user=user)
    if visible is not None:
        cases = cases.filter(pk__in=Case.objects.filter(visible).values("pk"))
    return cases


def case_get_for_user(*, user, reference: str) -> Case:
    """The case, if `user` may see it; 404 otherwise (never 403: no existence leak)."""
    try:
        return case_list_for_user(user=user).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def customer_overdue_summary(*, customer: Customer) -> dict:
    loans = Loan.objects.filter(customer=customer, status=Loan.Status.ACTIVE)
    totals = loans.aggregate(
        overdue=Sum("overdue_amount"), balance=Sum("outstanding_balance")
    )
    return {
        "overdue_amount": totals["overdue"] or Decimal("0"),
        "outstanding_balance": totals["balance"] or Decimal("0"),
    }


def _open_case_figures(cases: QuerySet[Case]) -> dict:
    figures = cases.open().aggregate(
        open_cases=Count("id"),
        overdue=Sum("overdue_amount"),
        assigned=Count("id", filter=Q(assigned_to__isnull=False)),
    )
    figures["overdue"] = figures["overdue"] or Decimal("0")
    by_bucket = cases.open().values("bucket").annotate(n=Count("id")).order_by("bucket")
    figures["by_bucket"] = {row["bucket"] or "-": row["n"] for row in by_bucket}
    return figures


def collector_summary(*, user) -> dict:
    cases = case_list_for_user(user=user)
    figures = _open_case_figures(cases)
    figures["mine"] = cases.open().filter(assigned_to=user).count()
    figures["queues"] = list(
        WorkQueue.objects.filter(team__members=user).order_by("priority")
    )
    figures["top_cases"] = list(cases.open().order_by("-priority")[:10])
    return figures


def supervisor_summary(*, user) -> dict:
    figures = _open_case_figures(case_list_for_user(user=user))
    figures["teams"] = list(
        Team.objects.filter(supervisors=user).annotate(
            n_members=Count("members", distinct=True),
            n_queues=Count("queues", distinct=True),
        )
    )
    return figures


def admin_summary() -> dict:
    """The whole portfolio's figures for the admin's home page. What the admin
    configures in the apps above (policies, templates, rule packs) is counted by the
    page itself (collections_app.views.admin_home): cases imports no app above it."""
    figures = _open_case_figures(Case.objects.all())
    figures.update(
        customers=Customer.objects.count(),
        loans=Loan.objects.count(),
        queues=WorkQueue.objects.count(),
        teams=Team.objects.count(),
    )
    return figures
