"""/api/v1/prior-consents/ and /api/v1/contact-preferences/: what the customer said
about being contacted, recorded with who and why, read by the gate at once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from compliance.models import ContactPreference, PriorConsent
from tests.api import client_for
from tests.cases.factories import CaseFactory, ContactPointFactory, LoanFactory
from tests.compliance.factories import ContactAttemptFactory, UsCustomerFactory

pytestmark = pytest.mark.django_db

CONSENTS = "/api/v1/prior-consents/"
PREFERENCES = "/api/v1/contact-preferences/"
CHECK = "/api/v1/compliance/check/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 2 March 2026, 10:00 in Shanghai.
MONDAY = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)


@pytest.fixture
def case(queue):
    case = CaseFactory(queue=queue)
    ContactPointFactory(customer=case.customer, value="+8613800138000")
    return case


@pytest.fixture
def us_case(queue):
    customer = UsCustomerFactory(region="NY", time_zone="America/New_York")
    case = CaseFactory(queue=queue, customer=customer)
    ContactPointFactory(customer=customer, value="+12125550100")
    return case


def test_a_collector_records_a_prior_consent_from_the_api(
    collector, us_case, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 6, 15, tzinfo=NEW_YORK), tick=False)
    loan = LoanFactory(customer=us_case.customer)
    body = {
        "customer": us_case.customer.reference,
        "case": us_case.reference,
        "loan": loan.reference,
        "starts_at": "2026-03-09T09:00:00-04:00",
        "reason": "Call me back on Monday morning.",
        "evidence": "call 42",
    }

    response = client_for(collector).post(CONSENTS, body, format="json")

    assert response.status_code == 201, response.json()
    payload = response.json()
    assert payload["source"] == "api"
    assert payload["recorded_by"] == "collector"
    assert payload["loan"] == loan.reference
    assert payload["case"] == us_case.reference
    # Default end: the end of that Monday in the customer's calendar.
    assert dt.datetime.fromisoformat(payload["ends_at"]) == dt.datetime(
        2026, 3, 10, tzinfo=NEW_YORK
    )
    assert payload["active"] is False
    consent = PriorConsent.objects.get()
    record = consent.history.get()
    assert record.history_user == collector
    assert record.history_change_reason.startswith("prior consent recorded: Call me")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2026-03-20T09:00:00-04:00"}, "ends_at"),
        ({"starts_at": "2026-03-01T09:00:00-04:00"}, "starts_at"),
        ({"ends_at": "2026-03-09T08:00:00-04:00"}, "ends_at"),
        ({"reason": ""}, "reason"),
        ({"loan": "NOT-A-LOAN"}, "loan"),
    ],
)
def test_a_bad_prior_consent_is_refused_naming_the_field(
    collector, us_case, time_machine, change, field
):
    time_machine.move_to(dt.datetime(2026, 3, 6, 15, tzinfo=NEW_YORK), tick=False)
    body = {
        "customer": us_case.customer.reference,
        "starts_at": "2026-03-09T09:00:00-04:00",
        "reason": "Call me back on Monday.",
        **change,
    }

    response = client_for(collector).post(CONSENTS, body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not PriorConsent.objects.exists()


def test_a_prior_consent_for_a_customer_one_may_not_see_is_not_found(
    collector, other_queue
):
    hidden = CaseFactory(queue=other_queue).customer
    body = {"customer": hidden.reference, "reason": "Call me back later."}
    response = client_for(collector).post(CONSENTS, body, format="json")
    assert response.status_code == 404
    assert client_for(collector).get(CONSENTS).json()["results"] == []


def test_the_gate_allows_an_eighth_call_under_consent_and_says_why(
    collector, us_case, time_machine
):
    now = dt.datetime(2026, 3, 8, 15, tzinfo=NEW_YORK)
    time_machine.move_to(now, tick=False)
    customer = us_case.customer
    point = customer.contact_points.get()
    for day in range(2, 9):
        ContactAttemptFactory(
            customer=customer,
            contact_point=point,
            at=dt.datetime(2026, 3, day, 11, tzinfo=NEW_YORK),
        )
    check = {"customer": customer.reference, "channel": "call"}
    api = client_for(collector)
    assert api.post(CHECK, check, format="json").json()["allowed"] is False

    response = api.post(
        CONSENTS,
        {"customer": customer.reference, "reason": "Call me back in an hour."},
        format="json",
    )
    assert response.status_code == 201, response.json()

    decision = api.post(CHECK, check, format="json").json()
    assert decision["allowed"] is True
    assert [r["code"] for r in decision["reasons"]] == ["prior_consent"]
    assert decision["reasons"][0]["citation"] == "Reg F §1006.14(b)(3)(i)"

    revoke = f"{CONSENTS}{PriorConsent.objects.get().pk}/revoke/"
    assert api.post(revoke, {"reason": ""}, format="json").status_code == 400
    response = api.post(revoke, {"reason": "Changed their mind"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["revoked_by"] == "collector"
    assert api.post(CHECK, check, format="json").json()["allowed"] is False
    again = api.post(revoke, {"reason": "Twice"}, format="json")
    assert again.status_code == 409


def test_stated_inconvenient_hours_move_the_next_permitted_time(
    collector, case, time_machine
):
    time_machine.move_to(MONDAY, tick=False)
    api = client_for(collector)
    body = {
        "customer": case.customer.reference,
        "kind": "inconvenient_hours",
        "weekday": 0,
        "start_time": "09:00",
        "end_time": "12:00",
        "reason": "在上班，周一上午不方便接电话",
    }

    response = api.post(PREFERENCES, body, format="json")

    assert response.status_code == 201, response.json()
    payload = response.json()
    assert payload["source"] == "api"
    assert payload["active"] is True
    decision = api.post(
        CHECK, {"customer": case.customer.reference, "channel": "call"}, format="json"
    ).json()
    assert decision["allowed"] is False
    assert decision["reasons"][0]["code"] == "customer_inconvenient_time"
    assert dt.datetime.fromisoformat(decision["next_permitted_at"]) == MONDAY.replace(
        hour=12
    )
    reply = api.post(
        CHECK,
        {
            "customer": case.customer.reference,
            "channel": "call",
            "purpose": "reply_to_inbound",
        },
        format="json",
    ).json()
    assert reply["allowed"] is True
    assert reply["reasons"][0]["code"] == "reply_to_inbound"

    pk = ContactPreference.objects.get().pk
    response = api.post(
        f"{PREFERENCES}{pk}/revoke/", {"reason": "Now fine"}, format="json"
    )
    assert response.status_code == 200
    decision = api.post(
        CHECK, {"customer": case.customer.reference, "channel": "call"}, format="json"
    ).json()
    assert decision["allowed"] is True


def test_hours_that_suit_the_customer_make_the_rest_of_the_day_wait(
    collector, case, time_machine
):
    time_machine.move_to(MONDAY, tick=False)
    api = client_for(collector)
    body = {
        "customer": case.customer.reference,
        "kind": "preferred_hours",
        "start_time": "18:00",
        "end_time": "20:00",
        "reason": "Only after work, 6 to 8 pm.",
    }

    response = api.post(PREFERENCES, body, format="json")

    assert response.status_code == 201, response.json()
    decision = api.post(
        CHECK, {"customer": case.customer.reference, "channel": "call"}, format="json"
    ).json()
    assert decision["allowed"] is False
    assert "asked to be contacted only" in decision["reasons"][0]["message"]
    assert dt.datetime.fromisoformat(decision["next_permitted_at"]) == MONDAY.replace(
        hour=18, minute=0
    )


def test_a_new_preferred_channel_ends_the_last_one(collector, case, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    api = client_for(collector)
    body = {
        "customer": case.customer.reference,
        "kind": "preferred_channel",
        "channel": "email",
        "reason": "Email me, please.",
    }
    first = api.post(PREFERENCES, body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["channel"] == "email"
    second = api.post(
        PREFERENCES, {**body, "channel": "sms", "reason": "Texts now."}, format="json"
    )
    assert second.status_code == 201, second.json()

    listed = api.get(PREFERENCES, {"customer": case.customer.reference}).json()
    active = {row["channel"]: row["active"] for row in listed["results"]}
    assert active == {"email": False, "sms": True}
    earlier = ContactPreference.objects.get(channel="email")
    assert earlier.revoke_reason == "Superseded by a later preferred channel."
    # A preferred channel is no gate input: the call is still allowed.
    decision = api.post(
        CHECK, {"customer": case.customer.reference, "channel": "call"}, format="json"
    ).json()
    assert decision["allowed"] is True


def test_not_at_work_names_the_work_number_by_its_id(collector, case, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    work = ContactPointFactory(
        customer=case.customer, value="+862155550100", is_primary=False
    )
    api = client_for(collector)
    body = {
        "customer": case.customer.reference,
        "kind": "not_at_work",
        "contact_point": work.public_id,
        "reason": "My employer does not allow personal calls.",
    }

    response = api.post(PREFERENCES, body, format="json")

    assert response.status_code == 201, response.json()
    work.refresh_from_db()
    assert work.usage == "work"
    assert work.history.first().history_change_reason.startswith("marked as work")
    decision = api.post(
        CHECK,
        {
            "customer": case.customer.reference,
            "channel": "call",
            "contact_point": work.public_id,
        },
        format="json",
    ).json()
    assert decision["outcome"] == "deny"
    assert decision["reasons"][0]["code"] == "customer_inconvenient_place"
    mobile = api.post(
        CHECK, {"customer": case.customer.reference, "channel": "call"}, format="json"
    ).json()
    assert mobile["allowed"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "sometimes"}, "kind"),
        ({"start_time": None}, "start_time"),
        ({"end_time": "08:00"}, "end_time"),
        ({"weekday": 7}, "weekday"),
        ({"start_time": "25:00"}, "start_time"),
        ({"kind": "inconvenient_day", "weekday": None}, "weekday"),
        ({"kind": "not_at_home", "contact_point": "+8613900000000"}, "contact_point"),
        ({"reason": ""}, "reason"),
        ({"ends_at": "2026-03-01T00:00:00+08:00"}, "ends_at"),
        ({"channel": "email"}, "channel"),
        ({"kind": "preferred_channel", "channel": "visit"}, "channel"),
        ({"kind": "preferred_channel", "channel": "sms", "weekday": 2}, "weekday"),
        ({"kind": "preferred_hours", "end_time": None}, "end_time"),
    ],
)
def test_a_bad_statement_is_refused_naming_the_field(
    collector, case, time_machine, change, field
):
    time_machine.move_to(MONDAY, tick=False)
    body = {
        "customer": case.customer.reference,
        "kind": "inconvenient_hours",
        "start_time": "09:00",
        "end_time": "12:00",
        "reason": "Busy in the mornings.",
        **change,
    }
    if change.get("kind") in ("inconvenient_day", "preferred_channel"):
        body.pop("start_time"), body.pop("end_time")

    response = client_for(collector).post(PREFERENCES, body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not ContactPreference.objects.exists()


def test_statements_are_listed_for_the_customers_one_may_see(
    collector, case, other_queue
):
    hidden = CaseFactory(queue=other_queue).customer
    for customer in (case.customer, hidden):
        ContactPreference.objects.create(
            customer=customer,
            kind="inconvenient_day",
            weekday=6,
            starts_at=timezone.now(),
            reason="Not on Sundays",
            source="collector",
        )
    results = client_for(collector).get(PREFERENCES).json()["results"]
    assert [r["customer"] for r in results] == [case.customer.reference]
