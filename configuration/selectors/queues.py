"""Reads of the queue and team pages."""

from __future__ import annotations

from django.http import Http404

from cases.models import Team, WorkQueue
from core.errors import ApplicationError


def queue_list():
    return WorkQueue.objects.select_related("team").order_by("code")


def queue_get(*, code: str) -> WorkQueue:
    queue = WorkQueue.objects.filter(code=code).first()
    if queue is None:
        raise Http404("No such queue.")
    return queue


def team_list():
    return Team.objects.prefetch_related("supervisors", "members", "queues")


def team_get(*, name: str) -> Team:
    team = Team.objects.filter(name=name).first()
    if team is None:
        raise Http404("No such team.")
    return team


def team_get_or_error(*, name: str) -> Team:
    """For API input: an unknown team is a 400 naming the field, not a 404."""
    team = Team.objects.filter(name=name).first()
    if team is None:
        raise ApplicationError("No such team.", errors={"team": [f"No team {name!r}."]})
    return team
