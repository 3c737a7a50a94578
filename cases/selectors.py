"""Reads that decide visibility or span relations."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from core.roles import Role, user_roles

from .models import Case, Customer, Loan, Team, WorkQueue

# Who sees which cases (DESIGN.md section 9): (role, a case's field, the path from
# that field's row to the user). Collectors see the cases in their teams' queues and
# those assigned to them; supervisors the cases in the queues of the teams they
# supervise and those assigned to those teams' members; admins everything. One
# table, two renderings: `case_visibility_filter` (joins, for lists and pages) and
# `case_scope_for_user` (ids resolved first, for "next case").
_VISIBILITY = (
    (Role.SUPERVISOR, "queue", "team__supervisors"),
    (Role.SUPERVISOR, "assigned_to", "teams__supervisors"),
    (Role.COLLECTOR, "queue", "team__members"),
    (Role.COLLECTOR, "assigned_to", ""),
)


def case_visibility_filter(*, user) -> Q | None:
    """The Q that limits cases to what `user` may see; None means everything."""
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return None
    visible = Q(pk__in=[])
    for role, field, path in _VISIBILITY:
        if role in roles:
            visible |= Q(**{f"{field}__{path}" if path else field: user})
    return visible


@dataclass(frozen=True)
class CaseScope:
    """The cases a user may see, as the queue and assignee ids of `_VISIBILITY`
    resolved beforehand: `q(via=...)` checks them on a case row the statement reads
    anyway, with no tables to join. The joins of `case_visibility_filter` cost about
    1 ms of planning per statement (measured on the claim's queries), against a
    claim budget of 3 ms."""

    queue_ids: frozenset[int]
    assignee_ids: frozenset[int]

    def q(self, *, via: str = "") -> Q:
        """`via` is the path from the model queried to its case ("case__")."""
        return Q(**{f"{via}queue_id__in": sorted(self.queue_ids)}) | Q(
            **{f"{via}assigned_to_id__in": sorted(self.assignee_ids)}
        )


def case_scope_for_user(*, user) -> CaseScope | None:
    """`case_visibility_filter` with its team lookups resolved to ids (one small
    query per lookup); None means everything."""
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return None
    rows = {"queue": WorkQueue, "assigned_to": get_user_model()}
    ids: dict[str, set[int]] = {"queue": set(), "assigned_to": set()}
    for role, field, path in _VISIBILITY:
        if role not in roles:
            continue
        if path:
            found = rows[field].objects.filter(**{path: user}).values_list("pk")
            ids[field].update(pk for (pk,) in found)
        else:
            ids[field].add(user.pk)
    return CaseScope(frozenset(ids["queue"]), frozenset(ids["assigned_to"]))


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
