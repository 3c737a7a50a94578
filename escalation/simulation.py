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
            reasons=dict(report.step_reasons.get(label, {})),
        )
    return outcomes


def outcome_totals(outcomes: dict) -> Counter:
    """Actions created per kind (sms, call, review...) over `outcomes`."""
    totals = Counter()
    for outcome in outcomes.values():
        totals[outcome.kind] += outcome.created
    return totals


@dataclass
class Simulation:
    policy: EscalationPolicy
    active: EscalationPolicy | None
    at: dt.datetime
    seconds: float
    steps: list[tuple[StepOutcome | None, StepOutcome | None, int]]
    totals: list[tuple[str, int, int, int]]  # kind, draft, active, difference
    reasons: list[tuple[str, int, int, int]]

    def as_dict(self) -> dict:
        def step(o: StepOutcome | None):
            return None if o is None else o.__dict__

        return {
            "policy": self.policy.code,
            "version": self.policy.version,
            "active_version": self.active.version if self.active else None,
            "at": self.at.isoformat(),
            "seconds": round(self.seconds, 3),
            "steps": [
                {"simulated": step(a), "active": step(b), "difference": d}
                for a, b, d in self.steps
            ],
            "totals": [
                {"kind": k, "simulated": a, "active": b, "difference": d}
                for k, a, b, d in self.totals
            ],
            "blocked_by_reason": [
                {"reason": r, "simulated": a, "active": b, "difference": d}
                for r, a, b, d in self.reasons
            ],
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
    orders = sorted(set(simulated) | set(live))
    ours, theirs = outcome_totals(simulated), outcome_totals(live)
    totals = [(k, ours[k], theirs[k], ours[k] - theirs[k]) for k in KINDS]
    reasons_ours, reasons_theirs = Counter(), Counter()
    for o in simulated.values():
        reasons_ours.update(o.reasons)
    for o in live.values():
        reasons_theirs.update(o.reasons)
    reasons = [
        (r, reasons_ours[r], reasons_theirs[r], reasons_ours[r] - reasons_theirs[r])
        for r in sorted(set(reasons_ours) | set(reasons_theirs))
    ]
    return Simulation(
        policy=policy,
        active=active if live else None,
        at=at,
        seconds=seconds,
        steps=[
            (
                simulated.get(o),
                live.get(o),
                (simulated[o].created if o in simulated else 0)
                - (live[o].created if o in live else 0),
            )
            for o in orders
        ],
        totals=totals,
        reasons=reasons,
    )
