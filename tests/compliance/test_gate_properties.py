"""Properties of the compliance gate (issue 16, item 7), tested with hypothesis over
random customers, packs (cn, us, uk, with their parameters varied), contact points,
restrictions, ledgers, holidays, zones (held and stated), prior consents, the
customer's inconvenient times and places, and times around the DST changes:

(a) the next permitted time, when given, is itself allowed by a fresh check then;
(b) no allowed time lies between the proposal and the next permitted time;
(c) adding a restriction or an attempt never turns a block into an allow, nor brings
    the next permitted time forward;
(d) a check writes nothing.

Most examples run at the pure-function level (compliance.engine.evaluate over a
Context, as DESIGN's style rule 4 intends); a smaller number go through the
database-backed service (contact_evaluate / contact_evaluate_many).
"""

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance import models
from compliance.engine import evaluate
from compliance.packs import default_parameters
from compliance.rules.base import Consent, Event, Point, Preference, Restriction
from compliance.rules.contact_point import UNANSWERED
from compliance.services import ContactProposal, contact_evaluate, contact_evaluate_many
from compliance.vocabulary import (
    CHANNELS,
    COUNTABLE_RESULTS,
    PURPOSES,
    RESTRICTION_KINDS,
    THIRD_PARTY_ROLES,
)
from tests.cases.factories import ContactPointFactory, CustomerFactory
from tests.compliance.factories import (
    ContactAttemptFactory,
    ContactRestrictionFactory,
    rule_context,
)

UTC = dt.UTC
# Weeks around the US and UK DST changes (8 and 29 March, 1 November and 25 October
# 2026) and the turn of the year.
BASES = [
    dt.datetime(2026, 3, 6, tzinfo=UTC),
    dt.datetime(2026, 3, 27, tzinfo=UTC),
    dt.datetime(2026, 10, 23, tzinfo=UTC),
    dt.datetime(2026, 10, 30, tzinfo=UTC),
    dt.datetime(2026, 12, 28, tzinfo=UTC),
]
COUNTRY = {"cn": "CN", "us": "US", "uk": "GB"}
# Own numbers by pack: several zones in the us (NY, Chicago, Denver, LA, Honolulu,
# Anchorage) so that the intersection of candidate zones is exercised.
OWN_NUMBERS = {
    "cn": ["+8613800138000", "+8618600186000"],
    "us": [
        "+12125550100",
        "+13125550100",
        "+13035550100",
        "+12135550100",
        "+18085550100",
        "+19075550100",
    ],
    "uk": ["+442071234567", "+447700900123"],
}
THIRD_NUMBER = {"cn": "+8613900139000", "us": "+16175550100", "uk": "+447700900999"}
REGIONS = {
    "cn": ["", "SH", "GD"],
    "us": ["", "CA", "NY", "TX", "FL", "AZ", "IN", "HI", "AK"],
    "uk": ["", "ENG", "SCT"],
}
# A stated zone (the customer's own statement) now and then, and a zone on the
# bank's record (one location signal among the others).
STATED_ZONES = ["", "", "", "", "America/Chicago", "Asia/Tokyo", "Europe/London"]
HELD_ZONES = ["", "", "", "America/Los_Angeles", "America/New_York", "Asia/Shanghai"]
PREFERENCE_KINDS = ["inconvenient_hours", "inconvenient_hours", "inconvenient_day",
                    "not_at_work", "not_at_home"]  # fmt: skip


def _maybe_time(draw, base, *, low=-3 * 24, high=6 * 24, odds=4):
    """None, or (one time in `odds`) a time around `base`."""
    if draw(st.integers(0, odds - 1)):
        return None
    return base + dt.timedelta(hours=draw(st.integers(low, high)))


@st.composite
def pack_parameters(draw, code):
    """Changes laid over the shipped pack: buffers, weekdays, cooldowns, blackouts,
    horizons and tighter caps, each within what rule_pack_validate accepts."""
    params: dict = {}
    window = {}
    if draw(st.booleans()):
        window["last_dial_buffer_minutes"] = draw(st.sampled_from([0, 10, 30]))
    if draw(st.integers(0, 3)) == 0:
        window["days"] = sorted(draw(st.sets(st.integers(0, 6), min_size=1)))
    if window:
        params["contact_window"] = window
    if draw(st.integers(0, 2)) == 0:
        params["post_conversation_cooldown"] = {
            "enabled": True,
            "days": draw(st.integers(1, 7)),
        }
    if draw(st.booleans()):
        params["holiday_blackout"] = {"enabled": True}
    if draw(st.integers(0, 3)) == 0:
        params["horizon_days"] = draw(st.sampled_from([1, 3, 30]))
    if draw(st.integers(0, 2)) == 0:
        params["frequency_caps"] = [
            {**cap, "max": draw(st.integers(1, cap["max"]))}
            for cap in default_parameters(code)["frequency_caps"]
        ]
    return params


