"""The legal floors under the shipped packs (#16 item 5): the shipped parameters
stay within them, and each loosening the law forbids is named with its citation."""

import pytest

from compliance.floors import LEGAL_FLOORS, floor_breaches
from compliance.packs import default_parameters, merge_parameters
from compliance.services import LegalOverride, rule_pack_update
from core.errors import ApplicationError
from tests.cases.factories import UserFactory


@pytest.mark.parametrize("code", ["cn", "us", "uk"])
def test_the_shipped_packs_stay_within_their_floors(code):
    assert LEGAL_FLOORS[code]
    assert floor_breaches(code, default_parameters(code)) == []


def _with(code: str, changes: dict) -> dict:
    return merge_parameters(default_parameters(code), changes)


def _caps(code: str, **maxima) -> list[dict]:
    return [
        {**cap, "max": maxima.get(cap["id"], cap["max"])}
        for cap in default_parameters(code)["frequency_caps"]
    ]


@pytest.mark.parametrize(
    "code, changes, path, kind",
    [
        ("cn", {"contact_window": {"end": "22:30"}}, "contact_window.end", "not_after"),
        (
            "cn",
            {"contact_window": {"start": "07:00"}},
            "contact_window.start",
            "not_before",
        ),
        (
            "cn",
            {"contact_window": {"enabled": False}},
            "contact_window.enabled",
            "equals",
        ),
        (
            "cn",
            {"contact_window": {"channels": ["call"]}},
            "contact_window.channels",
            "includes",
        ),
        (
            "cn",
            {"frequency_caps": _caps("cn", conversations_per_debtor=999999)},
            "frequency_caps.1.max",
            "at_most",
        ),
        (
            "cn",
            {"frequency_caps": _caps("cn", unanswered_per_point=7)},
            "frequency_caps.0.max",
            "at_most",
        ),
        (
            "cn",
            {"third_party": {"only_when_unreachable": False}},
            "third_party.only_when_unreachable",
            "equals",
        ),
        ("us", {"contact_window": {"end": "21:30"}}, "contact_window.end", "not_after"),
        (
            "us",
            {"contact_window": {"zones": "single"}},
            "contact_window.zones",
            "equals",
        ),
        (
            "us",
            {"frequency_caps": _caps("us", calls_7_in_7=8)},
            "frequency_caps.0.max",
            "at_most",
        ),
        (
            "us",
            {"post_conversation_cooldown": {"days": 3}},
            "post_conversation_cooldown.days",
            "at_least",
        ),
        (
            "us",
            {"post_conversation_cooldown": {"enabled": False}},
            "post_conversation_cooldown.enabled",
            "equals",
        ),
        (
            "us",
            {"third_party": {"max_contacts_per_third_party": 0}},
            "third_party.max_contacts_per_third_party",
            "equals",
        ),
        (
            "uk",
            {
                "restrictions": {
                    "breathing_space": {
                        "allowed_purposes": ["statutory_notice", "collection"]
                    }
                }
            },
            "restrictions.breathing_space.allowed_purposes",
            "within",
        ),
        (
            "uk",
            {"restrictions": {"breathing_space": {"standard_days": 30}}},
            "restrictions.breathing_space.standard_days",
            "at_least",
        ),
    ],
)
def test_each_loosening_below_the_law_is_named(code, changes, path, kind):
    breaches = floor_breaches(code, _with(code, changes))
    assert [(b.path, b.kind) for b in breaches] == [(path, kind)]
    assert breaches[0].citation
    assert breaches[0].message


def test_a_removed_legal_cap_is_one_breach_and_a_stricter_one_none():
    caps = [
        c
        for c in default_parameters("cn")["frequency_caps"]
        if c["id"] != "unanswered_per_point"
    ]
    breaches = floor_breaches(
        "cn", {**default_parameters("cn"), "frequency_caps": caps}
    )
    assert [(b.path, b.kind) for b in breaches] == [
        ("frequency_caps[unanswered_per_point]", "missing")
    ]
    stricter = _with(
        "cn",
        {
            "contact_window": {"start": "09:00", "end": "20:00"},
            "frequency_caps": _caps(
                "cn", unanswered_per_point=2, conversations_per_debtor=1
            ),
        },
    )
    assert floor_breaches("cn", stricter) == []


def test_uk_hours_are_policy_not_law():
    # CONC sets no statutory hours: the shipped 08:00-21:00 is [P].
    assert floor_breaches("uk", _with("uk", {"contact_window": {"end": "21:30"}})) == []


@pytest.mark.django_db
def test_rule_pack_update_refuses_a_breach_without_an_approved_override(admin_user):
    with pytest.raises(ApplicationError) as caught:
        rule_pack_update(
            code="cn",
            parameters={"contact_window": {"end": "23:00"}},
            user=admin_user,
            reason="late calls",
        )
    assert caught.value.code == "below_legal_floor"
    assert "parameters.contact_window.end" in caught.value.errors
    # An "override" its requester approved is no override.
    with pytest.raises(ApplicationError):
        rule_pack_update(
            code="cn",
            parameters={"contact_window": {"end": "23:00"}},
            user=admin_user,
            reason="late calls",
            legal_override=LegalOverride(
                reason="counsel said so",
                requested_by=admin_user,
                approved_by=admin_user,
            ),
        )
    second = UserFactory(username="admin2", roles=["admin"])
    pack = rule_pack_update(
        code="cn",
        parameters={"contact_window": {"end": "23:00"}},
        user=admin_user,
        reason="late calls",
        legal_override=LegalOverride(
            reason="counsel opinion 2026-14",
            requested_by=admin_user,
            approved_by=second,
        ),
    )
    assert pack.parameters["contact_window"]["end"] == "23:00"
    assert "legal override, admin2" in pack.history.first().history_change_reason


@pytest.mark.parametrize(
    "code, changes, path",
    [
        ("cn", {"prior_consent": {"enabled": True}}, "prior_consent.enabled"),
        (
            "us",
            {"prior_consent": {"caps": ["calls_7_in_7", "sms_per_day"]}},
            "prior_consent.caps",
        ),
        (
            "uk",
            {"customer_preferences": {"enabled": False}},
            "customer_preferences.enabled",
        ),
        (
            "us",
            {"customer_preferences": {"time_channels": ["call"]}},
            "customer_preferences.time_channels",
        ),
    ],
)
def test_consent_and_customer_statements_cannot_be_loosened(code, changes, path):
    breaches = floor_breaches(code, _with(code, changes))
    assert [b.path for b in breaches] == [path]
