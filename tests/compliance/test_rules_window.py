"""ContactWindow and HolidayBlackout, as pure functions of the context and the time."""

import datetime as dt
from zoneinfo import ZoneInfo

from compliance.engine import evaluate
from compliance.packs import default_pack
from compliance.rules.window import contact_window
from compliance.rules.zones import candidate_zone_names, phone_zones
from compliance.selectors import holiday_dates
from tests.compliance.factories import own_point, rule_context

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
LON = ZoneInfo("Europe/London")
UTC = dt.UTC


def blocks(ctx, t):
    out = []
    contact_window(ctx, t, out)
    return out


def test_cn_call_at_215959_shanghai_is_inside_the_window():
    ctx = rule_context("cn")
    assert blocks(ctx, dt.datetime(2026, 3, 10, 21, 59, 59, tzinfo=SH)) == []


def test_cn_call_at_2200_shanghai_is_deferred_to_0800_next_day():
    ctx = rule_context("cn")
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 22, 0, 0, tzinfo=SH))
    assert block.code == "contact_window"
    assert block.until == dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)


def test_cn_call_before_0800_waits_for_0800_the_same_day():
    ctx = rule_context("cn")
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 7, 59, 59, tzinfo=SH))
    assert block.until == dt.datetime(2026, 3, 10, 8, 0, tzinfo=SH)
    assert blocks(ctx, dt.datetime(2026, 3, 10, 8, 0, tzinfo=SH)) == []


def test_cn_window_is_judged_in_shanghai_time_whatever_the_utc_clock():
    ctx = rule_context("cn")
    # 14:00 UTC is 22:00 in Shanghai.
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC))
    assert block.until == dt.datetime(2026, 3, 11, 0, 0, tzinfo=UTC)


def test_last_dial_buffer_applies_to_calls_not_to_messages():
    ctx_call = rule_context("cn", contact_window={"last_dial_buffer_minutes": 10})
    ctx_sms = rule_context(
        "cn", channel="sms", contact_window={"last_dial_buffer_minutes": 10}
    )
    at = dt.datetime(2026, 3, 10, 21, 52, tzinfo=SH)
    assert blocks(ctx_call, at)[0].until == dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)
    assert blocks(ctx_sms, at) == []


def test_cn_letters_have_no_window():
    ctx = rule_context("cn", channel="letter")
    assert blocks(ctx, dt.datetime(2026, 3, 10, 23, 0, tzinfo=SH)) == []


def test_us_number_area_code_and_address_state_give_two_candidate_zones():
    names = candidate_zone_names(
        stated="",
        held="",
        country="US",
        region="CA",
        phones=("+12125550100",),
        fallback="America/New_York",
        intersection=True,
    )
    assert names == ("America/Los_Angeles", "America/New_York")
    assert phone_zones("+12125550100") == ("America/New_York",)


def test_us_intersection_of_new_york_number_and_california_address_opens_at_1100_et():
    ctx = rule_context("us", region="CA", point=own_point("+12125550100"))
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 9, 30, tzinfo=NY))
    # 08:00 in Los Angeles is 11:00 in New York.
    assert block.until == dt.datetime(2026, 3, 10, 11, 0, tzinfo=NY)
    assert blocks(ctx, dt.datetime(2026, 3, 10, 11, 0, tzinfo=NY)) == []


def test_us_intersection_closes_at_2100_et_although_it_is_1800_in_california():
    ctx = rule_context("us", region="CA", point=own_point("+12125550100"))
    assert blocks(ctx, dt.datetime(2026, 3, 10, 20, 59, 59, tzinfo=NY)) == []
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 21, 0, tzinfo=NY))
    assert block.until == dt.datetime(2026, 3, 11, 11, 0, tzinfo=NY)


def test_us_number_without_a_geographic_zone_adds_no_candidate():
    # Toll-free numbers map to every NANP zone: they say nothing about location.
    assert phone_zones("+18005550100") == ()
    ctx = rule_context("us", region="CA", point=own_point("+18005550100"))
    assert [z.key for z in ctx.zones] == ["America/Los_Angeles"]


def test_a_zone_the_customer_stated_overrides_every_other_signal():
    ctx = rule_context(
        "us",
        region="CA",
        time_zone="America/Denver",
        stated_time_zone="America/Chicago",
        point=own_point("+12125550100"),
    )
    assert [z.key for z in ctx.zones] == ["America/Chicago"]


# Issue 16 item 1: Reg F §1006.6(b)(1), comment 6(b)(1)-2: convenient in every
# location the collector's information indicates, whichever number is dialled.


def test_us_a_held_pacific_zone_does_not_hide_the_eastern_mobile():
    # Was: the record's zone overrode the number, so 21:30 Eastern (18:30 Pacific)
    # was allowed.
    ctx = rule_context(
        "us", time_zone="America/Los_Angeles", point=own_point("+12125550100")
    )
    assert {z.key for z in ctx.zones} == {"America/Los_Angeles", "America/New_York"}
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 21, 30, tzinfo=NY))
    assert block.code == "contact_window"


