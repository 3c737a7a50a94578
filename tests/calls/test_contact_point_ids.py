"""Contact points an integration can name (#16 item 6): every output that shows a
contact point masked gives its stable public id, and every input that takes a
contact point accepts that id as well as the full value. A masked value, or another
customer's id, is refused naming the field."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calls.models import CallLog
from compliance.models import ContactAttempt, ContactRestriction
from tests.calls.conftest import make_case
from tests.calls.test_api import call_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(collector):
    client = APIClient()
    client.force_authenticate(collector)
    return client


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_every_point_has_a_stable_public_id(case):
    point = case.customer.contact_points.get()
    assert point.public_id.startswith("cp_") and len(point.public_id) == 19
    before = point.public_id
    point.is_primary = not point.is_primary
    point.save()
    point.refresh_from_db()
    assert point.public_id == before
    assert point.history.first().public_id == before


def test_case_outputs_give_the_id_beside_the_masked_value(api, case):
    point = case.customer.contact_points.get()
    customer = api.get("/api/v1/cases/").json()["results"][0]["customer"]
    [listed] = customer["contact_points"]
    assert listed["id"] == point.public_id
    assert "*" in listed["value"] and listed["value"] != point.value
    assert listed["channel"] == "phone" and listed["relationship"] == "self"


def test_a_call_is_recorded_against_the_id_it_was_shown(api, case):
    shown = api.get(f"/api/v1/cases/{case.reference}/").json()["customer"]
    point_id = shown["contact_points"][0]["id"]
    response = api.post(
        "/api/v1/calls/", call_body(case, contact_point=point_id), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["contact_point_id"] == point_id
    assert CallLog.objects.get().contact_point.public_id == point_id


def test_a_masked_value_or_another_customer_s_id_is_refused(api, case, queue):
    other = make_case(queue, reference="CASE-OTHER", phone="+8613900139000")
    masked = api.get("/api/v1/cases/").json()["results"][0]["customer"]["phones"][0]
    theirs = other.customer.contact_points.get().public_id
    for given in (masked, theirs):
        response = api.post(
            "/api/v1/calls/", call_body(case, contact_point=given), format="json"
        )
        assert response.status_code == 400, given
        assert "contact_point" in response.json()["errors"]
    assert not CallLog.objects.exists()


def test_restrictions_checks_and_attempts_take_the_id(admin_api, case):
    point = case.customer.contact_points.get()
    customer = case.customer.reference
    restriction = admin_api.post(
        "/api/v1/restrictions/",
        {
            "customer": customer,
            "kind": "channel_opt_out",
            "channel": "call",
            "contact_point": point.public_id,
            "reason": "asked not to be called on this number",
        },
        format="json",
    )
    assert restriction.status_code == 201, restriction.json()
    assert restriction.json()["contact_point_id"] == point.public_id
    assert ContactRestriction.objects.get().contact_point == point

    check = admin_api.post(
        "/api/v1/compliance/check/",
        {"customer": customer, "channel": "call", "contact_point": point.public_id},
        format="json",
    )
    assert check.status_code == 200, check.json()
    assert "channel_opt_out" in [r["code"] for r in check.json()["reasons"]]

    attempt = admin_api.post(
        "/api/v1/contact-attempts/",
        {
            "customer": customer,
            "channel": "sms",
            "contact_point": point.public_id,
            "at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            "outcome": "sent",
            "source": "agency-y",
        },
        format="json",
    )
    assert attempt.status_code == 201, attempt.json()
    assert attempt.json()["contact_point_id"] == point.public_id
    assert ContactAttempt.objects.get(source="agency-y").contact_value == point.value


def test_the_schema_documents_the_id(admin_api):
    schema = admin_api.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert (
        "cp_" in components["CallInput"]["properties"]["contact_point"]["description"]
    )
    assert "contact_point_id" in components["CallOutput"]["properties"]
    assert "id" in components["ContactPointRef"]["properties"]
