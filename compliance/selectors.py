"""Reads for the compliance gate: rule packs, and the ledger, restrictions and contact
points of many customers at once, turned into the pure inputs the rules read.

Every read here is one query for any number of customers (chunked only to respect the
database's bind-parameter limit), so a batch of thousands of proposals costs the same
handful of queries as a single check.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays as holidays_lib
from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

from core.crypto import decrypt

from .models import ContactAttempt, RulePack
from .packs import DEFAULT_PACKS, Pack, default_parameters, pack_from_row
from .rules.base import (
    POINT_KIND_FOR_CHANNEL,
    Consent,
    Context,
    Event,
    Point,
    Preference,
    Restriction,
)
from .rules.zones import candidate_zones, person_phones

COUNTRY_PACKS = {"CN": "cn", "US": "us", "GB": "uk"}


def rule_pack_code_for(country: str) -> str:
    """cn, us or uk by the customer's country; else settings.DEFAULT_RULE_PACK."""
    return COUNTRY_PACKS.get((country or "").upper(), settings.DEFAULT_RULE_PACK)


def pack_code_resolver():
    """`rule_pack_code_for` with the setting read once, for loops over a batch."""
    default = settings.DEFAULT_RULE_PACK
    get = COUNTRY_PACKS.get

    def resolve(country: str) -> str:
        return get(country.upper() if country else "", default)

    return resolve


def _compile_row(row: RulePack) -> Pack:
    return pack_from_row(code=row.code, version=row.version, parameters=row.parameters)


def _default_row(code: str) -> RulePack:
    # No row installed (a database built without migration 0002): the shipped
    # defaults, as version 0 so a decision shows it came from no saved pack.
    spec = DEFAULT_PACKS[code]
    return RulePack(
        code=code, name=spec["name"], version=0, parameters=default_parameters(code)
    )


_LOOKBACK: dict[str, dt.timedelta] = {}


def lookback_hint(code: str) -> dt.timedelta:
    """How far back the pack counted last time it was compiled here (its shipped
    defaults before that)."""
    hint = _LOOKBACK.get(code)
    if hint is None:
        hint = _LOOKBACK[code] = _compile_row(_default_row(code)).lookback
    return hint


def rule_pack_row(code: str) -> RulePack:
    row = RulePack.objects.filter(code=code).first()
    return row if row is not None else _default_row(code)


def rule_packs_compiled(codes: Iterable[str]) -> dict[str, Pack]:
    """Compiled packs by code, one query for all of them."""
    wanted = set(codes)
    rows = {r.code: r for r in RulePack.objects.filter(code__in=wanted)}
    return {
        code: _compile_row(rows[code] if code in rows else _default_row(code))
        for code in wanted
    }


# --- customers' inputs -------------------------------------------------------------


@dataclass(slots=True)
class CustomerInputs:
    points: list[Point] = field(default_factory=list)
    restrictions: list[Restriction] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    preferences: list[Preference] = field(default_factory=list)


