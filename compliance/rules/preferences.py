"""Customer-stated inconvenient times and places: the customer's own words as gate
inputs, in every pack.

us: no communication at a time or place the collector knows or should know is
    inconvenient to the consumer (Reg F §1006.6(b)(1)(i)-(ii)), nor at the place of
    employment when the employer prohibits it (§1006.6(b)(3)).
cn: the 08:00-22:00 window holds "unless agreed with the debtor" (CBA 2026; GB/T
    2025): a time the debtor has said does not suit them is such an agreement, and no
    entry to the debtor's office area without consent (CN.VISIT).
uk: act on the customer's reasonable requests about when and where to be contacted
    (CONC 7.9.4R, 7.9.7R).

A customer may also say when contact suits them ("only between 18:00 and 20:00"):
stated convenient hours, `preferred_hours`, make every other time of that day (or of
every day) inconvenient. They narrow the pack's window and never widen it: contact
outside the window needs the customer's prior consent, recorded as such
(docs/decisions.md, record 53).

A consumer-initiated communication at such a time or from such a place may be
answered once through the same medium (comment 6(b)(1)-2): a contact with purpose
`reply_to_inbound` passes once, with a note on the decision. The gate does not see
the inbound contact itself; "once" is one allowed contact at a stated-inconvenient
time (or to that place's contact point) in the 24 hours before, which only such a
reply can have been, since these rules block every other contact then.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .base import DEFER, DENY, NOTE, REVIEW, Block, Context, Preference

TIME_KINDS = frozenset({"inconvenient_hours", "inconvenient_day"})
PREFERRED = "preferred_hours"
PLACE_KINDS = frozenset({"not_at_work", "not_at_home"})
_MIDNIGHT = dt.time(0)
_ONE_DAY = dt.timedelta(days=1)
# Stated times covering a whole week leave no time at all.
_NO_TIME = dt.timedelta(days=8)
REPLY_WINDOW = dt.timedelta(hours=24)


def _in_force(p: Preference, t: dt.datetime) -> bool:
    return p.starts_at <= t and (p.ends_at is None or t < p.ends_at)


def _interval_end(p: Preference, local: dt.datetime, zone: ZoneInfo):
    """The end of `p`'s inconvenient interval that contains `local`, else None."""
    if p.weekday is not None and local.weekday() != p.weekday:
        return None
    if p.kind == "inconvenient_day":
        nxt = local.date() + _ONE_DAY
        return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    clock = local.time()
    if p.start is None or p.end is None or clock < p.start:
        return None
    if p.end == _MIDNIGHT:
        nxt = local.date() + _ONE_DAY
        return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    if clock >= p.end:
        return None
    return dt.datetime.combine(local.date(), p.end, tzinfo=zone)


def _outside_preferred(ctx: Context, t: dt.datetime, local: dt.datetime, zone):
    """(end, statement) when `local` falls outside every convenient-hours statement
    in force for its day: the stretch ends at the next window's start that day, else
    at midnight; None when the day has no such statement or `local` is inside one."""
    clock = local.time()
    windows = []
    for p in ctx.preferences:
        if p.kind != PREFERRED or not _in_force(p, t):
            continue
        if p.weekday is not None and local.weekday() != p.weekday:
            continue
        if p.start <= clock and (p.end == _MIDNIGHT or clock < p.end):
            return None
        windows.append(p)
    if not windows:
        return None
    later = [p for p in windows if p.start > clock]
    if later:
        first = min(later, key=lambda p: p.start)
        return dt.datetime.combine(local.date(), first.start, tzinfo=zone), first
    nxt = local.date() + _ONE_DAY
    return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone), windows[0]


def matching_time(ctx: Context, t: dt.datetime) -> Preference | None:
    """The first stated inconvenient time in force that contains `t` (or the
    convenient hours `t` falls outside)."""
    zone = ctx.calendar_zone
    local = t.astimezone(zone)
    for p in ctx.preferences:
        if p.kind in TIME_KINDS and _in_force(p, t):
            if _interval_end(p, local, zone) is not None:
                return p
    outside = _outside_preferred(ctx, t, local, zone)
    return outside[1] if outside else None


_ALWAYS = object()


