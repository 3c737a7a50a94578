"""Follow-ups a user may see, and the counts on the supervisor's home page."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.roles import Role, user_roles

from ..models import FollowUp
from .approvals import approvals_for_supervisor, plans_for_supervisor
from .calls import CallFilters, call_list_for_supervisor
from .scope import collectors_for_user, is_admin


def follow_ups_for_user(*, user, status: str | None = None) -> QuerySet[FollowUp]:
    """Follow-ups a user may see: their own as a collector, their teams' as a
    supervisor, all as an admin."""
    follow_ups = FollowUp.objects.select_related("collector", "call", "created_by")
    if not is_admin(user):
        scope = Q(collector=user)
        if Role.SUPERVISOR in user_roles(user):
            scope |= Q(collector__in=collectors_for_user(user=user))
        follow_ups = follow_ups.filter(scope)
    if status:
        follow_ups = follow_ups.filter(status=status)
    return follow_ups.order_by("status", "due_date")


def supervisor_work(*, user) -> dict:
    """What waits for the supervisor: the counts on their home page (four queries)."""
    flagged = call_list_for_supervisor(
        user=user, filters=CallFilters(flagged=True, unreviewed=True)
    )
    return {
        "plans": plans_for_supervisor(user=user, status="proposed").count(),
        "requests": approvals_for_supervisor(user=user, status="pending").count(),
        "flagged_unreviewed": flagged.count(),
        "open_follow_ups": follow_ups_for_user(
            user=user, status=FollowUp.Status.OPEN
        ).count(),
    }
