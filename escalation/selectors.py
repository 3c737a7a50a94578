"""Reads of escalation policies: every version of every code, one version with its
steps (404 when there is none), the live version and the history of changes."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from cases.models import EscalationPolicy, EscalationStep


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