def inconvenient_until(ctx: Context, t: dt.datetime):
    """None when `t` is not inside a stated inconvenient time; else the end of the
    whole inconvenient stretch from `t` (adjacent statements merged), or _ALWAYS when
    the statements leave no time in a week."""
    zone = ctx.calendar_zone
    current = t
    while True:
        local = current.astimezone(zone)
        best = None
        for p in ctx.preferences:
            if p.kind not in TIME_KINDS or not _in_force(p, current):
                continue
            end = _interval_end(p, local, zone)
            if end is None:
                continue
            if p.ends_at is not None and p.ends_at < end:
                end = p.ends_at
            if best is None or end > best:
                best = end
        outside = _outside_preferred(ctx, current, local, zone)
        if outside is not None:
            end, p = outside
            if p.ends_at is not None and p.ends_at < end:
                end = p.ends_at
            if best is None or end > best:
                best = end
        if best is None or best <= current:
            break
        current = best
        if current - t > _NO_TIME:
            return _ALWAYS
    return None if current == t else current


def _own(ctx: Context) -> bool:
    return ctx.point is None or not ctx.point.third_party


def _replied_at_inconvenient_time(ctx: Context, t: dt.datetime) -> bool:
    since = t - REPLY_WINDOW
    for event in ctx.events:
        if (
            event.channel == ctx.channel
            and not event.third_party
            and since <= event.at <= t
            and matching_time(ctx, event.at) is not None
        ):
            return True
    return False


def customer_times(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    pack = ctx.pack
    if (
        not ctx.preferences
        or not pack.preferences_enabled
        or ctx.channel not in pack.preference_time_channels
        or not _own(ctx)
    ):
        return
    until = inconvenient_until(ctx, t)
    if until is None:
        return
    stated = matching_time(ctx, t)
    params = {
        "kind": stated.kind,
        "weekday": stated.weekday,
        "start": stated.start,
        "end": stated.end,
        "local_time": t.astimezone(ctx.calendar_zone),
        "tz": (ctx.calendar_zone,),
    }
    if (
        ctx.purpose == "reply_to_inbound"
        and pack.reply_to_inbound_once
        and not _replied_at_inconvenient_time(ctx, t)
    ):
        out.append(
            Block(
                NOTE,
                "reply_to_inbound",
                "reply_to_inbound",
                citation=pack.preference_time_citation,
                variant="time",
                params=params,
            )
        )
        return
    if until is _ALWAYS:
        out.append(
            Block(
                REVIEW,
                "customer_inconvenient_time",
                "customer_inconvenient_time",
                citation=pack.preference_time_citation,
                variant="always",
            )
        )
        return
    out.append(
        Block(
            DEFER,
            "customer_inconvenient_time",
            "customer_inconvenient_time",
            until=until,
            citation=pack.preference_time_citation,
            variant="preferred" if stated.kind == PREFERRED else "",
            params=params,
        )
    )


def place_of(point, channel: str) -> str:
    """ "work", "home" or "" for a contact through `point` on `channel`.

    Work: a number or address the customer is reached at work (usage work), or the
    employer's own. Home: the customer's home landline (calls and texts) and their
    own address for visits (letters are mail, not a contact at the place)."""
    if point is None:
        return ""
    if point.usage == "work" or point.relationship == "employer":
        return "work"
    if point.third_party:
        return ""
    if point.kind == "phone" and point.usage == "home" and channel in ("call", "sms"):
        return "home"
    if point.kind == "address" and point.usage in ("", "home") and channel == "visit":
        return "home"
    return ""


def customer_places(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    pack = ctx.pack
    if (
        not ctx.preferences
        or not pack.preferences_enabled
        or ctx.channel not in pack.preference_place_channels
    ):
        return
    place = place_of(ctx.point, ctx.channel)
    if not place:
        return
    kind = "not_at_work" if place == "work" else "not_at_home"
    active = [p for p in ctx.preferences if p.kind == kind and _in_force(p, t)]
    if not active:
        return
    point = ctx.point
    params = {"place": place, "since": min(p.starts_at for p in active)}
    if ctx.purpose == "reply_to_inbound" and pack.reply_to_inbound_once:
        since = t - REPLY_WINDOW
        if not any(
            e.contact_value == point.value and since <= e.at <= t for e in ctx.events
        ):
            out.append(
                Block(
                    NOTE,
                    "reply_to_inbound",
                    "reply_to_inbound",
                    citation=pack.preference_place_citation,
                    variant="place",
                    params=params,
                )
            )
            return
    ends = [p.ends_at for p in active]
    if any(end is None for end in ends):
        kind_, until = DENY, None
    else:
        kind_, until = DEFER, max(ends)
        params["until"] = until
    out.append(
        Block(
            kind_,
            "customer_inconvenient_place",
            "customer_inconvenient_place",
            until=until,
            citation=pack.preference_place_citation,
            variant=place,
            params=params,
        )
    )
