"""The API contract across endpoints: error body shape, token auth, OpenAPI schema."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api import client_for
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("post", "/api/v1/customers/"),
    ("get", "/api/v1/customers/"),
    ("post", "/api/v1/loans/"),
    ("post", "/api/v1/payments/"),
    ("get", "/api/v1/restrictions/"),
    ("post", "/api/v1/restrictions/"),
    ("get", "/api/v1/contact-attempts/"),
    ("post", "/api/v1/contact-attempts/"),
    ("post", "/api/v1/compliance/check/"),
]


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    for field, messages in body["errors"].items():
        assert isinstance(field, str)
        assert messages and all(isinstance(m, str) for m in messages)
    return body


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_refuses_anonymous_callers_with_the_error_body(method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")

    assert_error_body(response, response.status_code)
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    "url",
    [u for m, u in ENDPOINTS if m == "post"],
)
def test_every_write_answers_an_empty_body_with_field_errors(admin_user, url):
    body = assert_error_body(client_for(admin_user).post(url, {}, format="json"), 400)

    assert body["code"] == "invalid"
    assert body["errors"]


@pytest.mark.parametrize(
    "url", ["/api/v1/customers/", "/api/v1/loans/", "/api/v1/payments/"]
)
def test_admin_only_writes_are_403_with_the_error_body(collector, url):
    assert_error_body(client_for(collector).post(url, {}, format="json"), 403)


def test_an_integration_token_of_an_admin_may_create_customers(admin_user):
    token = Token.objects.create(user=admin_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(
        "/api/v1/customers/",
        {"reference": "TOK-1", "full_name": "Token Customer", "country": "GB"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "GB"


def test_session_auth_works_for_the_browser(collector, queue):
    customer = CaseFactory(queue=queue).customer
    client = APIClient()
    client.force_login(collector)

    response = client.get(f"/api/v1/customers/{customer.reference}/")

    assert response.status_code == 200


def test_the_openapi_schema_documents_every_endpoint_with_bodies(admin_user):
    response = client_for(admin_user).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for method, url in ENDPOINTS:
        assert method in paths[url], (method, url)
    for url in ("/api/v1/customers/", "/api/v1/compliance/check/"):
        assert "requestBody" in paths[url]["post"]
    check = paths["/api/v1/compliance/check/"]["post"]
    assert set(check["responses"]) >= {"200", "400", "404"}
    payments = paths["/api/v1/payments/"]["post"]
    assert set(payments["responses"]) >= {"200", "201", "409"}
    assert "post" in paths["/api/v1/restrictions/{id}/end/"]
    assert "get" in paths["/api/v1/loans/{reference}/"]
    components = schema["components"]["schemas"]
    assert {"reference", "contact_points"} <= set(
        components["CustomerInput"]["properties"]
    )