@st.composite
def points(draw, code, channel, base, own):
    """The contact point proposed: the customer's own (with its states), a third
    party's phone, or none at all."""
    choice = draw(st.sampled_from(["own"] * 5 + ["third", "third", "none"]))
    if choice == "none":
        return None
    if choice == "third" and channel in ("call", "sms"):
        return Point(
            id=2,
            kind="phone",
            value=THIRD_NUMBER[code],
            relationship=draw(st.sampled_from(THIRD_PARTY_ROLES)),
            refused_at=_maybe_time(draw, base),
        )
    kind = {"call": "phone", "sms": "phone", "email": "email"}.get(channel, "address")
    value = {"phone": own, "email": "a@example.com", "address": "1 Road"}[kind]
    return Point(
        id=1,
        kind=kind,
        value=value,
        is_primary=True,
        usage=draw(st.sampled_from(["", "", "mobile", "home", "work"])),
        consent=draw(st.integers(0, 9)) > 0,
        opted_out_at=_maybe_time(draw, base, odds=8),
        invalid_at=_maybe_time(draw, base, odds=8),
    )


@st.composite
def restrictions(draw, base):
    start = base + dt.timedelta(hours=draw(st.integers(-5 * 24, 8 * 24)))
    length = draw(st.one_of(st.none(), st.integers(1, 20 * 24)))
    return Restriction(
        kind=draw(st.sampled_from(RESTRICTION_KINDS)),
        starts_at=start,
        ends_at=None if length is None else start + dt.timedelta(hours=length),
        channel=draw(st.sampled_from(["", "", "call", "sms", "email", "letter"])),
        contact_point_id=draw(st.sampled_from([None, None, 1, 2])),
        loan_id=draw(st.sampled_from([None, None, 1, 2])),
    )


@st.composite
def preferences(draw, base):
    """What the customer said is inconvenient: hours (a weekday or every day), a
    whole day, not at work, not at home; in force from around `base`, maybe ending."""
    kind = draw(st.sampled_from(PREFERENCE_KINDS))
    start = base + dt.timedelta(hours=draw(st.integers(-5 * 24, 3 * 24)))
    length = draw(st.one_of(st.none(), st.integers(1, 10 * 24)))
    weekday = draw(st.one_of(st.none(), st.integers(0, 6)))
    hours = {}
    if kind == "inconvenient_hours":
        first = draw(st.integers(0, 23))
        last = draw(st.integers(first + 1, 24)) % 24
        hours = {"start": dt.time(first), "end": dt.time(last)}
    elif kind == "inconvenient_day":
        weekday = draw(st.integers(0, 6))
    return Preference(
        kind=kind,
        starts_at=start,
        ends_at=None if length is None else start + dt.timedelta(hours=length),
        weekday=weekday if kind in ("inconvenient_hours", "inconvenient_day") else None,
        **hours,
    )


@st.composite
def consents(draw, base):
    """ "Call me back then": a prior consent of up to seven days about one debt or
    the whole case."""
    start = base + dt.timedelta(hours=draw(st.integers(-4 * 24, 4 * 24)))
    return Consent(
        starts_at=start,
        ends_at=start + dt.timedelta(hours=draw(st.integers(1, 7 * 24))),
        loan_id=draw(st.sampled_from([None, 1, 2])),
    )


