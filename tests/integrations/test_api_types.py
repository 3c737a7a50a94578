"""Input types as the schema states them (core.api_types): DRF and django-filter
would coerce or ignore each of these; the schemathesis run's negative_data_rejection
check found them. Each is a 400 naming the parameter or field."""

import pytest

from tests.api import client_for
from tests.integrations.test_api_contract import assert_error_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin_user):
    return client_for(admin_user)


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/restrictions/?active=null", "active"),
        ("/api/v1/queues/?is_active=yes", "is_active"),
        ("/api/v1/queues/?is_active=true&is_active=false", "is_active"),
        ("/api/v1/contact-attempts/?at_before=", "at_before"),
        ("/api/v1/customers/?created_at_after=", "created_at_after"),
        ("/api/v1/loans/?min_days_past_due=0.5", "min_days_past_due"),
        ("/api/v1/loans/?status=", "status"),
        ("/api/v1/reports/team/?start=", "start"),
        ("/api/v1/reports/team/?days=7&days=30", "days"),
        ("/api/v1/loans/?offset=", "offset"),
        ("/api/v1/loans/?limit=1&limit=2", "limit"),
    ],
)
def test_a_query_parameter_of_the_wrong_type_is_refused_by_name(api, url, param):
    body = assert_error_body(api.get(url), 400)
    assert list(body["errors"]) == [param]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/restrictions/?active=true",
        "/api/v1/queues/?is_active=false",
        "/api/v1/loans/?min_days_past_due=30&status=active",
        "/api/v1/reports/team/?days=7",
        "/api/v1/customers/?reference=",  # a free-text parameter may be empty
    ],
)
def test_the_same_parameters_well_typed_are_answered(api, url):
    assert api.get(url).status_code == 200


def test_a_json_string_field_refuses_a_number(api):
    response = api.post("/api/v1/customers/search/", {"email": 0}, format="json")
    assert assert_error_body(response, 400)["errors"] == {
        "email": ["Must be a string."]
    }


def test_a_json_boolean_field_refuses_zero_and_nested_paths_are_named(api):
    response = api.post(
        "/api/v1/webhook-subscriptions/",
        {
            "name": "n",
            "url": "https://example.com/hook",
            "events": ["case.closed"],
            "active": 0,
        },
        format="json",
    )
    assert assert_error_body(response, 400)["errors"] == {
        "active": ["Must be true or false."]
    }
    response = api.post(
        "/api/v1/customers/",
        {
            "reference": "T-1",
            "full_name": "Test",
            "country": "CN",
            "contact_points": [{"channel": "phone", "value": 13800000000}],
        },
        format="json",
    )
    assert assert_error_body(response, 400)["errors"] == {
        "contact_points[0].value": ["Must be a string."]
    }


def test_the_schema_documents_decimals_as_the_api_reads_them():
    import re

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    amount = schema["components"]["schemas"]["PaymentInput"]["properties"]["amount"]
    pattern = re.compile(amount["pattern"])
    assert [bool(pattern.match(v)) for v in ("", "-", ".5", "120.50", "-3")] == [
        False,
        False,
        False,
        True,
        True,
    ]
