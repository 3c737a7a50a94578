"""Work queues and teams, as admins edit them on the configuration pages and API."""

from __future__ import annotations

from django.db import transaction

from core.errors import ConflictError
from core.history import history_save

from ..models import Team, WorkQueue
from .delinquency import queue_criteria_q


def queue_save(
    *, queue: WorkQueue | None = None, user=None, reason: str = "", **fields
) -> WorkQueue:
    """Create or change a work queue; criteria are checked with the same parser the
    delinquency refresh uses to route cases."""
    queue_criteria_q(fields.get("criteria") or {})
    with transaction.atomic():
        if queue is None:
            if WorkQueue.objects.filter(code=fields.get("code")).exists():
                raise ConflictError(
                    "That code is taken.", errors={"code": ["Already used."]}
                )
            queue = WorkQueue()
        for name, value in fields.items():
            setattr(queue, name, value)
        history_save(queue, reason=reason or "edited in configuration", user=user)
    return queue


def team_save(
    *,
    team: Team | None = None,
    name: str,
    supervisors,
    members,
    user=None,
) -> Team:
    with transaction.atomic():
        team = team or Team()
        team.name = name
        history_save(team, reason="edited in configuration", user=user)
        team.supervisors.set(supervisors)
        team.members.set(members)
    return team
