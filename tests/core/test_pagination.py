"""Lists page with limit and offset, bounded: a limit above API_MAX_PAGE_SIZE or a
number no database column holds answers 400 naming the parameter, and the schema
says so (minimum and maximum), so a client generated from it stays inside."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api import client_for
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

HUGE = str(2**63)


@pytest.fixture
def api(admin_user):
    CaseFactory.create_batch(3)
    return client_for(admin_user)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": HUGE}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "１０"}, "limit"),  # full-width digits: int() would take them
        ({"offset": HUGE}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
    ],
)
def test_a_page_parameter_out_of_bounds_is_a_400_naming_it(api, params, field):
    response = api.get("/api/v1/cases/", params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert list(body["errors"]) == [field]


def test_a_limit_at_the_cap_and_a_far_offset_are_served(api):
    full = api.get("/api/v1/cases/", {"limit": "500"})
    beyond = api.get("/api/v1/cases/", {"offset": str(2**63 - 1)})

    assert full.status_code == 200 and len(full.json()["results"]) == 3
    assert beyond.status_code == 200 and beyond.json()["results"] == []


def test_the_cap_is_a_setting(api, settings):
    settings.API_MAX_PAGE_SIZE = 2

    assert api.get("/api/v1/cases/", {"limit": "3"}).status_code == 400
    page = api.get("/api/v1/cases/", {"limit": "2"}).json()
    assert len(page["results"]) == 2 and page["next"]


def test_without_a_limit_the_default_page_size_applies(api):
    response = api.get("/api/v1/cases/")

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_the_schema_documents_the_bounds_of_limit_and_offset():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {
        p["name"]: p["schema"]
        for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
    }

    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert parameters["offset"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 2**63 - 1,
    }
