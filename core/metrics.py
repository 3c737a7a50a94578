"""The product's own Prometheus metrics, incremented where the work happens.

Counters live in the process that does the work (a web worker, a Celery worker, a
sweep batch process). With PROMETHEUS_MULTIPROC_DIR set (production: run-prod.sh and
docker-compose set it), every process writes its samples there and /metrics adds
them up (collections_app.metrics); without it each process reports only its own.
What is state rather than events (the outbox backlog, the queue depth, heartbeats)
is read at scrape time instead, from the database and the broker.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Histogram

COMPLIANCE_DECISIONS = Counter(
    "collections_compliance_decisions_total",
    "Compliance decisions recorded, by outcome and reason code.",
    ["outcome", "reason"],
)
SWEEP_DURATION = Histogram(
    "collections_sweep_duration_seconds",
    "How long one escalation sweep took.",
    buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600),
)
SWEEP_ACTIONS = Counter(
    "collections_sweep_actions_total",
    "Escalation actions the sweep took, by step action and what became of them.",
    ["action", "result"],
)
DISPATCHED = Counter(
    "collections_outbox_dispatched_total",
    "Outbox rows the dispatcher handled, by result (sent, failed, dead, unknown, "
    "deferred, cancelled).",
    ["result"],
)
LOGIN_LOCKOUTS = Counter(
    "collections_login_lockouts_total", "Sign-ins refused by the lockout (axes)."
)
PII_REVEALS = Counter(
    "collections_pii_reveals_total",
    "Masked personal data revealed to a user (each one is audited), by field.",
    ["field"],
)


def decisions_count(decisions: Iterable) -> None:
    """Count recorded gate decisions (compliance.engine.Decision) by outcome and
    reason code; an allowing decision with no reason counts under reason "none"."""
    tally: dict[tuple[str, str], int] = {}
    for decision in decisions:
        codes = [r.get("code", "") for r in decision.reasons] or ["none"]
        for code in codes:
            key = (decision.outcome, code)
            tally[key] = tally.get(key, 0) + 1
    for (outcome, reason), n in tally.items():
        COMPLIANCE_DECISIONS.labels(outcome=outcome, reason=reason).inc(n)


def sweep_observe(*, seconds: float, steps: dict, meta: dict) -> None:
    """One sweep's duration, and its actions by step action and result
    (escalation.report.SweepReport's counts)."""
    SWEEP_DURATION.observe(seconds)
    for label, counts in steps.items():
        action = meta.get(label, (0, "unknown"))[1]
        for result, n in counts.items():
            if n:
                SWEEP_ACTIONS.labels(action=action, result=result).inc(n)
