"""Scope: the teams a user supervises (admins: all), their collectors, and the
targets a user may move cases to."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from cases.models import Case, Team, WorkQueue
from cases.selectors import case_list_for_user
from core.roles import Role, user_roles

User = get_user_model()


def is_admin(user) -> bool:
    return Role.ADMIN in user_roles(user)


def teams_for_user(*, user) -> list[Team]:
    teams = Team.objects.order_by("name")
    if not is_admin(user):
        teams = teams.filter(supervisors=user)
    return list(teams)


def team_get_for_user(*, user, team_id) -> Team:
    """A team the user supervises (admins: any), else 404."""
    try:
        team_id = int(team_id)
    except (TypeError, ValueError):
        raise Http404("No such team.") from None
    for team in teams_for_user(user=user):
        if team.pk == team_id:
            return team
    raise Http404("No such team.")


def collectors_for_user(*, user, team: Team | None = None) -> list:
    """The collectors of the user's teams (or of `team`), by name, one query."""
    users = User.objects.filter(groups__name=Role.COLLECTOR)
    if team is not None:
        users = users.filter(teams=team)
    elif not is_admin(user):
        users = users.filter(teams__supervisors=user)
    return list(users.distinct().order_by("username"))


# Reassignment: the one rule set for which targets a user may move cases to, read by
# supervision.services.cases_reassign (and by the page, to offer them).


def reassign_queues_for_user(*, user) -> QuerySet[WorkQueue]:
    """The queues the user may move cases into: those of the teams they supervise
    (admins: any queue), by priority."""
    queues = WorkQueue.objects.select_related("team").order_by("priority", "code")
    if not is_admin(user):
        queues = queues.filter(team__supervisors=user).distinct()
    return queues


def reassign_collector_for_user(*, user, username: str):
    """The collector named `username` if the user may assign cases to them (one of
    their teams' collectors; admins: any collector), else None."""
    users = User.objects.filter(groups__name=Role.COLLECTOR, username=username)
    if not is_admin(user):
        users = users.filter(teams__supervisors=user)
    return users.distinct().first()


def reassign_cases_for_user(
    *, user, references: Iterable[str]
) -> tuple[list[Case], list[str]]:
    """The cases among `references` the user may see, and the references of the
    others (unknown or not visible: they answer alike), sorted."""
    references = set(references)
    cases = list(case_list_for_user(user=user).filter(reference__in=references))
    missing = sorted(references - {c.reference for c in cases})
    return cases, missing
