"""Prior consent: calls the consumer asked for are not counted (us).

Reg F §1006.14(b)(3)(i): telephone calls placed with the person's prior consent,
given directly to the debt collector, within a period of no more than seven
consecutive days do not count toward the call frequencies of §1006.14(b)(2) (the
7-in-7 presumption and the 7-day cooldown after a conversation). Catalogue 3.3 and
3.19 (`ConsentWindow`): the consent ends at its stated end, when it is revoked, or
at the next telephone conversation about that debt, whichever comes first.

What a consent covers is judged at each call's own time: a call placed while a
consent covered it stays uncounted after the consent ends. The conversation that
ends a consent is itself a call placed under it (uncounted), and it still starts the
post-conversation cooldown (the exclusion is of calls placed, not of conversations
had: the stricter reading).
"""

from __future__ import annotations

import datetime as dt

from .base import Consent, Context, Event


def _covers_debt(consent: Consent, loan_id: int | None) -> bool:
    # A consent about one loan covers calls about that loan only; a call not tied to
    # a debt may be about any of them, so only a case-wide consent covers it.
    return consent.loan_id is None or consent.loan_id == loan_id


def _about_debt(consent: Consent, loan_id: int | None) -> bool:
    # A conversation not tied to a debt may have been about any of them: it ends
    # the consent (the conservative reading).
    return consent.loan_id is None or loan_id is None or loan_id == consent.loan_id


def _ended_by_conversation(ctx: Context, consent: Consent, t: dt.datetime) -> bool:
    """Whether a conversation about the consent's debt was had between its start and
    `t` (a call placed at `t` is then no longer covered)."""
    for event in ctx.events:
        if (
            event.result == "conversation"
            and event.channel == "call"
            and not event.third_party
            and consent.starts_at <= event.at < t
            and _about_debt(consent, event.loan_id)
        ):
            return True
    return False


_PROPOSAL = object()


def consent_at(
    ctx: Context, t: dt.datetime, loan_id: int | None | object = _PROPOSAL
) -> Consent | None:
    """The consent covering a call placed at `t` about `loan_id` (default: the
    proposal's debt), if any."""
    if not ctx.consents:
        return None
    if loan_id is _PROPOSAL:
        loan_id = ctx.loan_id
    for consent in ctx.consents:
        if (
            consent.starts_at <= t < consent.ends_at
            and _covers_debt(consent, loan_id)
            and not _ended_by_conversation(ctx, consent, t)
        ):
            return consent
    return None


def consented_event(ctx: Context, event: Event) -> bool:
    """Whether a call in the ledger was placed under a consent (and so not counted)."""
    return (
        event.channel == "call"
        and not event.third_party
        and consent_at(ctx, event.at, event.loan_id) is not None
    )


def next_consent_start(ctx: Context, t: dt.datetime) -> dt.datetime | None:
    """The earliest start after `t` of a consent that would cover the proposal: a
    lower bound for a rule that only a consent would lift before its own deferral."""
    starts = [
        c.starts_at
        for c in ctx.consents
        if c.ends_at > c.starts_at > t and _covers_debt(c, ctx.loan_id)
    ]
    return min(starts) if starts else None
