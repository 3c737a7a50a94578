"""Restrictions recorded on the customer: cease, attorney, dispute, legal hold,
breathing space, deceased, vulnerability review, channel opt-out.

A restriction blocks from `starts_at` until `ends_at`; with no end it blocks until an
event (someone ends it), so the decision has no next permitted time. A restriction
that ended yesterday no longer blocks; one that starts tomorrow does not block today.
"""

from __future__ import annotations

import datetime as dt

from .base import DEFER, DENY, REVIEW, Block, Context

# Restriction kind -> (reason code, outcome while it has no end).
KIND_CODES: dict[str, tuple[str, str]] = {
    "cease_communication": ("cease_communication", DENY),
    "dispute": ("dispute_hold", DENY),
    "attorney": ("represented_by_attorney", DENY),
    "legal_hold": ("legal_hold", DENY),
    "breathing_space": ("breathing_space", DENY),
    "deceased": ("deceased", DENY),
    "vulnerability": ("vulnerability_review", REVIEW),
    "channel_opt_out": ("channel_opt_out", DENY),
}

# The reason codes of restrictions: a decision carrying one with no end holds until
# someone ends the restriction (the call queue rechecks such cases rarely).
HOLD_CODES = frozenset(code for code, _ in KIND_CODES.values())


def active_at(restriction, t: dt.datetime) -> bool:
    return restriction.starts_at <= t and (
        restriction.ends_at is None or t < restriction.ends_at
    )


def restrictions(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    specs = ctx.pack.restrictions
    point = ctx.point
    for r in ctx.restrictions:
        if not active_at(r, t):
            continue
        if r.channel and r.channel != ctx.channel:
            continue
        if r.contact_point_id is not None and (
            point is None or point.id != r.contact_point_id
        ):
            continue
        if (
            r.loan_id is not None
            and ctx.loan_id is not None
            and r.loan_id != ctx.loan_id
        ):
            continue
        spec = specs.get(r.kind, {})
        if spec.get("enabled", True) is False:
            continue
        if ctx.purpose in spec.get("allowed_purposes", ()):
            continue
        if (
            r.kind == "deceased"
            and point is not None
            and point.third_party
            and spec.get("third_party_allowed")
        ):
            # cn: a contact person may be asked about the estate (GB/T 2025); the
            # third-party rule still limits purpose and disclosure.
            continue
        code, kind = KIND_CODES[r.kind]
        params = {"since": r.starts_at, "channel": r.channel or ctx.channel}
        if r.kind == "breathing_space" and spec.get("standard_days"):
            params["planned_end"] = r.starts_at + dt.timedelta(
                days=spec["standard_days"]
            )
        if r.ends_at is not None:
            kind = DEFER
            params["until"] = r.ends_at
        out.append(
            Block(
                kind,
                code,
                code,
                until=r.ends_at,
                citation=spec.get("citation", ""),
                params=params,
            )
        )
