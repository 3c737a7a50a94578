"""What the customer said, from the case page and the guided call: a callback with
prior consent, inconvenient times and places, revoking them. Through the HTTP client."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import CallLog
from compliance.models import ContactPreference, PriorConsent
from tests.calls.conftest import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def case_url(case, suffix=""):
    return f"/cases/{case.reference}/{suffix}"


def in_call_at_resolution(web, case, phone):
    web.post(case_url(case, "call/start/"), {"contact_point": phone.pk})
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    web.post(case_url(case, "call/step/"), {"action": "resolve"})


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_a_callback_with_consent_records_the_prior_consent(web, case, phone, collector):
    in_call_at_resolution(web, case, phone)
    monday = timezone.now() + dt.timedelta(days=6, hours=-1)

    response = web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "callback",
            "attitude": "cooperative",
            "notes": "Call me back next Monday morning.",
            "callback_at": local(monday),
            "callback_consent": "on",
        },
    )

    assert response.status_code == 302
    call = CallLog.objects.get()
    consent = PriorConsent.objects.get()
    assert consent.source == "collector"
    assert consent.recorded_by == collector
    assert consent.case == case
    assert consent.evidence == f"call {call.pk}"
    assert consent.reason == "Call me back next Monday morning."
    assert abs(consent.starts_at - monday) < dt.timedelta(minutes=1)
    # The end of that day in the customer's calendar (Shanghai).
    assert timezone.localtime(consent.ends_at).time() == dt.time(0)
    assert consent.history.get().history_user == collector
    page = web.get(case_url(case)).text
    assert "Prior consent to calls from" in page


def test_consent_without_a_callback_time_is_refused_and_nothing_is_logged(
    web, case, phone
):
    in_call_at_resolution(web, case, phone)
    response = web.post(
        case_url(case, "call/log/"),
        {"outcome": "callback", "attitude": "cooperative", "callback_consent": "on"},
    )
    assert response.status_code == 400
    assert "Say when the customer asked to be called back." in response.text
    assert not CallLog.objects.exists()
    assert not PriorConsent.objects.exists()


def test_consent_longer_than_seven_days_is_refused_on_its_field(web, case, phone):
    in_call_at_resolution(web, case, phone)
    start = timezone.now() + dt.timedelta(days=1)
    response = web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "callback",
            "attitude": "cooperative",
            "callback_at": local(start),
            "callback_consent": "on",
            "callback_consent_until": local(start + dt.timedelta(days=8)),
        },
    )
    assert response.status_code == 400
    assert "at most 7 days" in response.text
    assert not CallLog.objects.exists()


def test_a_callback_without_consent_records_no_consent(web, case, phone):
    in_call_at_resolution(web, case, phone)
    response = web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "callback",
            "attitude": "cooperative",
            "callback_at": local(timezone.now() + dt.timedelta(days=1)),
        },
    )
    assert response.status_code == 302
    assert CallLog.objects.exists() and not PriorConsent.objects.exists()


def test_inconvenient_hours_from_the_case_page_block_the_call_now(
    web, case, phone, collector
):
    # The case fixture's clock: Monday 30 November 2026, 10:00 in Shanghai.
    assert "May call until" in web.get(case_url(case)).text
    response = web.post(
        case_url(case, "preference/"),
        {
            "kind": "inconvenient_hours",
            "weekday": "0",
            "start_time": "09:00",
            "end_time": "12:00",
            "reason": "周一上午开会，不方便接电话",
        },
    )
    assert response.status_code == 302
    preference = ContactPreference.objects.get()
    assert preference.source == "collector"
    assert preference.recorded_by == collector
    page = web.get(case_url(case)).text
    assert "the customer said Mondays 09:00-12:00 is inconvenient" in page
    assert "May call until" not in page
    assert "Inconvenient: Mondays 09:00-12:00" in page  # listed and on the timeline

    response = web.post(
        case_url(case, f"statements/preference/{preference.pk}/revoke/"),
        {"reason": "The customer now prefers mornings"},
    )
    assert response.status_code == 302
    preference.refresh_from_db()
    assert preference.revoked_by == collector
    assert preference.history.first().history_change_reason.startswith(
        "customer statement revoked"
    )
    assert "May call until" in web.get(case_url(case)).text


def test_hours_and_a_channel_that_suit_the_customer_from_the_case_page(web, case):
    # Monday 10:00 in Shanghai; the customer said "evenings, 19:00-21:00, by email".
    response = web.post(
        case_url(case, "preference/"),
        {
            "kind": "preferred_hours",
            "start_time": "19:00",
            "end_time": "21:00",
            "reason": "下班后再联系",
        },
    )
    assert response.status_code == 302
    response = web.post(
        case_url(case, "preference/"),
        {"kind": "preferred_channel", "channel": "email", "reason": "Prefers email"},
    )
    assert response.status_code == 302
    page = web.get(case_url(case)).text
    assert "the customer asked to be contacted only every day 19:00-21:00" in page
    assert "May call until" not in page
    assert "Contact only: every day 19:00-21:00" in page
    assert "Prefers contact by email" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "preferred_channel"}, "Choose one of"),
        ({"kind": "inconvenient_hours", "end_time": "12:00"}, "Give the time"),
        ({"kind": "inconvenient_day"}, "Say which day is inconvenient."),
        (
            {"kind": "inconvenient_hours", "start_time": "12:00", "end_time": "09:00"},
            "The end must be after the start",
        ),
    ],
)
def test_a_bad_statement_is_shown_on_its_form(web, case, body, message):
    response = web.post(case_url(case, "preference/"), {**body, "reason": "Busy"})
    assert response.status_code == 400
    assert message in response.text
    assert not ContactPreference.objects.exists()


def test_not_at_work_marks_the_work_number_and_blocks_it(web, case, phone):
    response = web.post(
        case_url(case, "preference/"),
        {
            "kind": "not_at_work",
            "contact_point": phone.pk,
            "reason": "Employer forbids personal calls",
        },
    )
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.usage == "work"
    assert "their employer prohibits contact at work" in web.get(case_url(case)).text


def test_another_teams_case_has_no_statement_page(web, other_queue, working_hours):
    other = make_case(other_queue, reference="CASE-THEIRS")
    assert web.get(case_url(other, "preference/")).status_code == 404
    response = web.post(
        case_url(other, "statements/preference/1/revoke/"), {"reason": "x"}
    )
    assert response.status_code == 404


def test_a_prior_consent_is_revoked_from_the_case_page(web, case, phone, collector):
    in_call_at_resolution(web, case, phone)
    web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "callback",
            "attitude": "cooperative",
            "callback_at": local(timezone.now() + dt.timedelta(days=1)),
            "callback_consent": "on",
        },
    )
    consent = PriorConsent.objects.get()
    response = web.post(
        case_url(case, f"statements/consent/{consent.pk}/revoke/"),
        {"reason": "Asked us not to call after all"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None and consent.revoked_by == collector
    assert "revoked" in web.get(case_url(case)).text
