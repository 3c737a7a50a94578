"""Customers API: creation with contact points, validation, visibility, masking."""

import pytest
from rest_framework.test import APIClient

from cases.models import ContactPoint, Customer
from tests.api import client_for
from tests.cases.factories import (
    CaseFactory,
    ContactPointFactory,
    CustomerFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def customer_body(**overrides) -> dict:
    body = {
        "reference": "CUST-1",
        "full_name": "王小明",
        "country": "CN",
        "time_zone": "Asia/Shanghai",
        "region": "SH",
        "language": "zh-hans",
        "contact_points": [
            {
                "channel": "phone",
                "value": "138 0013 8000",
                "relationship": "self",
                "consent": True,
            },
            {
                "channel": "email",
                "value": "xiaoming@Example.COM",
                "relationship": "self",
                "consent": True,
            },
            {
                "channel": "phone",
                "value": "+86 139 0013 9000",
                "relationship": "spouse",
                "consent": False,
            },
        ],
    }
    body.update(overrides)
    return body


def test_admin_creates_a_customer_with_normalised_contact_points(admin_user):
    response = client_for(admin_user).post(URL, customer_body(), format="json")

    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(reference="CUST-1")
    points = {(p.channel, p.value): p for p in customer.contact_points.all()}
    assert set(points) == {
        ("phone", "+8613800138000"),
        ("email", "xiaoming@example.com"),
        ("phone", "+8613900139000"),
    }
    assert points["phone", "+8613800138000"].is_primary
    spouse = points["phone", "+8613900139000"]
    assert not spouse.is_primary and not spouse.consent
    assert spouse.relationship == "spouse"
    assert customer.time_zone == "Asia/Shanghai"
    body = response.json()
    assert body["reference"] == "CUST-1"
    # PII leaves masked, even in the answer to its own creation.
    assert body["contact_points"][0]["value"] == "+86138****8000"
    assert body["contact_points"][1]["value"] == "x***@example.com"


def test_creation_is_recorded_in_history_with_the_acting_user(admin_user):
    client_for(admin_user).post(URL, customer_body(), format="json")

    record = Customer.history.get(reference="CUST-1")
    assert record.history_user == admin_user
    assert record.history_change_reason == "customer created"
    point_record = ContactPoint.history.filter(value="+8613800138000").get()
    assert point_record.history_user == admin_user


def test_a_phone_without_prefix_is_read_in_the_customers_country(admin_user):
    body = customer_body(
        reference="US-1",
        country="US",
        time_zone="",
        contact_points=[{"channel": "phone", "value": "(212) 555-0123"}],
    )
    response = client_for(admin_user).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    point = ContactPoint.objects.get(customer__reference="US-1")
    assert point.value == "+12125550123"
    assert point.relationship == "self" and point.consent is True


def test_a_bad_phone_number_names_the_contact_point(admin_user):
    body = customer_body()
    body["contact_points"][2]["value"] = "12345"

    response = client_for(admin_user).post(URL, body, format="json")

    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert set(payload["errors"]) == {"contact_points[2].value"}
    assert not Customer.objects.exists()


def test_a_value_that_is_no_phone_number_says_so_with_the_value(admin_user):
    body = customer_body()
    body["contact_points"][2]["value"] = "not a number"

    response = client_for(admin_user).post(URL, body, format="json")

    assert response.status_code == 400
    # Not libphonenumber's "(1) The string supplied did not seem to be a phone
    # number." with its error code.
    assert response.json()["errors"] == {
        "contact_points[2].value": ["'not a number' is not a phone number."]
    }


def test_bad_country_time_zone_and_channel_are_each_named(admin_user):
    body = customer_body(country="XX", time_zone="Mars/Olympus")
    body["contact_points"][0]["channel"] = "pigeon"

    response = client_for(admin_user).post(URL, body, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"country", "time_zone", "contact_points[0].channel"} <= set(errors)
    assert "Mars/Olympus" in errors["time_zone"][0]


def test_missing_required_fields_are_named(admin_user):
    response = client_for(admin_user).post(URL, {"country": "CN"}, format="json")

    assert response.status_code == 400
    assert {"reference", "full_name"} <= set(response.json()["errors"])


def test_the_same_contact_point_twice_is_refused(admin_user):
    body = customer_body(
        contact_points=[
            {"channel": "phone", "value": "13800138000"},
            {"channel": "phone", "value": "+86 138-0013-8000"},
        ]
    )
    response = client_for(admin_user).post(URL, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"contact_points[1].value"}


def test_a_duplicate_reference_is_a_conflict(admin_user):
    client = client_for(admin_user)
    assert client.post(URL, customer_body(), format="json").status_code == 201

    response = client.post(URL, customer_body(full_name="Someone else"), format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate"
    assert set(body["errors"]) == {"reference"}
    assert Customer.objects.get(reference="CUST-1").full_name == "王小明"


def test_collectors_and_supervisors_may_not_create_customers(collector, supervisor):
    for user in (collector, supervisor):
        response = client_for(user).post(URL, customer_body(), format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert not Customer.objects.exists()


def test_anonymous_requests_are_refused():
    response = APIClient().get(URL)

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "message", "errors"}


def test_collector_lists_only_customers_of_cases_they_may_see(
    collector, queue, other_queue
):
    mine = CaseFactory(queue=queue).customer
    CaseFactory(queue=other_queue)
    ContactPointFactory(customer=mine, value="+8613800138000")

    response = client_for(collector).get(URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["reference"] for c in results] == [mine.reference]
    assert results[0]["contact_points"][0]["value"] == "+86138****8000"
    assert results[0]["national_id"].startswith("110")
    assert "*" in results[0]["national_id"]


def test_admin_lists_every_customer(admin_user):
    CustomerFactory.create_batch(3)

    response = client_for(admin_user).get(URL)

    assert response.json()["count"] == 3


def test_customer_list_queries_do_not_grow_with_the_page(
    admin_user, django_assert_max_num_queries
):
    for customer in CustomerFactory.create_batch(5):
        ContactPointFactory.create_batch(2, customer=customer)
    client = client_for(admin_user)

    with django_assert_max_num_queries(6):
        response = client.get(URL)

    assert len(response.json()["results"]) == 5


def test_collector_gets_404_for_a_customer_outside_their_cases(
    collector, queue, other_queue
):
    mine = CaseFactory(queue=queue).customer
    theirs = CaseFactory(queue=other_queue).customer
    client = client_for(collector)

    assert client.get(f"{URL}{mine.reference}/").status_code == 200
    response = client.get(f"{URL}{theirs.reference}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # The same answer as for a customer that does not exist at all.
    assert client.get(f"{URL}NOPE/").status_code == 404


def test_supervisor_sees_customers_of_their_teams_cases(supervisor, queue, other_queue):
    mine = CaseFactory(queue=queue).customer
    theirs = CaseFactory(queue=other_queue).customer
    client = client_for(supervisor)

    assert client.get(f"{URL}{mine.reference}/").status_code == 200
    assert client.get(f"{URL}{theirs.reference}/").status_code == 404


def test_a_user_without_a_role_gets_403(db):
    from tests.cases.factories import UserFactory

    response = client_for(UserFactory(username="norole")).get(URL)

    assert response.status_code == 403
