"""Simulating a policy version: what the sweep would do with it at a given time
(`escalation_simulate`, the sweep's own dry run), next to what the live version does,
step by step. Writes nothing. The rule-pack drafts' simulation
(configuration.selectors) reports in the same shape, with these helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from cases.models import EscalationPolicy, EscalationStep

from .report import SweepReport
from .selectors import policy_active
from .sweep import escalation_simulate

# What a step's action creates, as the simulation reports it.
ACTION_KIND = {
    "sms": "sms",
    "email": "email",
    "letter": "letter",
    "call_task": "call",
    "supervisor_review": "review",
    "legal_referral": "legal",
}
KINDS = ["sms", "email", "letter", "call", "review", "legal"]


@dataclass
class StepOutcome:
    order: int
    label: str
    action: str
    kind: str
    created: int = 0
    deferred: int = 0
    blocked: int = 0
    no_template: int = 0
    # Rungs passed for want of a usable channel (docs/decisions.md, record 40).
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def step_outcomes(report: SweepReport) -> dict[int, StepOutcome]:
    """The report's counts per step, keyed by the step's order."""
    outcomes = {}
    for label, (order, action) in report.step_meta.items():
        counts = report.steps.get(label, Counter())
        outcomes[order] = StepOutcome(
            order=order,
            label=label,
            action=action,
            kind=ACTION_KIND.get(action, action),
            created=counts["created"],
            deferred=counts["deferred"],
            blocked=counts["blocked"],
            no_template=counts["no_template"],
            skipped=counts["skipped"],
            reasons=dict(report.step_reasons.get(label, {})),
        )
    return outcomes


def _totals(outcomes: dict) -> Counter:
    totals = Counter()
    for outcome in outcomes.values():
        totals[outcome.kind] += outcome.created
    return totals


def _reasons(outcomes: dict) -> Counter:
    reasons = Counter()
    for outcome in outcomes.values():
        reasons.update(outcome.reasons)
    return reasons


Steps = list[tuple[StepOutcome | None, StepOutcome | None, int]]
# (kind or reason, simulated, active, difference)
Counts = list[tuple[str, int, int, int]]


def outcomes_compare(ours: dict, theirs: dict) -> tuple[Steps, Counts, Counts]:
    """`ours` (a simulated run's outcomes by key: a step's order, or (policy, order))
    next to `theirs` (the live run's): per key both outcomes and the difference in
    what they create; per kind of action and per blocking reason both counts and the
    difference."""
    totals_ours, totals_theirs = _totals(ours), _totals(theirs)
    reasons_ours, reasons_theirs = _reasons(ours), _reasons(theirs)
    steps = [
        (
            ours.get(k),
            theirs.get(k),
            (ours[k].created if k in ours else 0)
            - (theirs[k].created if k in theirs else 0),
        )
        for k in sorted(set(ours) | set(theirs))
    ]
    totals = [
        (k, totals_ours[k], totals_theirs[k], totals_ours[k] - totals_theirs[k])
        for k in KINDS
    ]
    reasons = [
        (r, reasons_ours[r], reasons_theirs[r], reasons_ours[r] - reasons_theirs[r])
        for r in sorted(set(reasons_ours) | set(reasons_theirs))
    ]
    return steps, totals, reasons


def comparison_dict(steps: Steps, totals: Counts, reasons: Counts) -> dict:
    """A comparison as the API returns it."""

    def step(o: StepOutcome | None):
        return None if o is None else o.__dict__

    return {
        "steps": [
            {"simulated": step(a), "active": step(b), "difference": d}
            for a, b, d in steps
        ],
        "totals": [
            {"kind": k, "simulated": a, "active": b, "difference": d}
            for k, a, b, d in totals
        ],
        "blocked_by_reason": [
            {"reason": r, "simulated": a, "active": b, "difference": d}
            for r, a, b, d in reasons
        ],
    }


@dataclass
class Simulation:
    policy: EscalationPolicy
    active: EscalationPolicy | None
    at: dt.datetime
    seconds: float
    steps: Steps
    totals: Counts
    reasons: Counts

    def as_dict(self) -> dict:
        return {
            "policy": self.policy.code,
            "version": self.policy.version,
            "active_version": self.active.version if self.active else None,
            "at": self.at.isoformat(),
            "seconds": round(self.seconds, 3),
            **comparison_dict(self.steps, self.totals, self.reasons),
        }


def _signature(step: EscalationStep) -> tuple:
    """What decides a rung's figures (not its name, queue or priority)."""
    return (
        step.trigger,
        step.trigger_days,
        step.action,
        step.template_code,
        step.skip_while_promise,
        step.skip_while_plan,
        step.on_unusable,
        step.substitute_action,
        step.substitute_template_code,
    )


def policy_simulation(*, policy: EscalationPolicy, at: dt.datetime) -> Simulation:
    """Simulate `policy` at `at` and, when another version is live, the live one at
    the same time, step by step (matched by order). Writes nothing."""
    started = time.perf_counter()
    simulated = step_outcomes(escalation_simulate(policy=policy, at=at))
    active = policy_active(code=policy.code)
    live = {}
    if active is not None and active.pk != policy.pk:
        ours = {s.order: s for s in policy.steps.all()}
        theirs = {s.order: s for s in active.steps.all()}
        known = set()
        if set(ours) == set(theirs):
            # Same rungs: cases stand on the same rung under either version, so a
            # rung defined alike gives the same figures; only the others are run.
            known = {o for o in ours if _signature(ours[o]) == _signature(theirs[o])}
        live = step_outcomes(
            escalation_simulate(policy=active, at=at, orders=set(theirs) - known)
        )
        for order in known:
            live[order] = dataclasses.replace(
                simulated[order],
                label=f"{active.code} v{active.version} #{order} {theirs[order].name}",
            )
    seconds = time.perf_counter() - started
    steps, totals, reasons = outcomes_compare(simulated, live)
    return Simulation(
        policy=policy,
        active=active if live else None,
        at=at,
        seconds=seconds,
        steps=steps,
        totals=totals,
        reasons=reasons,
    )
