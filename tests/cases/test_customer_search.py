"""Customer search by phone, national id or email: in a POST body, never in the query
string, so the identifiers stay out of access logs and proxies (issue 15, item 8)."""

import pytest

from tests.api import client_for
from tests.cases.factories import CaseFactory, ContactPointFactory, CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/customers/"
SEARCH = "/api/v1/customers/search/"


@pytest.fixture
def wang(queue):
    customer = CustomerFactory(
        reference="CUST-WANG", full_name="王小明", national_id="110101199001011234"
    )
    ContactPointFactory(customer=customer, value="+8613811112222")
    ContactPointFactory(
        customer=customer, channel="email", value="wang@example.com", is_primary=False
    )
    CaseFactory(customer=customer, queue=queue)
    return customer


@pytest.fixture
def li(other_queue):
    customer = CustomerFactory(reference="CUST-LI", national_id="110101199202024321")
    ContactPointFactory(customer=customer, value="+8613933334444")
    CaseFactory(customer=customer, queue=other_queue)
    return customer


def references(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "+8613811112222"},
        {"phone": "138 1111 2222"},  # written as a person would, normalised
        {"national_id": "110101199001011234"},
        {"email": "wang@Example.COM"},
        {"phone": "+8613811112222", "national_id": "110101199001011234"},
    ],
)
def test_a_post_search_finds_the_customer_by_each_identifier(
    admin_user, wang, li, body
):
    response = client_for(admin_user).post(SEARCH, body, format="json")

    assert response.status_code == 200, response.json()
    assert references(response) == ["CUST-WANG"]
    # PII stays masked in the answer, as in the list.
    assert response.json()["results"][0]["national_id"] != "110101199001011234"


def test_the_search_keeps_to_the_customers_one_may_see(collector, wang, li):
    client = client_for(collector)

    mine = client.post(SEARCH, {"phone": "+8613811112222"}, format="json")
    theirs = client.post(SEARCH, {"phone": "+8613933334444"}, format="json")

    assert references(mine) == ["CUST-WANG"]
    assert references(theirs) == []


@pytest.mark.parametrize(
    "body",
    [{}, {"phone": " "}, {"phone": "not a phone"}, {"email": "nobody"}],
)
def test_a_search_that_can_match_no_one_finds_no_one(admin_user, wang, body):
    # Not a 400: a search for something no customer could have simply matches
    # nothing (and an empty search never lists everyone).
    response = client_for(admin_user).post(SEARCH, body, format="json")

    assert response.status_code == 200
    assert references(response) == []


def test_a_search_body_of_the_wrong_type_is_a_400(admin_user):
    response = client_for(admin_user).post(SEARCH, {"phone": ["x"]}, format="json")

    assert response.status_code == 400
    assert "phone" in response.json()["errors"]


@pytest.mark.parametrize(
    "parameter", ["phone", "national_id", "email", "contact_point", "value"]
)
def test_the_list_refuses_pii_in_the_query_string_naming_the_post_endpoint(
    admin_user, wang, parameter
):
    response = client_for(admin_user).get(LIST, {parameter: "+8613811112222"})

    assert response.status_code == 400
    body = response.json()
    assert parameter in body["errors"]
    assert SEARCH in body["errors"][parameter][0]


def test_the_list_keeps_its_non_pii_filters(admin_user, wang, li):
    response = client_for(admin_user).get(LIST, {"reference": "CUST-WANG"})

    assert response.status_code == 200
    assert references(response) == ["CUST-WANG"]


def test_an_integration_token_needs_customers_read_to_search(admin_user, wang):
    from rest_framework.test import APIClient

    from integrations.services import token_create

    secret = token_create(user=admin_user, name="crm", scopes=["cases:read"]).secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    refused = client.post(SEARCH, {"phone": "+8613811112222"}, format="json")
    assert refused.status_code == 403

    secret = token_create(
        user=admin_user, name="crm2", scopes=["customers:read"]
    ).secret
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    allowed = client.post(SEARCH, {"phone": "+8613811112222"}, format="json")
    assert allowed.status_code == 200
    assert references(allowed) == ["CUST-WANG"]


def test_the_schema_documents_the_post_search_with_its_body():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/customers/search/"]["post"]

    assert operation["operationId"] == "customers_search"
    assert set(operation["requestBody"]["content"]) == {"application/json"}
    assert {p["name"] for p in operation["parameters"]} == {"limit", "offset"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    ref = body["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][ref]["properties"]
    assert {"phone", "national_id", "email"} <= set(properties)
    assert {"200", "400", "403"} <= set(operation["responses"])
    assert not operation["requestBody"].get("required")
    listed = schema["paths"]["/api/v1/customers/"]["get"]
    names = {p["name"] for p in listed.get("parameters", [])}
    assert not names & {"phone", "national_id", "email"}