@st.composite
def events(draw, code, base, own_phones, day=None):
    """One ledger attempt; with `day`, within that day (a ledger dense enough to
    reach the caps)."""
    value = draw(st.sampled_from([*own_phones, own_phones[0], THIRD_NUMBER[code]]))
    if day is None:
        at = base + dt.timedelta(minutes=draw(st.integers(-9 * 24 * 60, 3 * 24 * 60)))
        channel = draw(st.sampled_from(["call", "call", "call", "sms", "email"]))
        result = draw(st.sampled_from(COUNTABLE_RESULTS))
    else:
        at = base + dt.timedelta(days=day, minutes=draw(st.integers(0, 24 * 60 - 1)))
        channel = "call"
        result = draw(st.sampled_from(["no_answer", "voicemail", "pending",
                                       "conversation", "not_connected"]))  # fmt: skip
    return Event(
        at=at,
        channel=channel,
        result=result,
        contact_value=value,
        loan_id=draw(st.sampled_from([None, 1, 2])),
        third_party=value == THIRD_NUMBER[code],
    )


@st.composite
def scenarios(draw):
    """A Context and a proposed time."""
    code = draw(st.sampled_from(["cn", "us", "uk"]))
    base = draw(st.sampled_from(BASES))
    channel = draw(st.sampled_from(CHANNELS))
    # Half the time a busy day in the ledger, and the proposal near it.
    busy = draw(st.integers(-1, 3))
    busy_size = draw(st.sampled_from([0, 10]))
    own_phones = tuple(
        draw(
            st.lists(
                st.sampled_from(OWN_NUMBERS[code]), min_size=1, max_size=2, unique=True
            )
        )
    )
    point = draw(points(code, channel, base, own_phones[0]))
    holidays = draw(
        st.frozensets(
            st.integers(-2, 12).map(lambda d: (base + dt.timedelta(days=d)).date()),
            max_size=4,
        )
    )
    ctx = rule_context(
        code,
        channel=channel,
        purpose=draw(st.sampled_from(PURPOSES)),
        point=point,
        loan_id=draw(st.sampled_from([None, 1, 2])),
        country=COUNTRY[code],
        region=draw(st.sampled_from(REGIONS[code])),
        time_zone=draw(st.sampled_from(HELD_ZONES)),
        stated_time_zone=draw(st.sampled_from(STATED_ZONES)),
        restrictions=draw(st.lists(restrictions(base), max_size=3)),
        consents=draw(st.lists(consents(base), max_size=1)),
        preferences=draw(st.lists(preferences(base), max_size=2)),
        events=draw(st.lists(events(code, base, own_phones), max_size=12))
        + draw(st.lists(events(code, base, own_phones, day=busy), max_size=busy_size)),
        own_phones=own_phones,
        holidays=holidays,
        **draw(pack_parameters(code)),
    )
    first = busy * 24 * 60 if busy_size and busy >= 0 else 0
    at = base + dt.timedelta(
        minutes=draw(
            st.integers(first, first + 2 * 24 * 60)
            if busy_size
            else st.integers(0, 10 * 24 * 60)
        ),
        seconds=draw(st.integers(0, 59)),
        microseconds=draw(st.sampled_from([0, 0, 1, 500_000, 999_999])),
    )
    return ctx, at, base


def with_(ctx, **changes):
    """A copy of the context with some inputs changed (its caches cleared)."""
    return dataclasses.replace(ctx, _event_dates=None, **changes)


PURE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- (a) and (b) ---------------------------------------------------------------------


@PURE
@given(scenarios())
def test_the_next_permitted_time_when_given_is_allowed_by_a_fresh_check(scenario):
    ctx, at, _ = scenario
    decision = evaluate(ctx, at)
    # Instants are compared: Python's == says False for an ambiguous local time (the
    # hour repeated when DST ends) against any other zone, even for the same instant.
    if decision.allowed:
        assert decision.next_permitted_at.timestamp() == at.timestamp()
    if decision.next_permitted_at is not None:
        again = evaluate(with_(ctx), decision.next_permitted_at)
        assert again.allowed, again.to_dict()
        assert (
            again.next_permitted_at.timestamp()
            == decision.next_permitted_at.timestamp()
        )


@PURE
@given(
    scenarios(),
    st.lists(
        st.floats(min_value=0, max_value=1, exclude_max=True), min_size=1, max_size=6
    ),
)
def test_no_time_between_the_proposal_and_the_next_permitted_time_is_allowed(
    scenario, fractions
):
    ctx, at, _ = scenario
    decision = evaluate(ctx, at)
    if decision.allowed or decision.next_permitted_at is None:
        return
    nxt = decision.next_permitted_at
    span = nxt - at
    # timedelta arithmetic rounds to microseconds: keep strictly before `nxt`.
    samples = [
        min(at + span * f, nxt - dt.timedelta(microseconds=1)) for f in fractions
    ]
    samples.append(nxt - dt.timedelta(microseconds=1))
    for t in samples:
        between = evaluate(with_(ctx), t)
        assert not between.allowed, (t, between.to_dict())
        # And each of them points at the same first opening.
        assert between.next_permitted_at.timestamp() == nxt.timestamp(), (
            t,
            between.to_dict(),
        )


