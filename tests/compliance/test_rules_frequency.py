"""FrequencyCap and PostConversationCooldown through the engine (pure, no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

from compliance.engine import evaluate
from tests.compliance.factories import OWN_PHONE, call, own_point, rule_context

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")

MOBILE = OWN_PHONE
LANDLINE = "+862155550100"


def cn_calls(n, result="no_answer", *, value=MOBILE, day=10, **kwargs):
    return [
        call(dt.datetime(2026, 3, day, 9, i, tzinfo=SH), result, value=value, **kwargs)
        for i in range(n)
    ]


def test_cn_sixth_unanswered_attempt_is_allowed_and_seventh_is_not():
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH)
    assert evaluate(rule_context("cn", events=cn_calls(5)), at).allowed
    decision = evaluate(rule_context("cn", events=cn_calls(6)), at)
    assert decision.outcome == "defer"
    assert decision.codes == ["frequency_cap", "contact_window"]
    assert decision.next_permitted_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)
    assert decision.reasons[0]["rule"] == "cn.frequency_cap.unanswered_per_point"


def test_cn_unanswered_cap_counts_pending_and_voicemail_but_not_conversations():
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH)
    mixed = cn_calls(2, "pending") + cn_calls(4, "voicemail")
    assert not evaluate(rule_context("cn", events=mixed), at).allowed
    answered = cn_calls(2, "conversation") + cn_calls(4, "no_answer")
    assert evaluate(rule_context("cn", events=answered), at).allowed


def test_cn_unanswered_cap_is_per_contact_point():
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH)
    ctx = rule_context("cn", point=own_point(LANDLINE, id=3), events=cn_calls(6))
    assert evaluate(ctx, at).allowed


def test_cn_unanswered_cap_resets_at_shanghai_midnight():
    # Six attempts yesterday do not count today.
    at = dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)
    assert evaluate(rule_context("cn", events=cn_calls(6)), at).allowed


def test_cn_three_conversations_a_day_block_every_own_number():
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH)
    events = cn_calls(2, "conversation") + cn_calls(1, "conversation", value=LANDLINE)
    ctx = rule_context("cn", point=own_point(LANDLINE, id=3), events=events)
    decision = evaluate(ctx, at)
    assert decision.reasons[0]["rule"] == "cn.frequency_cap.conversations_per_debtor"
    assert decision.next_permitted_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)
    assert evaluate(rule_context("cn", events=events[:2]), at).allowed


def test_cn_conversation_cap_does_not_apply_to_sms():
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH)
    events = cn_calls(3, "conversation")
    assert evaluate(rule_context("cn", channel="sms", events=events), at).allowed


def us_ctx(events, **kwargs):
    kwargs.setdefault("time_zone", "America/New_York")
    return rule_context("us", point=own_point("+12125550100"), events=events, **kwargs)


def us_call(day, result="no_answer", hour=12, loan_id=1):
    return call(
        dt.datetime(2026, 3, day, hour, tzinfo=NY), result, value="+12125550100",
        loan_id=loan_id,
    )  # fmt: skip


def test_us_seventh_call_in_seven_days_is_allowed_and_eighth_is_not():
    at = dt.datetime(2026, 3, 10, 12, 0, tzinfo=NY)
    six = [us_call(d) for d in (4, 5, 6, 7, 8, 9)]
    assert evaluate(us_ctx(six, loan_id=1), at).allowed
    seven = six + [us_call(10, hour=9)]
    decision = evaluate(us_ctx(seven, loan_id=1), at)
    assert decision.codes[0] == "frequency_cap"
    # The oldest call (4 Mar) leaves the 7-day window at the start of 11 Mar.
    assert decision.next_permitted_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=NY)


def test_us_calls_that_did_not_connect_do_not_count_toward_seven_in_seven():
    at = dt.datetime(2026, 3, 10, 12, 0, tzinfo=NY)
    events = [us_call(d) for d in (4, 5, 6, 7, 8, 9)] + [
        us_call(10, "not_connected", 9)
    ]
    assert evaluate(us_ctx(events, loan_id=1), at).allowed


def test_us_voicemail_counts_toward_seven_in_seven():
    at = dt.datetime(2026, 3, 10, 12, 0, tzinfo=NY)
    events = [us_call(d, "voicemail") for d in (4, 5, 6, 7, 8, 9)] + [
        us_call(10, hour=9)
    ]
    assert not evaluate(us_ctx(events, loan_id=1), at).allowed


def test_us_seven_in_seven_is_per_debt():
    at = dt.datetime(2026, 3, 10, 12, 0, tzinfo=NY)
    other_debt = [us_call(d, loan_id=2) for d in (4, 5, 6, 7, 8, 9, 10)]
    assert evaluate(us_ctx(other_debt, loan_id=1), at).allowed
    # A proposal tied to no debt counts every call to the person.
    assert not evaluate(us_ctx(other_debt, loan_id=None), at).allowed


def test_us_conversation_day_is_day_one_of_the_cooldown():
    # Conversation Monday 2 Mar 10:00 → next call from Monday 9 Mar 08:00 local.
    events = [us_call(2, "conversation", hour=10)]
    decision = evaluate(us_ctx(events), dt.datetime(2026, 3, 8, 20, 0, tzinfo=NY))
    assert decision.codes == ["post_conversation_cooldown", "contact_window"]
    assert decision.next_permitted_at == dt.datetime(2026, 3, 9, 8, 0, tzinfo=NY)
    assert evaluate(us_ctx(events), dt.datetime(2026, 3, 9, 8, 0, tzinfo=NY)).allowed


def test_us_cooldown_is_not_a_168_hour_window():
    events = [us_call(2, "conversation", hour=20)]
    # 9 Mar 08:00 is less than 168 h after 2 Mar 20:00, and still allowed.
    assert evaluate(us_ctx(events), dt.datetime(2026, 3, 9, 8, 0, tzinfo=NY)).allowed


def test_us_cooldown_does_not_stop_text_messages():
    events = [us_call(9, "conversation")]
    ctx = us_ctx(events, channel="sms")
    ctx.point = own_point("+12125550100")
    assert evaluate(ctx, dt.datetime(2026, 3, 10, 12, 0, tzinfo=NY)).allowed


def test_us_one_text_a_day_policy_cap():
    from compliance.rules.base import Event

    sent = Event(dt.datetime(2026, 3, 10, 9, tzinfo=NY), "sms", "sent", "+12125550100")
    ctx = us_ctx([sent], channel="sms")
    ctx.point = own_point("+12125550100")
    decision = evaluate(ctx, dt.datetime(2026, 3, 10, 12, 0, tzinfo=NY))
    assert decision.reasons[0]["rule"] == "us.frequency_cap.sms_per_day"
    assert "[P]" in decision.reasons[0]["citation"]


def test_uk_three_attempts_a_day_policy_cap():
    lon = ZoneInfo("Europe/London")
    events = [
        call(dt.datetime(2026, 3, 10, 9 + i, tzinfo=lon), "not_connected")
        for i in range(3)
    ]
    decision = evaluate(
        rule_context("uk", events=events), dt.datetime(2026, 3, 10, 15, tzinfo=lon)
    )
    assert decision.reasons[0]["rule"] == "uk.frequency_cap.attempts_per_day"
    assert decision.next_permitted_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=lon)


def test_calls_to_a_third_party_do_not_count_toward_the_debtors_caps():
    at = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH)
    events = cn_calls(3, "conversation", value="+8613900139000", third_party=True)
    assert evaluate(rule_context("cn", events=events), at).allowed
