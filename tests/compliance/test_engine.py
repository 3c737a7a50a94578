"""The engine: decision shape, the catalogue's worked examples, and properties of the
next permitted time (hypothesis)."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.engine import evaluate
from compliance.reasons import REASON_CODES, TEMPLATES
from compliance.rules.base import Event, Restriction
from tests.compliance.factories import OWN_PHONE, call, own_point, rule_context

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
LON = ZoneInfo("Europe/London")


def test_decision_has_exactly_the_design_shape():
    decision = evaluate(rule_context("cn"), dt.datetime(2026, 3, 10, 23, 0, tzinfo=SH))
    body = decision.to_dict()
    assert set(body) == {
        "allowed",
        "outcome",
        "reasons",
        "conditions",
        "next_permitted_at",
        "rule_pack",
        "rule_pack_version",
    }
    assert body["next_permitted_at"] == "2026-03-11T08:00:00+08:00"
    [reason] = body["reasons"]
    assert set(reason) == {"code", "rule", "message", "message_zh", "citation"}
    assert reason["rule"] == "cn.contact_window"
    assert "22:00-08:00" in reason["citation"] or "CBA 2026" in reason["citation"]
    assert reason["message_zh"].startswith("拦截")


def test_allowed_call_in_cn_carries_recording_and_identity_conditions():
    decision = evaluate(rule_context("cn"), dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    assert decision.to_dict()["outcome"] == "allow_with_conditions"
    assert decision.conditions == ["record_call", "verify_identity_before_disclosure"]
    assert decision.next_permitted_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


def test_us_texts_must_carry_an_opt_out():
    ctx = rule_context("us", channel="sms", stated_time_zone="America/New_York")
    decision = evaluate(ctx, dt.datetime(2026, 3, 10, 10, 0, tzinfo=NY))
    assert decision.conditions == ["include_opt_out"]


def test_a_cn_letter_has_no_conditions():
    decision = evaluate(
        rule_context("cn", channel="letter"), dt.datetime(2026, 3, 10, 10, tzinfo=SH)
    )
    assert decision.outcome == "allow"
    assert decision.conditions == []


def test_every_reason_code_has_english_and_chinese_text():
    for code in REASON_CODES:
        assert (code, "") in TEMPLATES or any(k[0] == code for k in TEMPLATES), code


# --- worked examples (catalogue section 4) ---------------------------------------


def test_worked_example_1_us_window_cap_and_cooldown_meet_on_monday_16_march():
    # Mobile area code ET, address PT; now Tue 10 Mar 09:30 ET; debt A (loan 1).
    number = "+12125550100"

    def placed(day, result="no_answer", hour=12):
        return call(
            dt.datetime(2026, 3, day, hour, tzinfo=NY), result, value=number, loan_id=1
        )

    events = [placed(d) for d in (4, 5, 6, 7, 8, 9)] + [placed(9, "conversation", 15)]
    ctx = rule_context(
        "us", region="CA", point=own_point(number), loan_id=1, events=events
    )
    decision = evaluate(ctx, dt.datetime(2026, 3, 10, 9, 30, tzinfo=NY))
    assert decision.outcome == "defer"
    assert decision.next_permitted_at == dt.datetime(2026, 3, 16, 11, 0, tzinfo=NY)
    assert decision.next_permitted_at == dt.datetime(2026, 3, 16, 8, 0, tzinfo=LA)
    assert set(decision.codes) == {
        "contact_window",
        "frequency_cap",
        "post_conversation_cooldown",
    }
    # Shown in the customer's own calendar zone (the address).
    assert decision.to_dict()["next_permitted_at"] == "2026-03-16T08:00:00-07:00"


def test_worked_example_2_cn_late_evening_mobile_landline_email_and_contacts():
    mobile, landline = OWN_PHONE, "+862155550100"
    buffer = {"contact_window": {"last_dial_buffer_minutes": 10}}
    now = dt.datetime(2026, 3, 10, 21, 52, tzinfo=SH)
    tomorrow_8 = dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)
    six_unanswered = [
        call(dt.datetime(2026, 3, 10, 9 + i, tzinfo=SH), "no_answer", value=mobile)
        for i in range(6)
    ]
    # The 10-minute last-dial buffer: next 08:00; the mobile is also capped today.
    ctx = rule_context("cn", point=own_point(mobile), events=six_unanswered, **buffer)
    decision = evaluate(ctx, now)
    assert decision.next_permitted_at == tomorrow_8
    assert decision.codes == ["contact_window", "frequency_cap"]
    # The landline is still available inside the window, the email at any time.
    landline_ctx = rule_context(
        "cn", point=own_point(landline, id=3), events=six_unanswered, **buffer
    )
    assert evaluate(landline_ctx, dt.datetime(2026, 3, 10, 21, 40, tzinfo=SH)).allowed
    email_ctx = rule_context("cn", channel="email", events=six_unanswered, **buffer)
    assert evaluate(email_ctx, now).allowed
    # Three effective conversations today (bank 2 + agency 1) stop all voice contact.
    conversations = [
        call(dt.datetime(2026, 3, 10, 10, tzinfo=SH), "conversation", value=mobile),
        call(dt.datetime(2026, 3, 10, 11, tzinfo=SH), "conversation", value=landline),
        call(dt.datetime(2026, 3, 10, 12, tzinfo=SH), "conversation", value=mobile),
    ]
    landline_ctx.events = conversations
    decision = evaluate(
        fresh(landline_ctx), dt.datetime(2026, 3, 10, 21, 40, tzinfo=SH)
    )
    assert decision.next_permitted_at == tomorrow_8
    assert decision.reasons[0]["rule"] == "cn.frequency_cap.conversations_per_debtor"
    # The emergency contact: only if the debtor is unreachable, and never the debt.
    from tests.compliance.factories import third_party_point

    contact = rule_context(
        "cn",
        point=third_party_point(),
        purpose="location",
        events=conversations,
        own_phones=(mobile, landline),
    )
    assert evaluate(contact, dt.datetime(2026, 3, 10, 21, 40, tzinfo=SH)).codes == [
        "third_party_contact"
    ]
    unreachable = [
        call(dt.datetime(2026, 3, 10, 9, i, tzinfo=SH), "no_answer", value=v)
        for v in (mobile, landline)
        for i in range(3)
    ]
    contact.events = unreachable
    decision = evaluate(fresh(contact), dt.datetime(2026, 3, 10, 21, 40, tzinfo=SH))
    assert decision.allowed
    assert "no_debt_disclosure" in decision.conditions


def test_worked_example_3_uk_breathing_space_and_vulnerability():
    started = dt.datetime(2026, 3, 1, 9, tzinfo=LON)
    breathing_space = Restriction("breathing_space", started)
    vulnerability = Restriction("vulnerability", dt.datetime(2026, 3, 5, tzinfo=LON))
    at = dt.datetime(2026, 3, 10, 10, tzinfo=LON)
    decision = evaluate(rule_context("uk", restrictions=[breathing_space]), at)
    assert decision.outcome == "deny"
    assert decision.next_permitted_at is None
    assert "2026-04-30" in decision.reasons[0]["message"]
    review = evaluate(rule_context("uk", restrictions=[vulnerability]), at)
    assert review.outcome == "review"
    assert review.codes == ["vulnerability_review"]
    # A statutory notice may still go out during breathing space.
    notice = rule_context(
        "uk",
        channel="letter",
        purpose="statutory_notice",
        restrictions=[breathing_space],
    )
    assert evaluate(notice, at).allowed


# --- properties --------------------------------------------------------------------

BASE = dt.datetime(2026, 3, 10, 0, 0, tzinfo=dt.UTC)
RESULTS = ["pending", "not_connected", "no_answer", "voicemail", "conversation"]
NUMBERS = {"cn": OWN_PHONE, "us": "+12125550100", "uk": "+442071234567"}
KINDS = [
    "cease_communication",
    "dispute",
    "legal_hold",
    "vulnerability",
    "channel_opt_out",
]


@st.composite
def scenarios(draw):
    pack = draw(st.sampled_from(["cn", "us", "uk"]))
    channel = draw(st.sampled_from(["call", "call", "sms", "email", "letter"]))
    number = NUMBERS[pack]
    offsets = st.integers(min_value=-9 * 24 * 60, max_value=-1)
    events = [
        Event(
            BASE + dt.timedelta(minutes=draw(offsets)),
            draw(st.sampled_from(["call", "call", "sms"])),
            draw(st.sampled_from(RESULTS + ["sent"])),
            draw(st.sampled_from([number, number, "+8613900000000"])),
            draw(st.sampled_from([None, 1, 2])),
        )
        for _ in range(draw(st.integers(0, 14)))
    ]
    restrictions = []
    for _ in range(draw(st.integers(0, 2))):
        start = BASE + dt.timedelta(hours=draw(st.integers(-72, 96)))
        end = draw(st.one_of(st.none(), st.integers(1, 24 * 20)))
        restrictions.append(
            Restriction(
                draw(st.sampled_from(KINDS)),
                start,
                None if end is None else start + dt.timedelta(hours=end),
                draw(st.sampled_from(["", "call", "sms"])),
            )
        )
    ctx = rule_context(
        pack,
        channel=channel,
        region={"cn": "SH", "us": draw(st.sampled_from(["CA", "NY", "TX"])), "uk": ""}[
            pack
        ],
        point="own" if channel not in ("call", "sms") else own_point(number),
        loan_id=draw(st.sampled_from([None, 1])),
        events=events,
        restrictions=restrictions,
    )
    at = BASE + dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    return ctx, at


def fresh(ctx):
    ctx._event_dates = None
    return ctx


PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(scenarios())
def test_next_permitted_time_when_given_is_itself_allowed(scenario):
    ctx, at = scenario
    decision = evaluate(ctx, at)
    if decision.next_permitted_at is not None:
        assert evaluate(ctx, decision.next_permitted_at).allowed


@PROPERTY_SETTINGS
@given(scenarios(), st.floats(min_value=0, max_value=1, exclude_max=True))
def test_no_time_before_the_next_permitted_time_is_allowed(scenario, fraction):
    ctx, at = scenario
    decision = evaluate(ctx, at)
    if decision.allowed or decision.next_permitted_at is None:
        return
    # timedelta arithmetic rounds to microseconds: keep strictly before.
    earlier = min(
        at + (decision.next_permitted_at - at) * fraction,
        decision.next_permitted_at - dt.timedelta(microseconds=1),
    )
    assert not evaluate(ctx, earlier).allowed


@PROPERTY_SETTINGS
@given(
    scenarios(),
    st.integers(min_value=1, max_value=7 * 24 * 60),
    st.sampled_from(RESULTS),
)
def test_adding_a_past_attempt_never_makes_a_blocked_contact_allowed(
    scenario, minutes_before, result
):
    ctx, at = scenario
    if evaluate(ctx, at).allowed:
        return
    point = ctx.point
    value = point.value if point is not None else OWN_PHONE
    ctx.events = [
        *ctx.events,
        call(at - dt.timedelta(minutes=minutes_before), result, value=value),
    ]
    assert not evaluate(fresh(ctx), at).allowed
