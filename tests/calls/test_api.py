"""API parity for collector work: cases, cases/next, calls, promises, plans."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calls.models import CallLog, CallTask
from compliance.models import ContactAttempt, ContactRestriction
from tests.calls.conftest import NIGHT, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(collector):
    client = APIClient()
    client.force_authenticate(collector)
    return client


def call_body(case, **kwargs):
    now = timezone.now()
    body = {
        "case": case.reference,
        "contact_point": case.customer.contact_points.get().value,
        "started_at": (now - dt.timedelta(minutes=4)).isoformat(),
        "ended_at": now.isoformat(),
        "outcome": "promise_to_pay",
        "identity_confirmed": True,
        "disclosure_made": True,
        "attitude": "cooperative",
        "notes": "Will pay Friday.",
    }
    body.update(kwargs)
    return body


def test_the_case_list_shows_only_visible_cases_with_masked_pii(api, case, other_queue):
    make_case(other_queue, reference="CASE-THEIRS")

    body = api.get("/api/v1/cases/").json()

    assert [c["reference"] for c in body["results"]] == ["CASE-MINE"]
    customer = body["results"][0]["customer"]
    phone = case.customer.contact_points.get().value
    assert customer["phones"] == [phone[:6] + "****" + phone[-4:]]
    assert "*" in customer["national_id"]
    assert body["results"][0]["overdue"]["days_past_due"] == 40


def test_the_case_list_filters_by_queue_and_bucket(api, case, queue):
    assert api.get("/api/v1/cases/", {"queue": queue.code}).json()["count"] == 1
    assert api.get("/api/v1/cases/", {"queue": "nope"}).json()["count"] == 0
    assert api.get("/api/v1/cases/", {"bucket": "1-30"}).json()["count"] == 0


def test_another_teams_case_is_404(api, other_queue, working_hours):
    theirs = make_case(other_queue, reference="CASE-THEIRS")
    response = api.get(f"/api/v1/cases/{theirs.reference}/")
    assert response.status_code == 404
    assert api.get("/api/v1/cases/CASE-MINE-NOT/").status_code == 404


def test_the_case_detail_lists_loans(api, case):
    body = api.get(f"/api/v1/cases/{case.reference}/").json()
    assert body["reference"] == case.reference
    assert body["loans"][0]["overdue_amount"] == "1000.00"


def test_next_case_claims_and_says_until_when(api, case, collector):
    response = api.post("/api/v1/cases/next/")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == case.reference
    assert body["claimed_until"]
    assert "*" in body["customer"]["phones"][0]
    assert CallTask.objects.get(case=case).claimed_by == collector


def test_next_case_is_204_when_nothing_may_be_called(api, queue, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    make_case(queue)
    assert api.post("/api/v1/cases/next/").status_code == 204


def test_a_call_is_recorded_through_the_gate(api, case):
    response = api.post("/api/v1/calls/", call_body(case), format="json")

    assert response.status_code == 201, response.json()
    call = CallLog.objects.get()
    assert response.json()["reference"] == call.reference
    assert call.contact_attempt.result == ContactAttempt.Result.CONVERSATION
    assert api.get("/api/v1/calls/").json()["count"] == 1


def test_a_call_disclosing_before_identity_is_refused(api, case):
    response = api.post(
        "/api/v1/calls/",
        call_body(case, identity_confirmed=False, disclosure_made=True),
        format="json",
    )
    assert response.status_code == 400
    assert "identity" in response.json()["errors"]["disclosure_made"][0]
    assert not ContactAttempt.objects.exists()


def test_a_call_to_a_blocked_contact_point_is_refused_naming_the_reason(api, case):
    ContactRestriction.objects.create(
        customer=case.customer,
        kind=ContactRestriction.Kind.ATTORNEY,
        starts_at=timezone.now() - dt.timedelta(days=2),
        reason="Represented",
    )
    response = api.post("/api/v1/calls/", call_body(case), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "contact_blocked"
    assert "represented" in body["errors"]["contact_point"][0]
    assert not CallLog.objects.exists()


def test_a_call_on_another_teams_case_is_404(api, other_queue, working_hours):
    theirs = make_case(other_queue, reference="CASE-THEIRS")
    response = api.post("/api/v1/calls/", call_body(theirs), format="json")
    assert response.status_code == 404


def test_a_promise_is_recorded(api, case):
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = api.post(
        "/api/v1/promises/",
        {"case": case.reference, "amount": "500", "due_date": due},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"


@pytest.mark.parametrize(
    ("amount", "days", "field"),
    [("500", -1, "due_date"), ("999999", 3, "amount"), ("0", 3, "amount")],
)
def test_a_bad_promise_is_400_naming_the_field(api, case, amount, days, field):
    due = (timezone.localdate() + dt.timedelta(days=days)).isoformat()
    response = api.post(
        "/api/v1/promises/",
        {"case": case.reference, "amount": amount, "due_date": due},
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_plan_is_proposed(api, case):
    today = timezone.localdate()
    body = {
        "case": case.reference,
        "kind": "instalments",
        "instalments": [
            {
                "due_date": (today + dt.timedelta(days=30 * n)).isoformat(),
                "amount": "500",
            }
            for n in (1, 2)
        ],
        "reason": "Salary cut",
    }
    response = api.post("/api/v1/repayment-plans/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "proposed"
    assert len(response.json()["instalments"]) == 2


@pytest.mark.parametrize(
    "instalments",
    [
        [],
        [{"due_date": "2020-01-01", "amount": "100"}],
        [{"due_date": "2099-01-01", "amount": "999999"}],
    ],
    ids=["empty", "past", "above-balance"],
)
def test_a_bad_plan_is_400(api, case, instalments):
    body = {"case": case.reference, "kind": "instalments", "instalments": instalments}
    response = api.post("/api/v1/repayment-plans/", body, format="json")
    assert response.status_code == 400
    assert "instalments" in response.json()["errors"]
