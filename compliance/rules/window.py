"""ContactWindow and HolidayBlackout: when in the person's local day contact may happen.

cn: no collection 22:00-08:00 Asia/Shanghai (CBA 2026 guideline; GB/T 2025).
us: 08:00-21:00 local time in every candidate zone (Reg F §1006.6(b)(1)(i), (b)(4)).
uk: no statutory hours; policy 08:00-21:00 Mon-Sat (CONC 7.9.4R).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .base import DEFER, REVIEW, Block, Context, memo_for, start_of_day

# Catalogue 3.1: step through window boundaries at most 14 days ahead; no common
# opening in that span means the candidate zones never agree.
_SEARCH = dt.timedelta(days=14)
_ONE_DAY = dt.timedelta(days=1)


def _next_open(
    t: dt.datetime,
    zone: ZoneInfo,
    start: dt.time,
    end: dt.time,
    days: frozenset[int],
) -> dt.datetime:
    """Earliest instant at or after t inside [start, end) on an allowed weekday."""
    local = t.astimezone(zone)
    day = local.date()
    if local.weekday() in days:
        clock = local.time()
        if start <= clock < end:
            return t
        if clock < start:
            return dt.datetime.combine(day, start, tzinfo=zone)
    for offset in range(1, 8):
        candidate = day + dt.timedelta(days=offset)
        if candidate.weekday() in days:
            return dt.datetime.combine(candidate, start, tzinfo=zone)
    raise AssertionError("a window has at least one weekday")  # validated in packs


def _opening(
    t: dt.datetime,
    zones: tuple[ZoneInfo, ...],
    pack,
    end: dt.time,
) -> dt.datetime | None:
    """Earliest instant at or after t open in every zone (None: not in 14 days)."""
    memo = memo_for(t)
    # The pack by identity (cheap to hash); the entry keeps the pack alive and is
    # checked against it, so a recycled id can never match.
    key = ("window", zones, id(pack), end)
    found = memo.get(key)
    if found is not None and found[0] is pack:
        return found[1]
    start, days = pack.window_start, pack.window_days
    if len(zones) == 1:
        current = _next_open(t, zones[0], start, end, days)
    else:
        # Intersection: move to the latest per-zone opening until every zone agrees.
        # Each step lands no later than the first common opening, so the first
        # agreement is the earliest one.
        current = t
        while True:
            nxt = max(_next_open(current, z, start, end, days) for z in zones)
            if nxt == current:
                break
            if nxt - t > _SEARCH:
                current = None
                break
            current = nxt
    memo[key] = (pack, current)
    return current


def contact_window(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    pack = ctx.pack
    if not pack.window_enabled or ctx.channel not in pack.window_channels:
        return
    zones = ctx.zones
    # The last-dial buffer keeps calls inside the window (catalogue 3.1 [P]); a
    # message or visit may start until the window's end.
    end = pack.window_end if ctx.channel == "call" else pack.window_end_nominal
    current = _opening(t, zones, pack, end)
    if current is None:
        out.append(
            Block(
                REVIEW,
                "contact_window",
                "contact_window",
                citation=pack.window_citation,
                variant="no_common_window",
                params={"zones": ", ".join(z.key for z in zones)},
            )
        )
        return
    if current == t:
        return
    zone = zones[0]
    out.append(
        Block(
            DEFER,
            "contact_window",
            "contact_window",
            until=current,
            citation=pack.window_citation,
            # Formatted only if someone reads the reasons (compliance.reasons).
            params={
                "local_time": t.astimezone(zone),
                "start": pack.window_start,
                "end": pack.window_end_nominal,
                "tz": zones,
            },
        )
    )


def holiday_blackout(ctx: Context, t: dt.datetime, out: list[Block]) -> None:
    pack = ctx.pack
    if (
        not pack.blackout_enabled
        or not ctx.holidays
        or ctx.channel not in pack.blackout_channels
    ):
        return
    latest: dt.datetime | None = None
    blocked_day: dt.date | None = None
    for zone in ctx.zones:
        day = t.astimezone(zone).date()
        if day not in ctx.holidays:
            continue
        blocked_day = blocked_day or day
        while day in ctx.holidays:
            day += _ONE_DAY
        # Blocked in this zone until its next ordinary day starts: a lower bound on
        # the earliest allowed time, so the engine never skips an opening.
        reopen = start_of_day(day, zone)
        if latest is None or reopen > latest:
            latest = reopen
    if latest is None:
        return
    out.append(
        Block(
            DEFER,
            "holiday_blackout",
            "holiday_blackout",
            until=latest,
            citation=pack.blackout_citation,
            params={
                "date": blocked_day.isoformat(),
                "calendar": pack.blackout_country
                + (
                    f"-{pack.blackout_subdivision}" if pack.blackout_subdivision else ""
                ),
            },
        )
    )
