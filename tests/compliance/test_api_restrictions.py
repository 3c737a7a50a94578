"""/api/v1/restrictions/: record, list and end restrictions, with who and why."""

import datetime as dt

import pytest
from django.utils import timezone

from compliance.models import ContactRestriction
from tests.api import client_for
from tests.cases.factories import CaseFactory, ContactPointFactory, LoanFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/restrictions/"


@pytest.fixture
def customer(queue):
    customer = CaseFactory(queue=queue).customer
    ContactPointFactory(customer=customer, value="+8613800138000")
    return customer


@pytest.fixture
def other_customer(other_queue):
    return CaseFactory(queue=other_queue).customer


def test_a_collector_records_a_dispute_for_a_customer_they_see(collector, customer):
    loan = LoanFactory(customer=customer)
    body = {
        "customer": customer.reference,
        "kind": "dispute",
        "loan": loan.reference,
        "reason": "Customer disputes the late fee in writing.",
    }

    response = client_for(collector).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    payload = response.json()
    assert payload["kind"] == "dispute"
    assert payload["customer"] == customer.reference
    assert payload["loan"] == loan.reference
    assert payload["recorded_by"] == "collector"
    assert payload["active"] is True
    assert payload["ends_at"] is None
    restriction = ContactRestriction.objects.get()
    assert restriction.recorded_by == collector
    assert abs(restriction.starts_at - timezone.now()) < dt.timedelta(minutes=1)
    record = restriction.history.get()
    assert record.history_user == collector
    assert record.history_change_reason.startswith("recorded: Customer disputes")


def test_a_channel_opt_out_names_its_contact_point(supervisor, customer):
    body = {
        "customer": customer.reference,
        "kind": "channel_opt_out",
        "channel": "sms",
        "contact_point": "138 0013 8000",
        "reason": "Replied STOP",
        "source": "sms_reply",
    }

    response = client_for(supervisor).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    payload = response.json()
    assert payload["contact_point"] == "+86138****8000"
    assert payload["source"] == "sms_reply"
    assert ContactRestriction.objects.get().contact_point.value == "+8613800138000"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "bankruptcy"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"kind": "channel_opt_out"}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"contact_point": "+8613999999999"}, "contact_point"),
        ({"loan": "NOPE"}, "loan"),
        (
            {
                "starts_at": "2026-03-02T10:00:00+08:00",
                "ends_at": "2026-03-01T10:00:00+08:00",
            },
            "ends_at",
        ),
        ({"starts_at": "last week"}, "starts_at"),
    ],
)
def test_bad_restriction_input_names_the_field(collector, customer, change, field):
    body = {
        "customer": customer.reference,
        "kind": "cease_communication",
        "reason": "Asked to stop",
    } | change

    response = client_for(collector).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not ContactRestriction.objects.exists()


def test_a_collector_gets_404_recording_for_a_customer_outside_their_cases(
    collector, other_customer
):
    body = {
        "customer": other_customer.reference,
        "kind": "deceased",
        "reason": "Informed by family",
    }

    response = client_for(collector).post(URL, body, format="json")

    assert response.status_code == 404
    assert not ContactRestriction.objects.exists()


def make_restriction(customer, **kwargs) -> ContactRestriction:
    values = {
        "customer": customer,
        "kind": "legal_hold",
        "starts_at": timezone.now() - dt.timedelta(days=2),
        "reason": "Bankruptcy petition filed",
    } | kwargs
    return ContactRestriction.objects.create(**values)


def test_the_list_shows_only_visible_customers_and_filters(
    collector, customer, other_customer
):
    mine = make_restriction(customer)
    ended = make_restriction(
        customer,
        kind="dispute",
        ends_at=timezone.now() - dt.timedelta(days=1),
    )
    make_restriction(other_customer)
    client = client_for(collector)

    listed = client.get(URL).json()
    active = client.get(URL, {"active": "true"}).json()
    disputes = client.get(URL, {"kind": "dispute"}).json()
    by_customer = client.get(URL, {"customer": other_customer.reference}).json()

    assert {r["id"] for r in listed["results"]} == {mine.pk, ended.pk}
    assert [r["id"] for r in active["results"]] == [mine.pk]
    assert [r["id"] for r in disputes["results"]] == [ended.pk]
    assert by_customer["count"] == 0


def test_the_list_uses_a_bounded_number_of_queries(
    admin_user, customer, django_assert_max_num_queries
):
    point = customer.contact_points.get()
    for _ in range(5):
        make_restriction(customer, contact_point=point, recorded_by=admin_user)
    client = client_for(admin_user)

    with django_assert_max_num_queries(5):
        response = client.get(URL)

    assert response.json()["count"] == 5


def test_ending_a_restriction_sets_its_end_and_keeps_who_and_why(collector, customer):
    restriction = make_restriction(customer)

    response = client_for(collector).post(
        f"{URL}{restriction.pk}/end/",
        {"reason": "Petition dismissed"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    payload = response.json()
    assert payload["active"] is False
    assert payload["ends_at"] is not None
    assert "Bankruptcy petition filed" in payload["reason"]
    assert "Petition dismissed" in payload["reason"]
    restriction.refresh_from_db()
    assert abs(restriction.ends_at - timezone.now()) < dt.timedelta(minutes=1)
    latest = restriction.history.first()
    assert latest.history_user == collector
    assert latest.history_change_reason == "ended: Petition dismissed"


def test_ending_twice_is_a_conflict(collector, customer):
    restriction = make_restriction(customer)
    client = client_for(collector)
    url = f"{URL}{restriction.pk}/end/"
    assert client.post(url, {"reason": "Done"}, format="json").status_code == 200

    response = client.post(url, {"reason": "Again"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_ended"


def test_ending_needs_a_reason(collector, customer):
    restriction = make_restriction(customer)

    response = client_for(collector).post(
        f"{URL}{restriction.pk}/end/", {}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"reason"}
    restriction.refresh_from_db()
    assert restriction.ends_at is None


def test_ending_a_restriction_outside_ones_cases_is_404(collector, other_customer):
    restriction = make_restriction(other_customer)

    response = client_for(collector).post(
        f"{URL}{restriction.pk}/end/", {"reason": "Nope"}, format="json"
    )

    assert response.status_code == 404
    restriction.refresh_from_db()
    assert restriction.ends_at is None
