"""A zone the customer stated overrides every location signal; the zone the bank
holds is one signal among the address and phone numbers (issue 16 item 1)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases.services import customer_stated_zone_set
from compliance.services import contact_evaluate
from tests.api import client_for
from tests.cases.factories import CaseFactory, ContactPointFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
EVENING_ET = dt.datetime(2026, 3, 10, 21, 30, tzinfo=NY)  # 18:30 in Los Angeles


@pytest.fixture
def us_customer(queue):
    case = CaseFactory(queue=queue)
    customer = case.customer
    customer.country, customer.region = "US", ""
    customer.time_zone = "America/Los_Angeles"  # what the bank's records carry
    customer.save()
    ContactPointFactory(customer=customer, value="+12125550100")  # Eastern mobile
    return customer


def _decide(customer):
    return contact_evaluate(customer=customer, channel="call", at=EVENING_ET)


def test_the_held_zone_no_longer_hides_the_eastern_mobile(us_customer):
    decision = _decide(us_customer)
    assert not decision.allowed
    assert "contact_window" in decision.codes


def test_a_stated_zone_overrides_and_is_in_history(us_customer, collector):
    customer_stated_zone_set(
        customer=us_customer,
        time_zone="America/Los_Angeles",
        reason="Moved to LA; evenings after 6 are fine",
        actor=collector,
        source="collector",
    )
    us_customer.refresh_from_db()
    assert _decide(us_customer).allowed
    latest = us_customer.history.first()
    assert latest.history_user == collector
    assert latest.history_change_reason.startswith("Stated time zone America/Los")


def test_the_api_records_the_stated_zone_and_refuses_a_bad_one(us_customer, admin_user):
    api = client_for(admin_user)
    url = f"/api/v1/customers/{us_customer.reference}/stated-time-zone/"
    bad = api.post(url, {"time_zone": "Mars/Base", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "time_zone" in bad.json()["errors"]
    missing = api.post(url, {"time_zone": "America/Chicago"}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    ok = api.post(
        url,
        {"time_zone": "America/Los_Angeles", "reason": "Customer said so"},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["stated_time_zone"] == "America/Los_Angeles"
    assert ok.json()["time_zone"] == "America/Los_Angeles"


def test_another_teams_collector_cannot_set_it(us_customer, outsider):
    api = client_for(outsider)
    url = f"/api/v1/customers/{us_customer.reference}/stated-time-zone/"
    response = api.post(
        url, {"time_zone": "America/Chicago", "reason": "x"}, format="json"
    )
    assert response.status_code == 404
