"""Reads of escalation policies: every version of every code, one version with its
steps (404 when there is none), the live version and the history of changes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.http import Http404

from cases.models import EscalationPolicy, EscalationStep
from core.roles import Role, user_roles

from .models import WorkItem


def _with_steps():
    return Prefetch("steps", queryset=EscalationStep.objects.select_related("queue"))


def policy_versions() -> dict[str, list[EscalationPolicy]]:
    rows = EscalationPolicy.objects.prefetch_related(_with_steps()).order_by(
        "code", "-version"
    )
    grouped: dict[str, list[EscalationPolicy]] = {}
    for row in rows:
        grouped.setdefault(row.code, []).append(row)
    return grouped


def policy_get(*, code: str, version: int) -> EscalationPolicy:
    policy = (
        EscalationPolicy.objects.select_related("activation_requested_by")
        .prefetch_related(_with_steps())
        .filter(code=code, version=version)
        .first()
    )
    if policy is None:
        raise Http404("No such policy version.")
    return policy


def policy_active(*, code: str) -> EscalationPolicy | None:
    return EscalationPolicy.objects.filter(
        code=code, status=EscalationPolicy.Status.ACTIVE
    ).first()


def policy_history(*, code: str):
    return (
        EscalationPolicy.history.filter(code=code)
        .select_related("history_user")
        .order_by("-history_date")[:50]
    )


# --- work items (docs/decisions.md, record 41) --------------------------------------


def work_items_for_user(*, user, kinds=None, open_only: bool = True):
    """The work items `user` may see and complete: admins all; supervisors those of
    the teams they supervise. Collectors none: work items are never calls."""
    roles = user_roles(user)
    items = WorkItem.objects.select_related(
        "case",
        "case__customer",
        "team",
        "decided_by",
        "requested_by",
        "hold",
        "settlement",
    ).order_by("due_at", "pk")
    if Role.ADMIN not in roles:
        if Role.SUPERVISOR not in roles:
            return items.none()
        items = items.filter(team__supervisors=user)
    if kinds is not None:
        items = items.filter(kind__in=list(kinds))
    if open_only:
        items = items.filter(state__in=["open", "in_progress"])
    return items


def work_item_get_for_user(*, user, reference: str, kinds=None):
    """The work item, if `user` may see it; 404 otherwise."""
    item = (
        work_items_for_user(user=user, kinds=kinds, open_only=False)
        .filter(reference=reference)
        .first()
    )
    if item is None:
        raise Http404("No such work item.")
    return item


def work_item_completers(*, item) -> list:
    """Every user who can complete `item` (its team's supervisors, and admins)."""
    who = Q(groups__name=Role.ADMIN) | Q(is_superuser=True)
    if item.team_id is not None:
        who |= Q(groups__name=Role.SUPERVISOR, supervised_teams=item.team_id)
    users = get_user_model().objects.filter(who, is_active=True).distinct()
    return [
        u for u in users if u.pk != item.requested_by_id or item.kind != "write_off"
    ]
