"""Restrictions, contact-point states and third parties (pure, no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from compliance.engine import evaluate
from compliance.rules.base import Restriction
from tests.compliance.factories import (
    OWN_PHONE,
    call,
    own_point,
    rule_context,
    third_party_point,
)

SH = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH)
DAY = dt.timedelta(days=1)


def hold(kind, starts=AT - 3 * DAY, ends=None, **kwargs):
    return Restriction(kind=kind, starts_at=starts, ends_at=ends, **kwargs)


@pytest.mark.parametrize(
    ("kind", "code", "outcome"),
    [
        ("cease_communication", "cease_communication", "deny"),
        ("dispute", "dispute_hold", "deny"),
        ("attorney", "represented_by_attorney", "deny"),
        ("legal_hold", "legal_hold", "deny"),
        ("breathing_space", "breathing_space", "deny"),
        ("deceased", "deceased", "deny"),
        ("vulnerability", "vulnerability_review", "review"),
        ("channel_opt_out", "channel_opt_out", "deny"),
    ],
)
def test_open_ended_restriction_blocks_until_an_event(kind, code, outcome):
    decision = evaluate(rule_context("cn", restrictions=[hold(kind)]), AT)
    assert decision.outcome == outcome
    assert decision.codes == [code]
    assert decision.next_permitted_at is None
    assert decision.to_dict()["next_permitted_at"] is None


def test_restriction_that_ended_yesterday_no_longer_blocks():
    restriction = hold("legal_hold", starts=AT - 10 * DAY, ends=AT - DAY)
    assert evaluate(rule_context("cn", restrictions=[restriction]), AT).allowed


def test_restriction_starting_tomorrow_does_not_block_today():
    restriction = hold("cease_communication", starts=AT + DAY)
    assert evaluate(rule_context("cn", restrictions=[restriction]), AT).allowed


def test_restriction_starting_tomorrow_blocks_a_contact_deferred_into_it():
    # 22:30 defers to 08:00 tomorrow, when the cease request is in force.
    restriction = hold("cease_communication", starts=AT + DAY - dt.timedelta(hours=12))
    late = dt.datetime(2026, 3, 10, 22, 30, tzinfo=SH)
    decision = evaluate(rule_context("cn", restrictions=[restriction]), late)
    assert decision.outcome == "deny"
    assert decision.codes == ["cease_communication", "contact_window"]


def test_restriction_with_a_known_end_defers_to_that_end():
    ends = dt.datetime(2026, 3, 12, 9, 30, tzinfo=SH)
    decision = evaluate(
        rule_context("cn", restrictions=[hold("dispute", ends=ends)]), AT
    )
    assert decision.outcome == "defer"
    assert decision.next_permitted_at == ends
    assert "2026-03-12 09:30" in decision.reasons[0]["message"]


def test_restriction_ending_beyond_the_horizon_defers_with_no_time_and_says_so():
    ends = AT + 45 * DAY
    decision = evaluate(
        rule_context("cn", restrictions=[hold("legal_hold", ends=ends)]), AT
    )
    assert decision.outcome == "defer"
    assert decision.next_permitted_at is None
    assert decision.reasons[-1]["rule"] == "cn.horizon"
    assert "30 days" in decision.reasons[-1]["message"]


def test_channel_restriction_blocks_only_its_channel():
    restriction = hold("channel_opt_out", channel="sms")
    assert not evaluate(
        rule_context("cn", channel="sms", restrictions=[restriction]), AT
    ).allowed
    assert evaluate(
        rule_context("cn", channel="call", restrictions=[restriction]), AT
    ).allowed


def test_contact_point_restriction_blocks_only_that_point():
    restriction = hold("channel_opt_out", contact_point_id=1)
    assert not evaluate(rule_context("cn", restrictions=[restriction]), AT).allowed
    other = own_point("+862155550100", id=7)
    assert evaluate(
        rule_context("cn", point=other, restrictions=[restriction]), AT
    ).allowed


def test_dispute_on_one_debt_does_not_block_collecting_another():
    restriction = hold("dispute", loan_id=1)
    assert evaluate(
        rule_context("cn", loan_id=2, restrictions=[restriction]), AT
    ).allowed
    assert not evaluate(
        rule_context("cn", loan_id=1, restrictions=[restriction]), AT
    ).allowed
    assert not evaluate(rule_context("cn", restrictions=[restriction]), AT).allowed


def test_cease_request_still_allows_statutory_notices():
    ctx = rule_context(
        "us",
        channel="letter",
        purpose="statutory_notice",
        restrictions=[hold("cease_communication")],
    )
    assert evaluate(ctx, AT).allowed


def test_uk_breathing_space_reason_gives_the_planned_end():
    lon = ZoneInfo("Europe/London")
    restriction = Restriction("breathing_space", dt.datetime(2026, 3, 1, 9, tzinfo=lon))
    decision = evaluate(
        rule_context("uk", restrictions=[restriction]),
        dt.datetime(2026, 3, 10, 10, tzinfo=lon),
    )
    assert decision.outcome == "deny"
    assert "planned end 2026-04-30" in decision.reasons[0]["message"]
    assert "2026-04-30" in decision.reasons[0]["message_zh"]
    assert "SI 2020/1311" in decision.reasons[0]["citation"]


def test_deny_wins_over_review_and_defer():
    late = dt.datetime(2026, 3, 10, 23, 0, tzinfo=SH)
    ctx = rule_context("cn", restrictions=[hold("vulnerability"), hold("legal_hold")])
    decision = evaluate(ctx, late)
    assert decision.outcome == "deny"
    assert decision.next_permitted_at is None
    assert decision.codes[:2] == ["legal_hold", "vulnerability_review"]


def test_invalid_contact_point_is_denied():
    point = own_point(invalid_at=AT - DAY, invalid_reason="wrong number")
    decision = evaluate(rule_context("cn", point=point), AT)
    assert decision.codes == ["invalid_contact_point"]
    assert "wrong number" in decision.reasons[0]["message"]


def test_contact_point_without_consent_is_denied():
    decision = evaluate(rule_context("cn", point=own_point(consent=False)), AT)
    assert decision.codes == ["no_consent"]


def test_opted_out_number_blocks_texts_but_not_calls():
    point = own_point(opted_out_at=AT - DAY)
    assert evaluate(rule_context("cn", channel="sms", point=point), AT).codes == [
        "channel_opt_out"
    ]
    assert evaluate(rule_context("cn", channel="call", point=point), AT).allowed


def test_opted_out_email_blocks_email():
    point = own_point("a@example.com", kind="email", opted_out_at=AT - DAY)
    assert not evaluate(rule_context("us", channel="email", point=point), AT).allowed


def test_missing_contact_point_is_denied_with_a_reason():
    decision = evaluate(rule_context("cn", point=None), AT)
    assert decision.codes == ["invalid_contact_point"]
    assert "no usable contact point" in decision.reasons[0]["message"]


# --- third parties ----------------------------------------------------------------


def failed_calls(n, *, value=OWN_PHONE, days_ago=1):
    return [
        call(AT - days_ago * DAY + dt.timedelta(minutes=i), "no_answer", value=value)
        for i in range(n)
    ]


def cn_third(events=(), purpose="location", point=None, **kwargs):
    return rule_context(
        "cn",
        point=point or third_party_point(),
        purpose=purpose,
        events=events,
        **kwargs,
    )


def test_cn_emergency_contact_is_blocked_while_the_debtor_is_reachable():
    decision = evaluate(cn_third(failed_calls(2)), AT)
    assert decision.codes == ["third_party_contact"]
    assert "can still be reached" in decision.reasons[0]["message"]


def test_cn_emergency_contact_is_allowed_once_the_debtor_is_unreachable():
    decision = evaluate(cn_third(failed_calls(3)), AT)
    assert decision.outcome == "allow_with_conditions"
    assert "verify_identity_before_disclosure" in decision.conditions
    assert "no_debt_disclosure" in decision.conditions


def test_cn_debtor_is_not_unreachable_after_a_recent_conversation():
    events = failed_calls(5) + [call(AT - DAY, "conversation")]
    assert not evaluate(cn_third(events), AT).allowed


def test_cn_debtor_is_unreachable_only_when_every_own_phone_failed():
    events = failed_calls(3)
    ctx = cn_third(events, own_phones=(OWN_PHONE, "+862155550100"))
    assert not evaluate(ctx, AT).allowed
    both = events + failed_calls(3, value="+862155550100")
    assert evaluate(cn_third(both, own_phones=(OWN_PHONE, "+862155550100")), AT).allowed


def test_cn_failed_calls_older_than_the_window_do_not_make_the_debtor_unreachable():
    assert not evaluate(cn_third(failed_calls(6, days_ago=8)), AT).allowed


def test_cn_third_party_may_not_be_asked_to_pay():
    decision = evaluate(cn_third(failed_calls(3), purpose="collection"), AT)
    assert decision.codes == ["third_party_contact"]
    assert "不得向其催收" in decision.reasons[0]["message_zh"]


def test_third_party_who_refused_is_never_contacted_again():
    point = third_party_point(refused_at=AT - 30 * DAY)
    decision = evaluate(cn_third(failed_calls(3), point=point), AT)
    assert decision.codes == ["third_party_contact"]
    assert "never contact them again" in decision.reasons[0]["message"]


def test_cn_employer_is_an_unrelated_third_party():
    point = third_party_point(relationship="employer")
    assert not evaluate(cn_third(failed_calls(3), point=point), AT).allowed


def test_cn_contact_person_may_be_asked_when_the_debtor_is_deceased():
    restriction = hold("deceased")
    decision = evaluate(cn_third(restrictions=[restriction]), AT)
    assert decision.allowed
    # The debtor's own number stays closed.
    assert not evaluate(rule_context("cn", restrictions=[restriction]), AT).allowed


def test_us_location_contact_with_a_third_party_happens_once():
    ny = ZoneInfo("America/New_York")
    at = dt.datetime(2026, 3, 10, 12, tzinfo=ny)
    point = third_party_point("+12125550199", relationship="relative")
    ctx = rule_context(
        "us", point=point, purpose="location", stated_time_zone="America/New_York"
    )
    assert evaluate(ctx, at).allowed
    earlier = call(at - 40 * DAY, "third_party", value="+12125550199", third_party=True)
    ctx.events = [earlier]
    ctx._event_dates = None
    decision = evaluate(ctx, at)
    assert decision.codes == ["third_party_contact"]
