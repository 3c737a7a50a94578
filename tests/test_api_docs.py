"""The OpenAPI schema and the interactive API docs are for signed-in users only
(README: "/api/docs/ (schema at /api/schema/), signed in")."""

import pytest

from tests.api import client_for

pytestmark = pytest.mark.django_db


def test_the_schema_refuses_an_anonymous_caller(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_docs_page_sends_an_anonymous_visitor_to_the_login(client):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/docs/")


def test_the_docs_script_is_not_served_to_an_anonymous_visitor(client):
    response = client.get("/api/docs/", {"script": ""})

    assert response.status_code == 302


@pytest.mark.parametrize("role", ["collector", "supervisor", "admin_user"])
def test_a_signed_in_user_gets_the_schema_and_the_docs(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)

    assert client.get("/api/schema/", {"format": "json"}).status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client_for(user).get("/api/schema/").status_code == 200