# --- (c) ---------------------------------------------------------------------------


def _opens_third_party_contact(ctx, *, restriction=None, event=None) -> bool:
    """The two inputs the regulations make *preconditions* of contacting a third
    party, so that adding them may lift a third-party block (not a defect):
    - cn: a contact person may be contacted when the debtor is deceased (GB/T 2025;
      CBA 2026), so a `deceased` restriction lifts the "debtor reachable" block;
    - cn: 失联 (unreachable) is established by failed calls to every own phone, so an
      unanswered call to an own phone may lift it too.
    Neither applies to contacting the debtor."""
    point = ctx.point
    if point is None or not point.third_party:
        return False
    if restriction is not None:
        return restriction.kind == "deceased"
    return (
        event.channel == "call"
        and event.result in UNANSWERED
        and not event.third_party
        and event.contact_value in ctx.own_phones
    )


def _assert_no_earlier(before, after):
    if before.allowed:
        return
    assert not after.allowed, after.to_dict()
    if after.next_permitted_at is not None:
        assert before.next_permitted_at is not None, (before.to_dict(), after.to_dict())
        assert after.next_permitted_at >= before.next_permitted_at


@PURE
@given(scenarios(), st.data())
def test_adding_a_restriction_never_turns_a_block_into_an_allow(scenario, data):
    ctx, at, base = scenario
    extra = data.draw(restrictions(base))
    if _opens_third_party_contact(ctx, restriction=extra):
        return
    before = evaluate(ctx, at)
    after = evaluate(with_(ctx, restrictions=[*ctx.restrictions, extra]), at)
    _assert_no_earlier(before, after)


@PURE
@given(scenarios(), st.data())
def test_adding_an_attempt_never_turns_a_block_into_an_allow(scenario, data):
    ctx, at, base = scenario
    extra = data.draw(events(ctx.pack.code, base, ctx.own_phones))
    if _opens_third_party_contact(ctx, event=extra):
        return
    before = evaluate(ctx, at)
    after = evaluate(with_(ctx, events=[*ctx.events, extra]), at)
    _assert_no_earlier(before, after)


def test_a_deceased_debtor_opens_the_cn_contact_person_as_the_standard_says():
    # The documented exception to (c): GB/T 2025 lets a contact person be asked
    # about a deceased debtor's estate, so this block lifts on purpose.
    contact = Point(id=2, kind="phone", value=THIRD_NUMBER["cn"],
                    relationship="emergency_contact")  # fmt: skip
    at = dt.datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    ctx = rule_context("cn", point=contact, purpose="location")
    assert evaluate(ctx, at).codes == ["third_party_contact"]
    deceased = Restriction("deceased", at - dt.timedelta(days=1))
    assert evaluate(with_(ctx, restrictions=[deceased]), at).allowed


# --- the same properties through the database-backed service ------------------------


@st.composite
def stored_customers(draw):
    """A customer as rows: points, restrictions and ledger attempts (factories)."""
    code = draw(st.sampled_from(["cn", "us", "uk"]))
    base = draw(st.sampled_from(BASES))
    customer = CustomerFactory(
        country=COUNTRY[code],
        region=draw(st.sampled_from(REGIONS[code])),
        time_zone=draw(st.sampled_from(STATED_ZONES)),
    )
    own = draw(st.sampled_from(OWN_NUMBERS[code]))
    phone = ContactPointFactory(customer=customer, value=own)
    ContactPointFactory(customer=customer, channel="email", value="a@example.com")
    ContactPointFactory(customer=customer, channel="address", value="1 Road")
    contact = ContactPointFactory(
        customer=customer,
        value=THIRD_NUMBER[code],
        relationship=draw(st.sampled_from(THIRD_PARTY_ROLES)),
        is_primary=False,
    )
    for r in draw(st.lists(restrictions(base), max_size=2)):
        ContactRestrictionFactory(
            customer=customer,
            kind=r.kind,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            channel=r.channel,
            contact_point=phone if r.contact_point_id == 1 else None,
        )
    for e in draw(st.lists(events(code, base, (own,)), max_size=10)):
        ContactAttemptFactory(
            customer=customer,
            contact_point=contact if e.third_party else phone,
            channel=e.channel if e.channel != "email" else "call",
            result=e.result,
            at=e.at,
        )
    channel = draw(st.sampled_from(CHANNELS))
    # The point as the sweep gives it (none: the primary), as an object, or as its
    # full value; now and then the third party's phone.
    if channel in ("call", "sms"):
        point = draw(st.sampled_from([None, None, phone, own, contact]))
    else:
        point = None
    at = base + dt.timedelta(minutes=draw(st.integers(0, 10 * 24 * 60)))
    return customer, channel, point, at, base