def _chunks(ids: list[int], *, per_chunk: int = 1) -> Iterable[list[int]]:
    if connection.vendor == "postgresql":
        # One array parameter, whatever the batch size.
        if ids:
            yield ids
        return
    # SQLite binds each id; `per_chunk` is how often the id list appears.
    limit = connection.features.max_query_params or 999
    size = max(100, min(limit // per_chunk - 20, 20000))
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


# A large batch whose ids fill most of their range is read by range: PostgreSQL plans
# `= ANY(array)` element by element (about 0.1 s per branch for 50,000 ids) and then
# prefers the foreign-key index, while a range is one index-only scan of
# attempt_gate_read_idx (measured 4x faster); rows of customers outside the batch are
# dropped in Python.
_RANGE_MIN_IDS = 1000
_RANGE_MIN_DENSITY = 0.5


def _range_mode(chunk: list[int]) -> bool:
    return (
        connection.vendor == "postgresql"
        and len(chunk) >= _RANGE_MIN_IDS
        and len(chunk) >= _RANGE_MIN_DENSITY * (chunk[-1] - chunk[0] + 1)
    )


def _customer_clause(chunk: list[int]) -> tuple[str, list]:
    if _range_mode(chunk):
        return "customer_id BETWEEN %s AND %s", [chunk[0], chunk[-1]]
    if connection.vendor == "postgresql":
        # `= ANY(array)` binds one parameter; `IN (...)` would bind 50,000.
        return "customer_id = ANY(%s)", [chunk]
    return f"customer_id IN ({', '.join(['%s'] * len(chunk))})", list(chunk)


def _ts(value) -> dt.datetime | None:
    """Aware UTC datetime from a row value (SQLite hands back naive or text values
    for expressions in a UNION; PostgreSQL aware datetimes)."""
    if value is None or isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# The gate's whole read is one statement: contact points, restrictions, ledger events,
# the rule packs and holiday overrides, as one UNION ALL with a common row shape
# (src, customer, i1, i2, s1..s4, b1, b2, t1..t3, s5). A single check is latency-bound:
# one round trip instead of five, and no ORM query compilation (both measured with
# bench/compliance_bench.py). The tables and columns are the models' own.
_PARTS = {
    "points": """
        SELECT 0 AS src, customer_id, id AS i1, CAST(NULL AS bigint) AS i2,
               channel AS s1, value AS s2, relationship AS s3, invalid_reason AS s4,
               is_primary AS b1, consent AS b2,
               opted_out_at AS t1, invalid_at AS t2, refused_at AS t3,
               usage AS s5
        FROM cases_contactpoint WHERE {customers}""",
    "restrictions": """
        SELECT 1, customer_id, contact_point_id, loan_id, kind, channel, NULL, NULL,
               NULL, NULL, starts_at, ends_at, NULL, NULL
        FROM compliance_contactrestriction
        WHERE {customers} AND (ends_at IS NULL OR ends_at > %s)""",
    # Served by attempt_gate_read_idx (customer, at) WHERE allowed; the older
    # third-party contacts ("once per third party" counts them at any age) by
    # attempt_third_party_idx.
    # The ORDER BY matches the index, which steers PostgreSQL's planner to it
    # rather than to the foreign-key index plus a filter (measured twice as slow).
    "events": """
        SELECT * FROM (
            SELECT 2, customer_id, loan_id, CAST(NULL AS bigint), channel, result,
                   contact_value, CAST(NULL AS varchar(100)), third_party,
                   CAST(NULL AS boolean), at, CAST(NULL AS {timestamp}),
                   CAST(NULL AS {timestamp}), CAST(NULL AS varchar(10))
            FROM compliance_contactattempt
            WHERE {customers} AND allowed AND at >= %s
            ORDER BY customer_id, at
        ) AS recent""",
    "old_third_party": """
        SELECT 2, customer_id, loan_id, NULL, channel, result, contact_value, NULL,
               third_party, NULL, at, NULL, NULL, NULL
        FROM compliance_contactattempt
        WHERE {customers} AND allowed AND third_party AND at < %s""",
    "packs": """
        SELECT 3, NULL, version, NULL, code, CAST(parameters AS text), NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, NULL
        FROM compliance_rulepack WHERE code IN ({codes})""",
    "holidays": """
        SELECT 4, NULL, NULL, NULL, country, CAST(date AS text), NULL, NULL,
               is_holiday, NULL, NULL, NULL, NULL, NULL
        FROM compliance_holidayoverride WHERE date >= %s AND date <= %s""",
    # Prior consents and customer-stated times and places still in force at or
    # after `since` (served by prior_consent_gate_idx and preference_gate_idx).
    "consents": """
        SELECT 5, customer_id, loan_id, id, NULL, NULL, NULL, NULL, NULL, NULL,
               starts_at, ends_at, revoked_at, NULL
        FROM compliance_priorconsent
        WHERE {customers} AND ends_at > %s
              AND (revoked_at IS NULL OR revoked_at > %s)""",
    "preferences": """
        SELECT 6, customer_id, weekday, id, kind, CAST(start_time AS varchar(15)),
               CAST(end_time AS varchar(15)), NULL, NULL, NULL,
               starts_at, ends_at, revoked_at, NULL
        FROM compliance_contactpreference
        WHERE {customers} AND kind <> 'preferred_channel'
              AND (ends_at IS NULL OR ends_at > %s)
              AND (revoked_at IS NULL OR revoked_at > %s)""",
}


def _clock(value) -> dt.time | None:
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(str(value)[:8])


def _preference_order(p: Preference) -> tuple:
    return (p.starts_at, p.kind, -1 if p.weekday is None else p.weekday)


class _Plain(dict):
    """stored value -> plain text, decrypted on first use."""

    def __missing__(self, stored):
        text = self[stored] = decrypt(stored) or ""
        return text


def _restriction_order(r: Restriction) -> tuple:
    return (r.starts_at, r.kind, r.channel, r.contact_point_id or 0, r.loan_id or 0)


def _TIMESTAMP() -> str:  # noqa: N802 - a constant per database
    return (
        "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    )


@dataclass(slots=True)
class GateInputs:
    packs: dict[str, Pack]
    customers: dict[int, CustomerInputs]
    holidays: dict


def gate_inputs(
    *,
    customer_ids: Iterable[int],
    pack_codes: Iterable[str],
    since: dt.datetime,
    until: dt.datetime,
) -> GateInputs:
    """Everything the rules read for these customers, in one query (one per chunk of
    customers where the database limits bind parameters).

    Restrictions still in force at or after `since`; allowed ledger events since
    `since` (and every third-party contact); the packs by code; holiday overrides up
    to `until`.
    """
    ids = sorted(set(customer_ids))
    codes = sorted(set(pack_codes))
    customers: dict[int, CustomerInputs] = defaultdict(CustomerInputs)
    rows_by_code: dict[str, tuple] = {}
    overrides: list[tuple[str, dt.date, bool]] = []
    ops = connection.ops
    since_db = ops.adapt_datetimefield_value(since)
    first_day = ops.adapt_datefield_value(since.date() - dt.timedelta(days=1))
    last_day = ops.adapt_datefield_value(until.date() + dt.timedelta(days=1))
    chunks = list(_chunks(ids, per_chunk=4)) or [[]]
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for n, chunk in enumerate(chunks):
            parts: list[str] = []
            params: list = []
            if chunk:
                clause, ids_params = _customer_clause(chunk)
                parts += [
                    _PARTS["points"].format(customers=clause),
                    _PARTS["restrictions"].format(customers=clause),
                    _PARTS["events"].format(customers=clause, timestamp=_TIMESTAMP()),
                    _PARTS["old_third_party"].format(customers=clause),
                    _PARTS["consents"].format(customers=clause),
                    _PARTS["preferences"].format(customers=clause),
                ]
                params += [*ids_params, *ids_params, since_db]
                params += [*ids_params, since_db, *ids_params, since_db]
                params += [*ids_params, since_db, since_db]
                params += [*ids_params, since_db, since_db]
            if n == 0:
                parts.append(
                    _PARTS["packs"].format(codes=", ".join(["%s"] * len(codes)))
                )
                parts.append(_PARTS["holidays"])
                params += [*codes, first_day, last_day]
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
            if chunk and _range_mode(chunk):
                wanted = set(chunk)
                rows = [r for r in rows if r[1] in wanted or r[1] is None]
            others = []
            # Contact values are ciphertext (core.crypto): decrypted once per
            # distinct stored value (the sweep copies a point's ciphertext into its
            # attempts, so most repeat).
            plain = _Plain()
            # Events are most of the rows: built straight from the row, converted
            # only where SQLite hands back naive or text values.
            for r in rows:
                if r[0] != 2:
                    others.append(r)
                elif pg:
                    customers[r[1]].events.append(
                        Event(r[10], r[4], r[5], plain[r[6]], r[2], r[8])
                    )
                else:
                    customers[r[1]].events.append(
                        Event(_ts(r[10]), r[4], r[5], plain[r[6]], r[2], bool(r[8]))
                    )
            for src, cid, i1, i2, s1, s2, s3, s4, b1, b2, t1, t2, t3, s5 in others:
                if src == 0:
                    customers[cid].points.append(
                        Point(
                            i1, s1, plain[s2], s3, bool(b1), bool(b2), _ts(t1),
                            _ts(t2), s4, _ts(t3), s5 or "",
                        )
                    )  # fmt: skip
                elif src == 5:
                    ends, revoked = _ts(t2), _ts(t3)
                    customers[cid].consents.append(
                        Consent(_ts(t1), min(ends, revoked) if revoked else ends, i1)
                    )
                elif src == 6:
                    ends, revoked = _ts(t2), _ts(t3)
                    if revoked is not None and (ends is None or revoked < ends):
                        ends = revoked
                    customers[cid].preferences.append(
                        Preference(s1, _ts(t1), ends, i1, _clock(s2), _clock(s3))
                    )
                elif src == 1:
                    customers[cid].restrictions.append(
                        Restriction(s1, _ts(t1), _ts(t2), s2, i1, i2)
                    )
                elif src == 3:
                    rows_by_code[s1] = (i1, s2)
                else:
                    overrides.append((s1, dt.date.fromisoformat(s2[:10]), bool(b1)))
    for inputs in customers.values():
        if len(inputs.restrictions) > 1:
            # Row order is the database's whim; reasons must not depend on it.
            inputs.restrictions.sort(key=_restriction_order)
        if len(inputs.preferences) > 1:
            inputs.preferences.sort(key=_preference_order)
    packs = {}
    for code in codes:
        if code in rows_by_code:
            version, parameters = rows_by_code[code]
            packs[code] = pack_from_row(
                code=code, version=version, parameters=parameters
            )
        else:
            packs[code] = _compile_row(_default_row(code))
        _LOOKBACK[code] = packs[code].lookback
    holidays = holiday_dates(
        packs.values(), start=since.date(), end=until.date(), overrides=overrides
    )
    return GateInputs(packs=packs, customers=customers, holidays=holidays)


# --- holidays -----------------------------------------------------------------------

_HOLIDAY_YEARS: dict[tuple[str, str, int], frozenset[dt.date]] = {}


def _holiday_year(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    key = (country, subdivision, year)
    dates = _HOLIDAY_YEARS.get(key)
    if dates is None:
        calendar = holidays_lib.country_holidays(
            country, subdiv=subdivision or None, years=year
        )
        dates = frozenset(calendar.keys())
        _HOLIDAY_YEARS[key] = dates
    return dates


def holiday_dates(
    packs: Iterable[Pack],
    *,
    start: dt.date,
    end: dt.date,
    overrides: Iterable[tuple[str, dt.date, bool]] = (),
) -> dict:
    """Holiday dates per (country, subdivision) around [start, end] for the packs that
    black out holidays (the `holidays` package), corrected by HolidayOverride rows."""
    calendars = {
        (p.blackout_country, p.blackout_subdivision)
        for p in packs
        if p.blackout_enabled
    }
    if not calendars:
        return {}
    by_country: dict[str, list[tuple[dt.date, bool]]] = defaultdict(list)
    for country, day, is_holiday in overrides:
        by_country[country].append((day, is_holiday))
    result = {}
    for country, subdivision in calendars:
        dates: set[dt.date] = set()
        for year in range(start.year - 1, end.year + 2):
            dates |= _holiday_year(country, subdivision, year)
        for day, is_holiday in by_country.get(country, ()):
            if is_holiday:
                dates.add(day)
            else:
                dates.discard(day)
        result[(country, subdivision)] = frozenset(dates)
    return result


# --- contexts -----------------------------------------------------------------------


def _point_sort_key(point: Point) -> tuple:
    # A usable primary first, then other usable points, invalid ones last.
    return (point.invalid_at is not None, not point.is_primary, point.id or 0)


def default_point(points: list[Point], channel: str) -> Point | None:
    kind = POINT_KIND_FOR_CHANNEL[channel]
    own = [p for p in points if p.kind == kind and not p.third_party]
    return min(own, key=_point_sort_key) if own else None


def build_context(
    *,
    pack: Pack,
    customer,
    channel: str,
    purpose: str,
    point: Point | None,
    loan_id: int | None,
    inputs: CustomerInputs,
    holidays: dict,
) -> Context:
    zones = candidate_zones(
        stated=customer.stated_time_zone,
        held=customer.time_zone,
        country=customer.country,
        region=customer.region,
        # Every own number is a location signal where the pack intersects them.
        phones=person_phones(inputs.points, point) if pack.window_intersection else (),
        fallback=pack.zone.key,
        intersection=pack.window_intersection,
    )
    return Context(
        pack=pack,
        channel=channel,
        purpose=purpose,
        point=point,
        loan_id=loan_id,
        zones=zones,
        calendar_zone=zones[0],
        restrictions=inputs.restrictions,
        events=inputs.events,
        consents=inputs.consents,
        preferences=inputs.preferences,
        own_phones=tuple(
            p.value
            for p in inputs.points
            if p.kind == "phone" and not p.third_party and p.invalid_at is None
        ),
        holidays=holidays.get((pack.blackout_country, pack.blackout_subdivision))
        or frozenset(),
    )


def decisions_for_customer(*, customer, limit: int = 50):
    """The customer's latest decisions, newest first (for case pages and the API)."""
    from .models import Decision

    return Decision.objects.filter(customer=customer).select_related(
        "contact_point", "actor"
    )[:limit]


def contact_attempts_for_customer(*, customer, since: dt.datetime | None = None):
    qs = ContactAttempt.objects.filter(customer=customer).select_related(
        "contact_point", "decision"
    )
    if since is not None:
        qs = qs.filter(at__gte=since)
    return qs


def customer_statements_in_force(*, customer, now: dt.datetime):
    """The customer's stated inconvenient times and places in force or to come, and
    their prior consents not yet over (for the case page): two bounded queries."""
    from django.db.models import Q

    from .models import ContactPreference, PriorConsent

    open_ = Q(revoked_at__isnull=True)
    preferences = list(
        ContactPreference.objects.filter(customer=customer)
        .filter(open_ & (Q(ends_at__isnull=True) | Q(ends_at__gt=now)))
        .order_by("kind", "weekday", "start_time")[:50]
    )
    consents = list(
        PriorConsent.objects.filter(customer=customer, ends_at__gt=now)
        .filter(open_)
        .select_related("loan")
        .order_by("starts_at")[:20]
    )
    return preferences, consents
