"""Reads of the rule-pack pages: packs, their drafts and history, what a draft
changes, and a draft's simulation against the live pack."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass

from django.http import Http404

from cases.models import EscalationPolicy
from compliance.models import RulePack
from compliance.packs import Pack, pack_from_row
from escalation.simulation import (
    Counts,
    StepOutcome,
    Steps,
    comparison_dict,
    outcomes_compare,
    step_outcomes,
)
from escalation.sweep import escalation_simulate

from ..models import RulePackDraft


def rule_pack_get(*, code: str) -> RulePack:
    pack = RulePack.objects.filter(code=code).first()
    if pack is None:
        raise Http404("No such rule pack.")
    return pack


def rule_pack_history(*, code: str):
    return (
        RulePack.history.filter(code=code)
        .select_related("history_user")
        .order_by("-history_date")[:50]
    )


def rule_pack_list() -> list[tuple[RulePack, int]]:
    """Every pack with its number of open drafts (one query each)."""
    open_drafts = Counter(
        RulePackDraft.objects.filter(status=RulePackDraft.Status.DRAFT).values_list(
            "code", flat=True
        )
    )
    return [(p, open_drafts[p.code]) for p in RulePack.objects.order_by("code")]


def rule_pack_drafts(*, code: str):
    return (
        RulePackDraft.objects.filter(code=code)
        .select_related("created_by")
        .order_by("-number")
    )


def rule_pack_draft_get(*, code: str, number: int) -> RulePackDraft:
    draft = (
        RulePackDraft.objects.select_related("created_by")
        .filter(code=code, number=number)
        .first()
    )
    if draft is None:
        raise Http404("No such rule-pack draft.")
    return draft


def rule_pack_draft_history(*, draft: RulePackDraft):
    return draft.history.select_related("history_user").order_by("-history_date")


def rule_pack_draft_changes(
    *, draft: RulePackDraft, current: dict
) -> list[tuple[str, object, object]]:
    """(parameter path, live value, draft value) for each parameter that differs,
    lists shown as text."""
    changes: list[tuple[str, object, object]] = []

    def walk(path: str, live, ours) -> None:
        if isinstance(live, dict) and isinstance(ours, dict):
            for key in sorted(set(live) | set(ours)):
                walk(f"{path}.{key}" if path else key, live.get(key), ours.get(key))
        elif (
            isinstance(live, list) and isinstance(ours, list) and len(live) == len(ours)
        ):
            for i, (a, b) in enumerate(zip(live, ours, strict=True)):
                walk(f"{path}.{i}", a, b)
        elif live != ours:
            changes.append((path, _shown(live), _shown(ours)))

    walk("", current, draft.parameters)
    return changes


def _shown(value) -> object:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return "—" if value is None else value


def rule_pack_draft_pack(*, draft: RulePackDraft) -> Pack:
    """The draft compiled as the version activation would make it."""
    return pack_from_row(
        code=draft.code, version=draft.base_version + 1, parameters=draft.parameters
    )


@dataclass
class RulePackSimulation:
    """The live escalation policies at `at` with the draft pack and with the live
    one; `steps`, `totals` and `reasons` in the shape of `Simulation` (draft first),
    so the page reuses the policy simulation's table."""

    draft: RulePackDraft
    live_version: int
    at: dt.datetime
    seconds: float
    steps: Steps
    totals: Counts
    reasons: Counts

    @property
    def active(self) -> bool:
        # The partial shows the comparison columns when there is a live side.
        return True

    def as_dict(self) -> dict:
        return {
            "rule_pack": self.draft.code,
            "draft": self.draft.number,
            "base_version": self.draft.base_version,
            "live_version": self.live_version,
            "at": self.at.isoformat(),
            "seconds": round(self.seconds, 3),
            # The simulation of a draft beyond the law says so, as its page does.
            "floor_breaches": self.draft.floor_breaches,
            **comparison_dict(self.steps, self.totals, self.reasons),
        }


def rule_pack_simulation(
    *, draft: RulePackDraft, at: dt.datetime
) -> RulePackSimulation:
    """What the live escalation policies' sweep at `at` would create and block with
    the draft's parameters in place of the live pack, next to what it does with the
    live pack. Both are the sweep's own dry run (`escalation_simulate` of each live
    policy, the gate given the draft through `pack_overrides`); writes nothing."""
    started = time.perf_counter()
    overrides = {draft.code: rule_pack_draft_pack(draft=draft)}
    live_row = RulePack.objects.filter(code=draft.code).first()
    ours: dict[tuple[str, int], StepOutcome] = {}
    theirs: dict[tuple[str, int], StepOutcome] = {}
    policies = EscalationPolicy.objects.filter(
        status=EscalationPolicy.Status.ACTIVE
    ).order_by("code")
    for policy in policies:
        with_draft = escalation_simulate(policy=policy, at=at, pack_overrides=overrides)
        live = escalation_simulate(policy=policy, at=at)
        for order, outcome in step_outcomes(with_draft).items():
            ours[(policy.code, order)] = outcome
        for order, outcome in step_outcomes(live).items():
            theirs[(policy.code, order)] = outcome
    seconds = time.perf_counter() - started
    steps, totals, reasons = outcomes_compare(ours, theirs)
    return RulePackSimulation(
        draft=draft,
        live_version=live_row.version if live_row is not None else 0,
        at=at,
        seconds=seconds,
        steps=steps,
        totals=totals,
        reasons=reasons,
    )