DB = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)

LEDGER_MODELS = [
    models.ContactAttempt,
    models.Decision,
    models.ContactRestriction,
    models.RulePack,
    models.HolidayOverride,
]


def _row_counts():
    counts = {m.__name__: m.objects.count() for m in LEDGER_MODELS}
    for m in LEDGER_MODELS:
        history = getattr(m, "history", None)
        if history is not None:
            counts[f"Historical{m.__name__}"] = history.model.objects.count()
    return counts


def _check(customer, channel, point, at):
    return contact_evaluate(
        customer=customer,
        channel=channel,
        contact_point=point,
        at=at,
        purpose="location" if _is_third(point) else "collection",
    )


def _is_third(point) -> bool:
    return point is not None and not isinstance(point, str) and point.is_third_party


@pytest.mark.django_db
@DB
@given(stored_customers(), st.floats(min_value=0, max_value=1, exclude_max=True))
def test_through_the_service_next_times_hold_and_checks_write_nothing(stored, fraction):
    customer, channel, point, at, base = stored
    before = _row_counts()
    with CaptureQueriesContext(connection) as queries:
        decision = _check(customer, channel, point, at)
        if decision.next_permitted_at is not None:
            # (a) a fresh check at the next permitted time allows it.
            again = _check(customer, channel, point, decision.next_permitted_at)
            assert again.allowed, (decision.to_dict(), again.to_dict())
            if not decision.allowed:
                # (b) a time in between is not allowed.
                span = decision.next_permitted_at - at
                t = min(
                    at + span * fraction,
                    decision.next_permitted_at - dt.timedelta(microseconds=1),
                )
                assert not _check(customer, channel, point, t).allowed
    # (d) nothing written: no statement but reads, and the same row counts.
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper()
        in ("INSERT", "UPDATE", "DELETE", "REPLACE")
    ]
    assert writes == []
    assert _row_counts() == before


@pytest.mark.django_db
@DB
@given(stored_customers(), st.data())
def test_through_the_service_a_new_restriction_never_lifts_a_block(stored, data):
    customer, channel, point, at, base = stored
    decision = _check(customer, channel, point, at)
    extra = data.draw(restrictions(base))
    if _is_third(point) and extra.kind == "deceased":
        return  # the documented cn exception (see _opens_third_party_contact)
    ContactRestrictionFactory(
        customer=customer,
        kind=extra.kind,
        starts_at=extra.starts_at,
        ends_at=extra.ends_at,
        channel=extra.channel,
    )
    _assert_no_earlier(decision, _check(customer, channel, point, at))


@pytest.mark.django_db
@settings(parent=DB, max_examples=10)
@given(st.lists(stored_customers(), min_size=2, max_size=4))
def test_a_batch_writes_nothing_and_agrees_with_single_checks(stored):
    before = _row_counts()
    proposals = [
        ContactProposal(
            customer=c,
            channel=ch,
            contact_point=p,
            at=at,
            purpose="location" if _is_third(p) else "collection",
        )
        for c, ch, p, at, _ in stored
    ]
    with CaptureQueriesContext(connection) as queries:
        batch = contact_evaluate_many(proposals)
    assert not [
        q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith(
            ("SELECT", "WITH", "SAVEPOINT", "RELEASE")
        )
    ]  # fmt: skip
    assert _row_counts() == before
    for decision, (c, ch, p, at, _) in zip(batch, stored, strict=True):
        assert decision.to_dict() == _check(c, ch, p, at).to_dict()
