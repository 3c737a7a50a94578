"""POST /api/v1/compliance/check/: the decision, field errors, visibility, no writes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from compliance.models import ContactAttempt, ContactRestriction, Decision
from tests.api import client_for
from tests.cases.factories import (
    CaseFactory,
    ContactPointFactory,
    CustomerFactory,
    LoanFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/compliance/check/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at_shanghai(hour: int, minute: int = 0, second: int = 0) -> str:
    return dt.datetime(2026, 3, 2, hour, minute, second, tzinfo=SHANGHAI).isoformat()


def test_a_call_inside_the_window_is_allowed_and_nothing_is_written(collector, case):
    body = {
        "customer": case.customer.reference,
        "channel": "call",
        "at": at_shanghai(10),
    }

    response = client_for(collector).post(URL, body, format="json")

    assert response.status_code == 200, response.json()
    decision = response.json()
    assert decision["allowed"] is True
    assert decision["outcome"] in ("allow", "allow_with_conditions")
    assert decision["rule_pack"] == "cn"
    assert set(decision) == {
        "allowed",
        "outcome",
        "reasons",
        "conditions",
        "next_permitted_at",
        "rule_pack",
        "rule_pack_version",
    }
    assert ContactAttempt.objects.count() == 0
    assert Decision.objects.count() == 0


def test_a_call_at_night_is_refused_with_200_a_reason_and_the_next_time(
    collector, case
):
    body = {
        "customer": case.customer.reference,
        "channel": "call",
        "contact_point": "13800138000",
        "at": at_shanghai(22, 0, 0),
        "purpose": "collection",
    }

    response = client_for(collector).post(URL, body, format="json")

    assert response.status_code == 200
    decision = response.json()
    assert decision["allowed"] is False
    assert "contact_window" in [r["code"] for r in decision["reasons"]]
    reason = decision["reasons"][0]
    assert {"code", "rule", "message", "citation"} <= set(reason)
    next_at = dt.datetime.fromisoformat(decision["next_permitted_at"])
    assert next_at == dt.datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI)
    # Refused or not, the check records nothing.
    assert ContactAttempt.objects.count() == 0
    assert Decision.objects.count() == 0


def test_a_restriction_recorded_through_the_api_blocks_the_check(collector, case):
    client = client_for(collector)
    restriction = {
        "customer": case.customer.reference,
        "kind": "cease_communication",
        "reason": "Written cease request received 2026-03-01",
        "starts_at": "2026-03-01T00:00:00+08:00",
    }
    assert (
        client.post("/api/v1/restrictions/", restriction, format="json").status_code
        == 201
    )

    response = client.post(
        URL,
        {"customer": case.customer.reference, "channel": "sms", "at": at_shanghai(10)},
        format="json",
    )

    decision = response.json()
    assert decision["allowed"] is False
    assert "cease_communication" in [r["code"] for r in decision["reasons"]]
    assert ContactRestriction.objects.count() == 1
    assert Decision.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"at": "tomorrow morning"}, "at"),
        ({"purpose": "gossip"}, "purpose"),
        ({"customer": ""}, "customer"),
        ({"contact_point": "+8613900000000"}, "contact_point"),
        ({"loan": "NOT-A-LOAN"}, "loan"),
    ],
)
def test_bad_input_is_400_naming_the_field(collector, case, change, field):
    body = {"customer": case.customer.reference, "channel": "call"} | change

    response = client_for(collector).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in payload["errors"]
    assert Decision.objects.count() == 0


def test_a_loan_of_another_customer_is_refused(collector, case):
    other_loan = LoanFactory()

    response = client_for(collector).post(
        URL,
        {
            "customer": case.customer.reference,
            "channel": "call",
            "loan": other_loan.reference,
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"loan"}


def test_a_collector_gets_404_for_a_customer_outside_their_cases(
    collector, other_queue
):
    theirs = CaseFactory(queue=other_queue).customer

    response = client_for(collector).post(
        URL, {"customer": theirs.reference, "channel": "call"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["errors"].keys() == {"customer"}


def test_a_case_must_be_visible_and_the_customers(collector, case, queue, other_queue):
    client = client_for(collector)
    body = {"customer": case.customer.reference, "channel": "call"}

    hidden = client.post(
        URL, body | {"case": CaseFactory(queue=other_queue).reference}, format="json"
    )
    foreign = client.post(
        URL, body | {"case": CaseFactory(queue=queue).reference}, format="json"
    )
    own = client.post(URL, body | {"case": case.reference}, format="json")

    assert hidden.status_code == 404
    assert hidden.json()["errors"].keys() == {"case"}
    assert foreign.status_code == 400
    assert foreign.json()["errors"].keys() == {"case"}
    assert own.status_code == 200


def test_admin_may_check_any_customer(admin_user):
    customer = CustomerFactory(country="US", region="NY")
    ContactPointFactory(customer=customer, value="+12125550123")

    response = client_for(admin_user).post(
        URL,
        {
            "customer": customer.reference,
            "channel": "call",
            "at": "2026-03-02T12:00:00-05:00",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["rule_pack"] == "us"


def test_the_default_time_is_now(collector, case, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), tick=False)

    response = client_for(collector).post(
        URL, {"customer": case.customer.reference, "channel": "call"}, format="json"
    )

    assert response.json()["allowed"] is False


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+00:00", "2150-01-01T00:00:00Z"])
def test_a_time_outside_1970_to_2099_is_a_field_error_not_a_crash(collector, case, at):
    response = client_for(collector).post(
        URL,
        {"customer": case.customer.reference, "channel": "call", "at": at},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"at"}
