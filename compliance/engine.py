"""The decision engine: run a pack's rules and find the next permitted time.

`evaluate(ctx, at)` is pure (no database): the fixed-point iteration of catalogue
section 4. Each rule either allows `t`, defers to the earliest time it would allow, or
blocks until an event (deny / review). `t` moves to the latest deferral until every
rule allows it; since each rule's deferral is a lower bound on any permitted time, the
first agreement is the earliest permitted time. Any deny wins (null next); a deferral
beyond the pack's horizon is reported as such, with no next time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .reasons import render, render_horizon
from .rules import conditions_for, rules_for
from .rules.base import DEFER, DENY, NOTE, REVIEW, Block, Context

ALLOW = "allow"
ALLOW_WITH_CONDITIONS = "allow_with_conditions"
_MAX_ITERATIONS = 50


@dataclass(slots=True)
class Decision:
    """The verdict on one proposed contact, in the shape of DESIGN.md section 4."""

    allowed: bool
    outcome: str
    conditions: list[str] = field(default_factory=list)
    next_permitted_at: dt.datetime | None = None
    rule_pack: str = ""
    rule_pack_version: int = 0
    # Not part of the public shape: what was evaluated, for the ledger row.
    proposed_at: dt.datetime | None = None
    channel: str = ""
    purpose: str = ""
    contact_point_id: int | None = None
    # Reasons are rendered (en + zh) on first use: a sweep deciding 50,000 contacts
    # reads only `allowed` and `next_permitted_at` for most of them.
    _reasons: list[dict[str, Any]] | None = None
    _render: Callable[[], list[dict[str, Any]]] | None = None

    @property
    def reasons(self) -> list[dict[str, Any]]:
        if self._reasons is None:
            self._reasons = self._render() if self._render is not None else []
            self._render = None
        return self._reasons

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "outcome": self.outcome,
            "reasons": self.reasons,
            "conditions": self.conditions,
            "next_permitted_at": (
                self.next_permitted_at.isoformat() if self.next_permitted_at else None
            ),
            "rule_pack": self.rule_pack,
            "rule_pack_version": self.rule_pack_version,
        }

    @property
    def codes(self) -> list[str]:
        return [r["code"] for r in self.reasons]


def evaluate(ctx: Context, at: dt.datetime) -> Decision:
    """Decide a proposed contact at `at` (aware). Pure: reads only `ctx`."""
    pack = ctx.pack
    rules = rules_for(pack, ctx.channel)
    limit = at + pack.horizon
    t = at
    fired: dict[str, Block] = {}
    outcome: str | None = None
    next_at: dt.datetime | None = None
    beyond: Block | None = None
    notes: list[Block] = []
    for _ in range(_MAX_ITERATIONS):
        out: list[Block] = []
        for rule in rules:
            rule(ctx, t, out)
        if out and any(b.kind == NOTE for b in out):
            # Notes say which exception let a contact through (prior consent, a
            # reply to the customer); they block nothing.
            notes = [b for b in out if b.kind == NOTE]
            out = [b for b in out if b.kind != NOTE]
        else:
            notes = []
        if not out:
            next_at = t
            break
        for block in out:
            if t != at and block.code == "contact_window" and not block.variant:
                # Reached only after another rule moved t: the proposal's own clock
                # time is not what this rule objects to.
                block.variant = "later"
            # Keep the latest word of each rule: its deferral only grows with t.
            fired[block.rule] = block
        if any(b.kind == DENY for b in out):
            outcome = DENY
            break
        if any(b.kind == REVIEW for b in out):
            outcome = REVIEW
            break
        pushed = max(out, key=lambda b: b.until)
        if pushed.until > limit:
            outcome, beyond = DEFER, pushed
            break
        t = pushed.until
    else:  # pragma: no cover - rules are monotone; kept as a guard against bad packs
        outcome, beyond = DEFER, next(iter(fired.values()))

    zone = ctx.calendar_zone
    if outcome is None and next_at == at:
        conditions = conditions_for(ctx)

        def noted() -> list[dict[str, Any]]:
            return [
                render(b, pack_code=pack.code, next_at=None, zone=zone) for b in notes
            ]

        return Decision(
            allowed=True,
            outcome=ALLOW_WITH_CONDITIONS if conditions else ALLOW,
            _render=noted if notes else None,
            conditions=conditions,
            next_permitted_at=next_at.astimezone(zone),
            rule_pack=pack.code,
            rule_pack_version=pack.version,
            proposed_at=at,
            channel=ctx.channel,
            purpose=ctx.purpose,
            contact_point_id=ctx.point.id if ctx.point else None,
        )
    if outcome is None:
        outcome = DEFER
    shown_next = next_at.astimezone(zone) if outcome == DEFER and next_at else None

    def reasons() -> list[dict[str, Any]]:
        rendered = [
            render(b, pack_code=pack.code, next_at=shown_next, zone=zone)
            for b in sorted(fired.values(), key=_severity)
        ]
        if beyond is not None:
            rendered.append(
                render_horizon(beyond, pack_code=pack.code, days=pack.horizon.days)
            )
        return rendered

    return Decision(
        allowed=False,
        outcome=outcome,
        _render=reasons,
        conditions=[],
        next_permitted_at=shown_next,
        rule_pack=pack.code,
        rule_pack_version=pack.version,
        proposed_at=at,
        channel=ctx.channel,
        purpose=ctx.purpose,
        contact_point_id=ctx.point.id if ctx.point else None,
    )


_ORDER = {DENY: 0, REVIEW: 1, DEFER: 2}


def _severity(block: Block) -> int:
    return _ORDER[block.kind]
