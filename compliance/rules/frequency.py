"""FrequencyCap and PostConversationCooldown: how often a person may be contacted.

cn: ≤6 unanswered attempts per contact point per day (CBA 2026); ≤3 effective
    conversations per debtor per day, bank and agencies combined (GB/T 2025).
us: more than 7 calls in 7 consecutive days per person per debt is presumed harassment
    (Reg F §1006.14(b)(2)(i)(A)); no call within 7 days after a telephone conversation,
    the conversation day being day 1 (§1006.14(b)(2)(i)(B)).
Days are the person's local calendar days (catalogue 3.2 [P]).
Calls placed with the consumer's prior consent are excluded from the us counts and
lifted from the cooldown (§1006.14(b)(3)(i); compliance.rules.consent) where the
pack's `prior_consent` names the cap or the cooldown; the allowed decision then
carries a `prior_consent` note so the exception is on the record.
"""

from __future__ import annotations

import datetime as dt

from compliance.packs import Cap

from .base import DEFER, NOTE, Block, Context, Rule, local_date, start_of_day
from .consent import consent_at, consented_event, next_consent_start

_ONE_DAY = dt.timedelta(days=1)


def _debt_matches(ctx: Context, loan_id: int | None) -> bool:
    # An attempt or proposal not tied to a debt might concern any of them: count it.
    return ctx.loan_id is None or loan_id is None or loan_id == ctx.loan_id


def make_cap_rule(cap: Cap) -> Rule:
    """A rule enforcing one cap: at most `max` counted events in the window."""
    per_point = cap.scope == "contact_point"
    per_debt = cap.scope == "debtor_debt"
    days_back = dt.timedelta(days=cap.days - 1)
    span = dt.timedelta(days=cap.days)

    def frequency_cap(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
        if ctx.channel not in cap.channels:
            return
        point = ctx.point
        if point is None:
            return
        if not per_point and point.third_party:
            # Person-level caps count contacts with the debtor; a third party is
            # another person (ThirdPartyDisclosure governs them).
            return
        consents = bool(ctx.consents) and cap.id in ctx.pack.consent_caps
        zone = ctx.calendar_zone
        today = local_date(t, zone)
        first = today - days_back
        dates: list[dt.date] = []
        excluded = 0
        value = point.value
        for event, day in zip(ctx.events, ctx.event_dates, strict=True):
            if day < first or day > today:
                continue
            if event.channel not in cap.channels or event.result not in cap.counted:
                continue
            if per_point:
                if event.contact_value != value:
                    continue
            elif event.third_party or (
                per_debt and not _debt_matches(ctx, event.loan_id)
            ):
                continue
            if consents and consented_event(ctx, event):
                excluded += 1
                continue
            dates.append(day)
        if len(dates) < cap.max:
            if excluded and len(dates) + excluded >= cap.max:
                # Allowed only because calls placed under consent were not counted.
                out.append(_consent_note(ctx, "excluded", count=excluded, cap=cap))
            return
        consent = consent_at(ctx, t) if consents else None
        if consent is not None:
            out.append(
                _consent_note(ctx, "cap", count=len(dates), cap=cap, consent=consent)
            )
            return
        dates.sort()
        # The oldest counted event that must drop out of the window (catalogue 3.2).
        oldest = dates[len(dates) - cap.max]
        until = start_of_day(oldest + span, zone)
        if consents:
            # A consent starting sooner lifts the cap then: still a lower bound.
            starts = next_consent_start(ctx, t)
            if starts is not None and starts < until:
                until = starts
        out.append(
            Block(
                DEFER,
                "frequency_cap",
                f"frequency_cap.{cap.id}",
                until=until,
                citation=cap.citation,
                variant=cap.window,
                params={
                    "count": len(dates),
                    "max": cap.max,
                    "days": cap.days,
                    "date": today.isoformat(),
                    "scope": cap.scope,
                    "counted": cap.counted,
                    "channels": cap.channels,
                },
            )
        )

    frequency_cap.__name__ = f"frequency_cap_{cap.id}"
    return frequency_cap


def post_conversation_cooldown(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    pack = ctx.pack
    if not pack.cooldown_enabled or ctx.channel not in pack.cooldown_channels:
        return
    point = ctx.point
    if point is None or point.third_party:
        return
    zone = ctx.calendar_zone
    today = local_date(t, zone)
    first = today - dt.timedelta(days=pack.cooldown_days - 1)
    last: dt.date | None = None
    for event, day in zip(ctx.events, ctx.event_dates, strict=True):
        if (
            event.result == "conversation"
            and first <= day <= today
            and event.channel in pack.cooldown_channels
            and not event.third_party
            and _debt_matches(ctx, event.loan_id)
            and (last is None or day > last)
        ):
            last = day
    if last is None:
        return
    # The conversation day is day 1: the next call is at the start of the local day
    # conv_date + N, not 168 hours later.
    until = start_of_day(last + dt.timedelta(days=pack.cooldown_days), zone)
    if pack.consent_cooldown and ctx.consents:
        consent = consent_at(ctx, t)
        if consent is not None:
            out.append(
                _consent_note(
                    ctx,
                    "cooldown",
                    consent=consent,
                    date=last.isoformat(),
                    days=pack.cooldown_days,
                )
            )
            return
        starts = next_consent_start(ctx, t)
        if starts is not None and starts < until:
            until = starts
    out.append(
        Block(
            DEFER,
            "post_conversation_cooldown",
            "post_conversation_cooldown",
            until=until,
            citation=pack.cooldown_citation,
            params={"date": last.isoformat(), "days": pack.cooldown_days},
        )
    )


def _consent_note(
    ctx: Context, variant: str, *, cap=None, consent=None, **params
) -> Block:
    if cap is not None:
        params.update(max=cap.max, days=cap.days)
    if consent is not None:
        params.update(consent_from=consent.starts_at, consent_until=consent.ends_at)
    return Block(
        NOTE,
        "prior_consent",
        "prior_consent",
        citation=ctx.pack.consent_citation,
        variant=variant,
        params=params,
    )