def test_us_a_mountain_landline_counts_when_the_eastern_mobile_is_dialled():
    # Was: only the dialled number's zone counted, so 09:30 Eastern (07:30 Mountain)
    # was allowed on the mobile.
    mobile, landline = "+12125550100", "+13035550100"
    ctx = rule_context(
        "us", region="NY", point=own_point(mobile), own_phones=(mobile, landline)
    )
    assert [z.key for z in ctx.zones] == ["America/New_York", "America/Denver"]
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 9, 30, tzinfo=NY))
    # 08:00 in Denver is 10:00 in New York.
    assert block.until == dt.datetime(2026, 3, 10, 10, 0, tzinfo=NY)


def test_us_a_stated_zone_makes_the_pacific_evening_callable():
    ctx = rule_context(
        "us",
        time_zone="America/New_York",
        stated_time_zone="America/Los_Angeles",
        point=own_point("+12125550100"),
    )
    assert blocks(ctx, dt.datetime(2026, 3, 10, 21, 30, tzinfo=NY)) == []


def test_cn_and_uk_keep_their_single_zone():
    cn = rule_context("cn", time_zone="Asia/Shanghai", point=own_point("+12125550100"))
    assert [z.key for z in cn.zones] == ["Asia/Shanghai"]
    uk = rule_context("uk", point=own_point("+447700900123"))
    assert [z.key for z in uk.zones] == ["Europe/London"]


def test_us_spring_forward_day_opens_at_0800_daylight_time():
    ctx = rule_context("us", stated_time_zone="America/New_York")
    # Saturday 7 Mar 2026 21:30 EST; DST starts Sunday 8 Mar at 02:00.
    [block] = blocks(ctx, dt.datetime(2026, 3, 7, 21, 30, tzinfo=NY))
    assert block.until == dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert block.until.astimezone(NY).hour == 8


def test_us_fall_back_day_opens_at_0800_standard_time():
    ctx = rule_context("us", stated_time_zone="America/New_York")
    [block] = blocks(ctx, dt.datetime(2026, 10, 31, 22, 0, tzinfo=NY))
    assert block.until == dt.datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert blocks(ctx, dt.datetime(2026, 11, 1, 12, 59, tzinfo=UTC))[0].until == (
        block.until
    )


def test_us_window_closes_at_2100_local_on_the_dst_day():
    ctx = rule_context("us", stated_time_zone="America/New_York")
    assert blocks(ctx, dt.datetime(2026, 3, 8, 20, 59, tzinfo=NY)) == []
    assert blocks(ctx, dt.datetime(2026, 3, 8, 21, 0, tzinfo=NY)) != []


def test_zones_that_never_share_an_opening_need_review():
    # A New York address with a Shanghai mobile: 13 hours apart, and an 8-hour window.
    ctx = rule_context(
        "us",
        region="NY",
        point=own_point("+8613800138000"),
        contact_window={"start": "09:00", "end": "17:00"},
    )
    [block] = blocks(ctx, dt.datetime(2026, 3, 10, 10, 0, tzinfo=NY))
    assert block.kind == "review"
    assert block.variant == "no_common_window"


def test_uk_sunday_is_off_by_default():
    ctx = rule_context("uk")
    # Saturday 14 Mar 2026 21:00 → Monday 16 Mar 08:00.
    [block] = blocks(ctx, dt.datetime(2026, 3, 14, 21, 0, tzinfo=LON))
    assert block.until == dt.datetime(2026, 3, 16, 8, 0, tzinfo=LON)


def test_uk_sunday_can_be_opened_by_pack_parameter():
    ctx = rule_context("uk", contact_window={"days": [0, 1, 2, 3, 4, 5, 6]})
    assert blocks(ctx, dt.datetime(2026, 3, 15, 12, 0, tzinfo=LON)) == []


def uk_holidays():
    pack = default_pack("uk")
    dates = holiday_dates([pack], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    return dates[("GB", "ENG")]


def test_uk_bank_holiday_blocks_until_the_next_ordinary_working_window():
    ctx = rule_context("uk", holidays=uk_holidays())
    decision = evaluate(ctx, dt.datetime(2026, 12, 25, 10, 0, tzinfo=LON))
    # Christmas (Fri), Boxing Day (Sat), Sunday off, Boxing Day observed (Mon 28).
    assert decision.outcome == "defer"
    assert decision.next_permitted_at == dt.datetime(2026, 12, 29, 8, 0, tzinfo=LON)
    assert "holiday_blackout" in decision.codes


def test_holiday_override_adds_and_removes_days():
    pack = default_pack("uk")
    dates = holiday_dates(
        [pack],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        overrides=[
            ("GB", dt.date(2026, 3, 10), True),
            ("GB", dt.date(2026, 12, 25), False),
        ],
    )[("GB", "ENG")]
    assert dt.date(2026, 3, 10) in dates
    assert dt.date(2026, 12, 25) not in dates


def test_cn_holiday_blackout_is_off_by_default():
    pack = default_pack("cn")
    assert (
        holiday_dates([pack], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
        == {}
    )
    ctx = rule_context("cn", holidays={dt.date(2026, 10, 1)})
    assert evaluate(ctx, dt.datetime(2026, 10, 1, 10, 0, tzinfo=SH)).allowed
