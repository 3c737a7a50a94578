"""Prior consent (Reg F §1006.14(b)(3)(i)) and customer-stated inconvenient times and
places (§1006.6(b)(1), (b)(3); cn "unless agreed"; CONC 7.9.4R) through the engine:
pure, no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from compliance.engine import evaluate
from compliance.rules.base import Consent, Event, Point, Preference
from tests.compliance.factories import call, own_point, rule_context

NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")
LDN = ZoneInfo("Europe/London")
US_MOBILE = "+12125550100"
LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def us_ctx(events=(), **kwargs):
    kwargs.setdefault("time_zone", "America/New_York")
    kwargs.setdefault("point", own_point(US_MOBILE))
    kwargs.setdefault("loan_id", 1)
    return rule_context("us", events=events, **kwargs)


def us_call(day, result="no_answer", hour=12, loan_id=1):
    return call(
        dt.datetime(2026, 3, day, hour, tzinfo=NY), result, value=US_MOBILE,
        loan_id=loan_id,
    )  # fmt: skip


def seven_calls():
    # Mon 2 .. Sun 8 March: seven unanswered calls about debt 1.
    return [us_call(day) for day in range(2, 9)]


def consent(start, end, loan_id=None):
    return Consent(starts_at=start, ends_at=end, loan_id=loan_id)


def _timed(kind, start, end, weekday, kwargs):
    return Preference(
        kind,
        kwargs.get("starts_at", LONG_AGO),
        kwargs.get("ends_at"),
        weekday,
        dt.time.fromisoformat(start),
        dt.time.fromisoformat(end),
    )


def hours(start, end, weekday=None, **kwargs):
    return _timed("inconvenient_hours", start, end, weekday, kwargs)


def suits(start, end, weekday=None, **kwargs):
    """Hours the customer said suit them: the rest of that day is inconvenient."""
    return _timed("preferred_hours", start, end, weekday, kwargs)


def day_off(weekday, **kwargs):
    return Preference(
        "inconvenient_day", kwargs.get("starts_at", LONG_AGO), kwargs.get("ends_at"),
        weekday,
    )  # fmt: skip


def place(kind, **kwargs):
    return Preference(kind, kwargs.get("starts_at", LONG_AGO), kwargs.get("ends_at"))


# --- prior consent -------------------------------------------------------------------


def test_an_eighth_call_in_seven_days_is_deferred_without_consent():
    at = dt.datetime(2026, 3, 8, 15, tzinfo=NY)
    decision = evaluate(us_ctx(seven_calls()), at)
    assert not decision.allowed
    assert decision.codes[0] == "frequency_cap"


def test_a_call_within_prior_consent_is_allowed_beyond_seven_in_seven_and_says_why():
    at = dt.datetime(2026, 3, 8, 15, tzinfo=NY)
    given = consent(
        dt.datetime(2026, 3, 8, 14, tzinfo=NY), dt.datetime(2026, 3, 9, tzinfo=NY)
    )
    decision = evaluate(us_ctx(seven_calls(), consents=[given]), at)
    assert decision.allowed
    assert decision.codes == ["prior_consent"]
    reason = decision.reasons[0]
    assert reason["rule"] == "us.prior_consent"
    assert reason["citation"] == "Reg F §1006.14(b)(3)(i)"
    assert "not counted" in reason["message"]
    assert "事先同意" in reason["message_zh"]


def test_calls_placed_under_consent_are_not_counted_afterwards():
    # Three of the seven calls were placed under a consent that has since ended.
    events = seven_calls()
    given = consent(
        dt.datetime(2026, 3, 6, 8, tzinfo=NY), dt.datetime(2026, 3, 9, tzinfo=NY)
    )
    at = dt.datetime(2026, 3, 8, 15, tzinfo=NY)
    assert evaluate(us_ctx(events, consents=[given]), at).allowed
    later = dt.datetime(2026, 3, 9, 9, tzinfo=NY)
    decision = evaluate(us_ctx(events + [us_call(9, hour=8)], consents=[given]), later)
    assert decision.allowed
    assert decision.codes == ["prior_consent"]
    assert "earlier calls" in decision.reasons[0]["message"]


def test_prior_consent_lifts_the_post_conversation_cooldown():
    events = [us_call(2, "conversation", hour=10)]
    at = dt.datetime(2026, 3, 4, 10, tzinfo=NY)
    assert evaluate(us_ctx(events), at).codes[0] == "post_conversation_cooldown"
    given = consent(
        dt.datetime(2026, 3, 4, 9, tzinfo=NY), dt.datetime(2026, 3, 4, 17, tzinfo=NY)
    )
    decision = evaluate(us_ctx(events, consents=[given]), at)
    assert decision.allowed
    assert decision.codes == ["prior_consent"]
    assert "2026-03-02" in decision.reasons[0]["message"]


def test_the_next_permitted_time_is_when_a_later_consent_starts():
    # Conversation Monday; the customer asked to be called back Wednesday 10:00.
    events = [us_call(2, "conversation", hour=10)]
    given = consent(
        dt.datetime(2026, 3, 4, 10, tzinfo=NY), dt.datetime(2026, 3, 5, tzinfo=NY)
    )
    decision = evaluate(
        us_ctx(events, consents=[given]), dt.datetime(2026, 3, 3, 10, tzinfo=NY)
    )
    assert decision.outcome == "defer"
    assert decision.next_permitted_at == dt.datetime(2026, 3, 4, 10, tzinfo=NY)
    recheck = evaluate(us_ctx(events, consents=[given]), decision.next_permitted_at)
    assert recheck.allowed


def test_a_conversation_about_the_debt_ends_the_consent():
    given = consent(
        dt.datetime(2026, 3, 4, 9, tzinfo=NY), dt.datetime(2026, 3, 6, tzinfo=NY)
    )
    events = [us_call(2, "conversation", hour=10), us_call(4, "conversation", hour=10)]
    decision = evaluate(
        us_ctx(events, consents=[given]), dt.datetime(2026, 3, 4, 16, tzinfo=NY)
    )
    assert not decision.allowed
    assert decision.codes[0] == "post_conversation_cooldown"


def test_an_ended_or_revoked_consent_covers_nothing_later():
    ended = consent(
        dt.datetime(2026, 3, 8, 9, tzinfo=NY), dt.datetime(2026, 3, 8, 12, tzinfo=NY)
    )
    at = dt.datetime(2026, 3, 8, 15, tzinfo=NY)
    assert not evaluate(us_ctx(seven_calls(), consents=[ended]), at).allowed


def test_a_consent_about_another_debt_does_not_cover_the_call():
    other = consent(
        dt.datetime(2026, 3, 8, 9, tzinfo=NY), dt.datetime(2026, 3, 9, tzinfo=NY), 2
    )
    at = dt.datetime(2026, 3, 8, 15, tzinfo=NY)
    assert not evaluate(us_ctx(seven_calls(), consents=[other]), at).allowed
    same = consent(other.starts_at, other.ends_at, 1)
    assert evaluate(us_ctx(seven_calls(), consents=[same]), at).allowed


def test_prior_consent_does_not_lift_the_cn_daily_caps():
    at = dt.datetime(2026, 3, 10, 15, tzinfo=SH)
    events = [
        call(dt.datetime(2026, 3, 10, 9, i, tzinfo=SH), "no_answer") for i in range(6)
    ]
    given = consent(
        dt.datetime(2026, 3, 10, 8, tzinfo=SH), dt.datetime(2026, 3, 11, tzinfo=SH)
    )
    decision = evaluate(rule_context("cn", events=events, consents=[given]), at)
    assert not decision.allowed
    assert decision.codes[0] == "frequency_cap"


def test_prior_consent_does_not_lift_the_contact_window():
    given = consent(
        dt.datetime(2026, 3, 8, 0, tzinfo=NY), dt.datetime(2026, 3, 9, tzinfo=NY)
    )
    decision = evaluate(
        us_ctx(consents=[given]), dt.datetime(2026, 3, 8, 22, tzinfo=NY)
    )
    assert decision.codes == ["contact_window"]


# --- inconvenient times --------------------------------------------------------------


def test_stated_inconvenient_hours_defer_to_their_end():
    # Monday 9 March 2026, 12:30 in New York; the customer said Mondays 12-14.
    at = dt.datetime(2026, 3, 9, 12, 30, tzinfo=NY)
    decision = evaluate(us_ctx(preferences=[hours("12:00", "14:00", 0)]), at)
    assert decision.outcome == "defer"
    assert decision.codes == ["customer_inconvenient_time"]
    assert decision.next_permitted_at == dt.datetime(2026, 3, 9, 14, tzinfo=NY)
    reason = decision.reasons[0]
    assert "Mondays 12:00-14:00" in reason["message"]
    assert "每周一12:00-14:00" in reason["message_zh"]
    assert "§1006.6(b)(1)(i)" in reason["citation"]
    # Tuesday at the same time is fine.
    assert evaluate(
        us_ctx(preferences=[hours("12:00", "14:00", 0)]), at + dt.timedelta(days=1)
    ).allowed


def test_the_next_permitted_time_skips_an_inconvenient_day_and_evening():
    # Every evening from 20:00 and all of Monday: on Sunday 20:30 the next time is
    # Tuesday 08:00 (the window's opening), not Monday.
    prefs = [hours("20:00", "00:00"), day_off(0)]
    at = dt.datetime(2026, 3, 8, 20, 30, tzinfo=NY)
    decision = evaluate(us_ctx(preferences=prefs), at)
    assert decision.next_permitted_at == dt.datetime(2026, 3, 10, 8, tzinfo=NY)
    assert "every day 20:00-24:00" in decision.reasons[0]["message"]
    assert evaluate(us_ctx(preferences=prefs), decision.next_permitted_at).allowed


def test_stated_times_bind_in_the_cn_and_uk_packs_too():
    sunday_sh = dt.datetime(2026, 3, 8, 10, tzinfo=SH)
    decision = evaluate(rule_context("cn", preferences=[day_off(6)]), sunday_sh)
    assert decision.codes[0] == "customer_inconvenient_time"
    assert decision.next_permitted_at == dt.datetime(2026, 3, 9, 8, tzinfo=SH)
    assert "双方另有约定" in decision.reasons[0]["citation"]
    tuesday_ldn = dt.datetime(2026, 3, 10, 9, tzinfo=LDN)
    decision = evaluate(
        rule_context("uk", preferences=[hours("08:00", "10:00", 1)]), tuesday_ldn
    )
    assert decision.next_permitted_at == dt.datetime(2026, 3, 10, 10, tzinfo=LDN)
    assert decision.reasons[0]["citation"].startswith("CONC 7.9.4R")


def test_a_statement_no_longer_in_force_blocks_nothing():
    at = dt.datetime(2026, 3, 9, 12, 30, tzinfo=NY)
    ended = hours("12:00", "14:00", 0, ends_at=dt.datetime(2026, 3, 9, 13, tzinfo=NY))
    decision = evaluate(us_ctx(preferences=[ended]), at)
    assert decision.next_permitted_at == dt.datetime(2026, 3, 9, 13, tzinfo=NY)
    future = hours("12:00", "14:00", 0, starts_at=dt.datetime(2026, 3, 10, tzinfo=NY))
    assert evaluate(us_ctx(preferences=[future]), at).allowed


def test_times_inconvenient_all_week_leave_the_contact_for_review():
    prefs = [day_off(d) for d in range(7)]
    decision = evaluate(
        us_ctx(preferences=prefs), dt.datetime(2026, 3, 9, 9, tzinfo=NY)
    )
    assert decision.outcome == "review"
    assert decision.codes == ["customer_inconvenient_time"]


def test_the_customers_times_do_not_bind_contact_with_a_third_party():
    third = Point(id=9, kind="phone", value="+12125550199", relationship="spouse")
    at = dt.datetime(2026, 3, 9, 12, 30, tzinfo=NY)
    ctx = us_ctx(point=third, purpose="location", preferences=[hours("12:00", "14:00")])
    assert "customer_inconvenient_time" not in evaluate(ctx, at).codes


def test_a_reply_to_the_customer_at_an_inconvenient_time_is_allowed_once():
    prefs = [hours("12:00", "14:00")]
    at = dt.datetime(2026, 3, 9, 12, 30, tzinfo=NY)
    decision = evaluate(us_ctx(purpose="reply_to_inbound", preferences=prefs), at)
    assert decision.allowed
    assert decision.codes == ["reply_to_inbound"]
    assert "once" in decision.reasons[0]["message"]
    assert "comment 6(b)(1)-2" in decision.reasons[0]["citation"]
    replied = [
        Event(at - dt.timedelta(minutes=10), "call", "conversation", US_MOBILE, 1)
    ]
    again = evaluate(us_ctx(replied, purpose="reply_to_inbound", preferences=prefs), at)
    assert not again.allowed
    assert "customer_inconvenient_time" in again.codes
    # Collection calls get no such exception.
    assert not evaluate(us_ctx(preferences=prefs), at).allowed


# --- inconvenient places -------------------------------------------------------------


def test_not_at_work_blocks_the_work_number_only():
    at = dt.datetime(2026, 3, 9, 10, tzinfo=NY)
    work = own_point("+12125550111", id=5, usage="work")
    decision = evaluate(us_ctx(point=work, preferences=[place("not_at_work")]), at)
    assert decision.outcome == "deny"
    assert decision.codes == ["customer_inconvenient_place"]
    assert decision.next_permitted_at is None
    assert "employer" in decision.reasons[0]["message"]
    assert "§1006.6(b)(1)(ii), (b)(3)" in decision.reasons[0]["citation"]
    assert evaluate(us_ctx(preferences=[place("not_at_work")]), at).allowed


def test_not_at_home_blocks_the_home_landline_and_visits_but_not_letters():
    at = dt.datetime(2026, 3, 10, 10, tzinfo=SH)
    home = own_point("+862155550100", id=6, usage="home")
    prefs = [place("not_at_home")]
    assert evaluate(rule_context("cn", point=home, preferences=prefs), at).codes == [
        "customer_inconvenient_place"
    ]
    mobile = own_point(usage="mobile")
    assert evaluate(rule_context("cn", point=mobile, preferences=prefs), at).allowed
    visit = rule_context("cn", channel="visit", preferences=prefs)
    assert evaluate(visit, at).codes == ["customer_inconvenient_place"]
    assert "家中" in evaluate(visit, at).reasons[0]["message_zh"]
    letter = rule_context("cn", channel="letter", preferences=prefs)
    assert evaluate(letter, at).allowed


def test_a_place_statement_with_an_end_defers_until_it_ends():
    at = dt.datetime(2026, 3, 9, 10, tzinfo=NY)
    work = own_point("+12125550111", id=5, usage="work")
    ends = dt.datetime(2026, 3, 20, 9, tzinfo=NY)
    decision = evaluate(
        us_ctx(point=work, preferences=[place("not_at_work", ends_at=ends)]), at
    )
    assert decision.outcome == "defer"
    assert decision.next_permitted_at == ends


def test_a_reply_to_a_contact_from_work_is_allowed_once_on_that_number():
    at = dt.datetime(2026, 3, 9, 10, tzinfo=NY)
    work = own_point("+12125550111", id=5, usage="work")
    prefs = [place("not_at_work")]
    ctx = us_ctx(point=work, purpose="reply_to_inbound", preferences=prefs)
    decision = evaluate(ctx, at)
    assert decision.allowed and decision.codes == ["reply_to_inbound"]
    replied = [Event(at - dt.timedelta(hours=1), "call", "no_answer", work.value)]
    ctx = us_ctx(replied, point=work, purpose="reply_to_inbound", preferences=prefs)
    assert evaluate(ctx, at).codes == ["customer_inconvenient_place"]


# --- hours that suit the customer -----------------------------------------------------


def test_hours_that_suit_the_customer_defer_every_other_time_to_their_start():
    # Monday 9 March 2026: the customer said "only between 18:00 and 20:00".
    prefs = [suits("18:00", "20:00")]
    decision = evaluate(
        us_ctx(preferences=prefs), dt.datetime(2026, 3, 9, 10, tzinfo=NY)
    )
    assert decision.outcome == "defer"
    assert decision.codes == ["customer_inconvenient_time"]
    assert decision.next_permitted_at == dt.datetime(2026, 3, 9, 18, tzinfo=NY)
    reason = decision.reasons[0]
    assert "asked to be contacted only every day 18:00-20:00" in reason["message"]
    assert "仅在每天18:00-20:00联系" in reason["message_zh"]
    assert evaluate(
        us_ctx(preferences=prefs), dt.datetime(2026, 3, 9, 19, 30, tzinfo=NY)
    ).allowed
    # After the hours, the next time is the next day's start, not the window's 08:00.
    late = evaluate(us_ctx(preferences=prefs), dt.datetime(2026, 3, 9, 20, tzinfo=NY))
    assert late.next_permitted_at == dt.datetime(2026, 3, 10, 18, tzinfo=NY)


def test_several_convenient_hours_on_a_day_are_a_union_and_other_days_are_free():
    # Mondays 12-13 and 18-20 suit; Tuesday is unconstrained.
    prefs = [suits("12:00", "13:00", 0), suits("18:00", "20:00", 0)]
    monday = dt.datetime(2026, 3, 9, tzinfo=NY)
    assert evaluate(
        us_ctx(preferences=prefs), monday.replace(hour=12, minute=30)
    ).allowed
    assert evaluate(
        us_ctx(preferences=prefs), monday.replace(hour=18, minute=5)
    ).allowed
    between = evaluate(us_ctx(preferences=prefs), monday.replace(hour=14))
    assert between.next_permitted_at == monday.replace(hour=18)
    assert "Mondays 18:00-20:00" in between.reasons[0]["message"]
    assert evaluate(us_ctx(preferences=prefs), monday.replace(day=10, hour=9)).allowed


def test_convenient_hours_never_widen_the_packs_window():
    # "Call me at 06:00" does not make 06:00 lawful: the window still opens at 08:00
    # (prior consent, recorded as such, is what lifts it).
    prefs = [suits("06:00", "09:00")]
    decision = evaluate(
        us_ctx(preferences=prefs), dt.datetime(2026, 3, 9, 6, 30, tzinfo=NY)
    )
    assert not decision.allowed
    assert decision.next_permitted_at == dt.datetime(2026, 3, 9, 8, tzinfo=NY)
    assert decision.codes[0] == "contact_window"


def test_convenient_hours_bind_in_the_cn_pack_and_end_with_their_statement():
    at = dt.datetime(2026, 3, 9, 9, tzinfo=SH)
    ends = dt.datetime(2026, 3, 9, 11, tzinfo=SH)
    decision = evaluate(
        rule_context("cn", preferences=[suits("19:00", "21:00", ends_at=ends)]), at
    )
    assert decision.codes == ["customer_inconvenient_time"]
    assert decision.next_permitted_at == ends


# --- the next permitted time stays exact ---------------------------------------------


def _grid_contexts():
    consent_later = consent(
        dt.datetime(2026, 3, 10, 10, tzinfo=NY), dt.datetime(2026, 3, 10, 16, tzinfo=NY)
    )
    yield us_ctx(seven_calls() + [us_call(8, "conversation", hour=16)])
    yield us_ctx(
        seven_calls() + [us_call(8, "conversation", hour=16)], consents=[consent_later]
    )
    yield us_ctx(
        preferences=[hours("20:00", "00:00"), day_off(0), hours("08:00", "11:30", 2)]
    )
    yield us_ctx(
        seven_calls(),
        consents=[consent_later],
        preferences=[hours("12:00", "13:00"), day_off(3)],
    )
    yield rule_context("uk", preferences=[hours("09:00", "17:00", d) for d in range(5)])
    yield us_ctx(
        preferences=[suits("12:00", "13:00", 0), suits("18:30", "20:00"), day_off(5)]
    )
    yield us_ctx(
        seven_calls(), preferences=[suits("09:00", "10:00"), hours("09:30", "11:00", 1)]
    )


def test_the_next_permitted_time_is_allowed_and_nothing_before_it_is():
    start = dt.datetime(2026, 3, 8, 6, tzinfo=dt.UTC)
    step = dt.timedelta(minutes=30)
    for ctx in _grid_contexts():
        for n in range(0, 24 * 7 * 2, 5):
            at = start + n * step
            decision = evaluate(ctx, at)
            nxt = decision.next_permitted_at
            if decision.allowed or nxt is None:
                continue
            assert evaluate(ctx, nxt).allowed, (at, nxt)
            probe = at + step
            while probe < nxt:
                assert not evaluate(ctx, probe).allowed, (at, probe, nxt)
                probe += step
