"""The inputs every rule reads, and what a rule says when it blocks.

Rules are pure functions `rule(ctx, t, out)`: they read only the `Context` (pack,
proposal, restrictions, ledger events, time zones, holidays) and the time `t`, and
append a `Block` to `out` when contact at `t` is not allowed. A deferring block names
the earliest time at or after `t` the rule itself would allow (rules are monotone:
every instant between `t` and that time is blocked too), which is what lets the engine
find the next permitted time by fixed-point iteration (catalogue section 4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from compliance.packs import Pack

DEFER = "defer"
DENY = "deny"
REVIEW = "review"
# Not a block: a rule's note on an allowed contact, saying which exception let it
# through (prior consent, a reply to the customer); the decision's reasons carry it.
NOTE = "note"

# The channel of a contact point that each contact channel uses.
POINT_KIND_FOR_CHANNEL = {
    "call": "phone",
    "sms": "phone",
    "email": "email",
    "letter": "address",
    "visit": "address",
}


# Plain (unfrozen) slotted classes: a batch builds hundreds of thousands of them, and
# frozen dataclasses construct several times slower. Rules never mutate them.
@dataclass(slots=True)
class Point:
    """A contact point as the rules see it."""

    id: int | None
    kind: str  # phone | email | address
    value: str
    relationship: str = "self"
    is_primary: bool = False
    consent: bool = True
    opted_out_at: dt.datetime | None = None
    invalid_at: dt.datetime | None = None
    invalid_reason: str = ""
    refused_at: dt.datetime | None = None
    # mobile | home | work | "" (not known): where the customer is reached there.
    usage: str = ""

    @property
    def third_party(self) -> bool:
        return self.relationship != "self"


@dataclass(slots=True)
class Restriction:
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    channel: str = ""
    contact_point_id: int | None = None
    loan_id: int | None = None


@dataclass(slots=True)
class Consent:
    """A consumer's prior consent to calls (Reg F §1006.14(b)(3)(i)) as the rules see
    it: calls placed in [starts_at, ends_at) about its debt (any debt of the case when
    `loan_id` is None) are not counted, until the next conversation about that debt.
    `ends_at` is already the earlier of the stated end and a revocation."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    loan_id: int | None = None


@dataclass(slots=True)
class Preference:
    """A customer's own statement of an inconvenient time or place.

    kind: inconvenient_hours (weekday or every day, [start, end) local clock; an end
    of 00:00 is midnight), inconvenient_day (a whole weekday), not_at_work,
    not_at_home. In force in [starts_at, ends_at) (`ends_at` already the earlier of
    its stated end and a revocation)."""

    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    weekday: int | None = None
    start: dt.time | None = None
    end: dt.time | None = None


class Event(NamedTuple):
    """One allowed contact attempt from the ledger (blocked attempts never count).

    A named tuple: a batch reads some 150,000 of them, and tuples build fastest.
    """

    at: dt.datetime
    channel: str
    result: str
    contact_value: str = ""
    loan_id: int | None = None
    third_party: bool = False


@dataclass(slots=True)
class Context:
    """Everything the rules may read about one proposed contact."""

    pack: Pack
    channel: str
    purpose: str
    point: Point | None
    loan_id: int | None
    # Candidate zones of the person; the window must be open in all of them.
    zones: tuple[ZoneInfo, ...]
    # The person's own calendar: counting days and "start of day" use it.
    calendar_zone: ZoneInfo
    restrictions: Sequence[Restriction] = ()
    events: Sequence[Event] = ()
    own_phones: tuple[str, ...] = ()
    holidays: frozenset[dt.date] = frozenset()
    consents: Sequence[Consent] = ()
    preferences: Sequence[Preference] = ()
    # Each event's local date in calendar_zone, computed on first use.
    _event_dates: list[dt.date] | None = None

    @property
    def event_dates(self) -> list[dt.date]:
        if self._event_dates is None:
            zone = self.calendar_zone
            self._event_dates = [e.at.astimezone(zone).date() for e in self.events]
        return self._event_dates


@dataclass(slots=True)
class Block:
    kind: str  # defer | deny | review | note
    code: str  # stable reason code (DESIGN.md section 4)
    rule: str  # rule id within the pack, e.g. "contact_window"
    until: dt.datetime | None = None
    citation: str = ""
    variant: str = ""  # which explanation template
    params: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[Context, dt.datetime, list[Block]], None]


_MEMOS: dict[int, tuple[dt.datetime, dict]] = {}


def memo_for(t: dt.datetime) -> dict:
    """A scratch dict for results that depend on the instant `t` and other inputs.

    A batch evaluates thousands of proposals at the very same `t` object (and defers
    many to the same few instants). Hashing an aware datetime costs more than most
    rules, so memos are found by the object's identity; each entry holds `t` itself,
    so an id cannot be recycled while its memo lives.
    """
    entry = _MEMOS.get(id(t))
    if entry is not None and entry[0] is t:
        return entry[1]
    if len(_MEMOS) > 256:
        _MEMOS.clear()
    memo: dict = {}
    _MEMOS[id(t)] = (t, memo)
    return memo


def local_date(t: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar date of instant t in zone (memoised per instant)."""
    memo = memo_for(t)
    day = memo.get(zone)
    if day is None:
        day = memo[zone] = t.astimezone(zone).date()
    return day


def start_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """sod(d): local midnight of `day` in `zone` (catalogue section 3)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone)
