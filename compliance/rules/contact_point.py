"""Rules on the contact point itself: invalid, no consent, opted out, and who a
third party is and why we may call them (ThirdPartyDisclosure).

cn: a contact person only when the debtor is unreachable (失联), only to ask for the
    debtor's contact details or pass on a message, never disclosing the debt, and never
    again once they refuse (GB/T 2025; CBA 2026).
us: location contacts only, each third party once (15 USC 1692b; Reg F §1006.10).
uk: never disclose the debt before identifying the borrower (CONC 7.9.10R).
"""

from __future__ import annotations

import datetime as dt

from .base import DENY, Block, Context
from .holds import active_at

UNANSWERED = frozenset({"not_connected", "no_answer", "voicemail"})
# What counts as having contacted a third party (for "once per third party").
REACHED = frozenset({"pending", "voicemail", "third_party", "conversation", "sent"})


def contact_point(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    point = ctx.point
    if point is None:
        out.append(
            Block(
                DENY,
                "invalid_contact_point",
                "invalid_contact_point",
                variant="missing",
                params={"channel": ctx.channel},
            )
        )
        return
    if point.invalid_at is not None and point.invalid_at <= t:
        out.append(
            Block(
                DENY,
                "invalid_contact_point",
                "invalid_contact_point",
                params={
                    "reason": point.invalid_reason or "-",
                    "since": point.invalid_at,
                },
            )
        )
    if not point.consent:
        out.append(Block(DENY, "no_consent", "no_consent"))
    if (
        point.opted_out_at is not None
        and point.opted_out_at <= t
        # A phone number's opt-out (STOP / 退订) is an opt-out of texts at that number
        # (Reg F §1006.14(h) medium opt-out); calls are stopped by a channel_opt_out
        # restriction on "call".
        and (point.kind != "phone" or ctx.channel == "sms")
    ):
        out.append(
            Block(
                DENY,
                "channel_opt_out",
                "channel_opt_out",
                params={"since": point.opted_out_at, "channel": ctx.channel},
            )
        )


def debtor_unreachable(ctx: Context, t: dt.datetime) -> bool:
    """失联, concretely: no conversation with the debtor and at least N failed calls on
    every own phone in the last D days (pack `unreachable_attempts`/`_days`); or no
    usable own phone at all."""
    cfg = ctx.pack.third_party
    since = t - dt.timedelta(days=cfg["unreachable_days"])
    failed = dict.fromkeys(ctx.own_phones, 0)
    for event in ctx.events:
        if event.third_party or event.at < since or event.at > t:
            continue
        if event.result == "conversation":
            return False
        if event.channel == "call" and event.result in UNANSWERED:
            if event.contact_value in failed:
                failed[event.contact_value] += 1
    need = cfg["unreachable_attempts"]
    return all(count >= need for count in failed.values())


def third_party(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    point = ctx.point
    if point is None or not point.third_party:
        return
    cfg = ctx.pack.third_party
    citation = cfg.get("citation", "")

    def deny(variant: str, **params) -> None:
        out.append(
            Block(
                DENY,
                "third_party_contact",
                "third_party_contact",
                citation=citation,
                variant=variant,
                params=params,
            )
        )

    if point.refused_at is not None and point.refused_at <= t:
        deny("refused", date=point.refused_at)
        return
    if not cfg.get("allowed"):
        deny("not_allowed")
        return
    if point.relationship not in cfg["roles"]:
        deny("role", role=point.relationship)
        return
    if ctx.purpose not in cfg["purposes"]:
        deny("purpose", purpose=ctx.purpose)
        return
    limit = cfg.get("max_contacts_per_third_party") or 0
    if limit:
        count = sum(
            1
            for e in ctx.events
            if e.third_party and e.contact_value == point.value and e.result in REACHED
        )
        if count >= limit:
            deny("once", count=count, max=limit)
            return
    if cfg.get("only_when_unreachable"):
        deceased = any(
            r.kind == "deceased" and active_at(r, t) for r in ctx.restrictions
        )
        if not deceased and not debtor_unreachable(ctx, t):
            deny(
                "reachable",
                attempts=cfg["unreachable_attempts"],
                days=cfg["unreachable_days"],
            )
