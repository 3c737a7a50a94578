"""The API contract across every endpoint: lists paginate, filter and order; errors
share one body; the schema generates without warnings and documents the errors."""

import json

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core import api_errors
from tests.api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def list_operations(schema):
    """GET operations without path parameters that answer a list."""
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        ok = get["responses"].get("200", {})
        content = ok.get("content", {}).get("application/json", {})
        ref = content.get("schema", {}).get("$ref", "")
        if ref.split("/")[-1].startswith("Paginated") or content.get("schema", {}).get(
            "type"
        ) == ("array"):
            yield path, get, ref


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body


def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
    )


def test_every_list_is_paginated_filterable_and_orderable(schema):
    problems = []
    lists = list(list_operations(schema))
    assert len(lists) >= 8
    for path, get, ref in lists:
        names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        if not ref.split("/")[-1].startswith("Paginated"):
            problems.append(f"{path}: not paginated")
        if not {"limit", "offset"} <= names:
            problems.append(f"{path}: no limit/offset")
        if "ordering" not in names:
            problems.append(f"{path}: no ordering")
        if not names - {"limit", "offset", "ordering"}:
            problems.append(f"{path}: no filters")
    assert not problems, "\n".join(problems)


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    problems = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            public = operation.get("security") == [{}]
            expected = {"400"} if public else {"401", "403"}
            if "{" in path:
                expected.add("404")
            for code in sorted(expected - codes):
                problems.append(f"{method.upper()} {path}: {code} undocumented")
            for code in codes & {"400", "401", "403", "404", "409", "429"}:
                body = operation["responses"][code]["content"]["application/json"]
                if body["schema"] != {"$ref": "#/components/schemas/Error"}:
                    problems.append(f"{method.upper()} {path}: {code} not Error")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------
# Error bodies for each status
# --------------------------------------------------------------------------------------


def test_an_unknown_api_url_is_a_json_404(admin_user):
    client = APIClient()
    client.force_login(admin_user)

    response = client.get("/api/v1/escalation-policies/x/not-a-number/")

    assert assert_error_body(response, 404)["code"] == "not_found"


def test_an_unknown_page_outside_the_api_is_still_html(admin_user):
    client = APIClient()
    client.force_login(admin_user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_crash_under_the_api_is_a_json_500():
    request = RequestFactory().get("/api/v1/cases/")

    response = api_errors.server_error(request)

    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


def test_a_wrong_method_is_405_with_the_error_body(admin_user):
    response = client_for(admin_user).delete("/api/v1/cases/")

    assert_error_body(response, 405)


def test_a_body_that_is_not_json_is_400_with_the_error_body(admin_user):
    response = client_for(admin_user).post(
        "/api/v1/promises/", "{not json", content_type="application/json"
    )

    assert assert_error_body(response, 400)["code"] == "parse_error"


def test_a_bad_filter_value_is_400_naming_the_parameter(admin_user):
    response = client_for(admin_user).get("/api/v1/cases/", {"status": "nonsense"})

    assert "status" in assert_error_body(response, 400)["errors"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/customers/", {"country": "CN", "ordering": "-reference"}),
        ("/api/v1/loans/", {"status": "active", "ordering": "days_past_due"}),
        ("/api/v1/calls/", {"outcome": "no_answer", "ordering": "-started_at"}),
        ("/api/v1/escalation-policies/", {"status": "active", "ordering": "code"}),
    ],
)
def test_the_audited_lists_filter_order_and_paginate(admin_user, url, params):
    response = client_for(admin_user).get(url, {**params, "limit": 1})

    assert response.status_code == 200, response.json()
    assert {"count", "results", "next", "previous"} <= set(response.json())


@pytest.mark.parametrize(
    "params",
    [
        {"created_at_after": "1452-07-20T18:13:19+19:49"},
        {"created_at_before": "0086-07-14T07:30:16-23:45"},
    ],
)
def test_a_date_time_with_any_valid_offset_filters_without_error(admin_user, params):
    # PostgreSQL accepts offsets up to ±15:59 only; the filter turns values into UTC.
    response = client_for(admin_user).get("/api/v1/customers/", params)

    assert response.status_code == 200, response.content


def test_a_date_time_too_early_for_utc_is_400_naming_the_filter(admin_user):
    response = client_for(admin_user).get(
        "/api/v1/customers/", {"created_at_after": "0001-01-01T00:00:00+14:00"}
    )

    assert "created_at_after" in assert_error_body(response, 400)["errors"]


def test_a_nul_character_in_a_filter_is_400_naming_it(admin_user):
    response = client_for(admin_user).get("/api/v1/cases/", {"queue": "a\x00b"})

    body = assert_error_body(response, 400)
    assert body["errors"] == {"queue": ["NUL characters are not allowed."]}


def test_a_nul_character_in_a_reference_is_404(admin_user):
    response = client_for(admin_user).get("/api/v1/cases/A%00B/")

    assert_error_body(response, 404)
