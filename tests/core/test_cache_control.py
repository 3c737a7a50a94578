"""Nothing carrying a debtor's data is kept by a browser's or a proxy's cache: every
answer to a signed-in user and every API answer says `Cache-Control: no-store,
private`, unless the view chose its own caching."""

import pytest

from tests.api import client_for
from tests.calls.conftest import make_case, working_hours  # noqa: F401

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d}


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


@pytest.mark.usefixtures("working_hours")
def test_a_case_page_is_not_stored(web, queue):
    case = make_case(queue, reference="CASE-MINE")

    response = web.get(f"/cases/{case.reference}/")

    assert response.status_code == 200
    assert {"no-store", "private"} <= directives(response)


@pytest.mark.usefixtures("working_hours")
def test_an_htmx_fragment_is_not_stored(web, queue):
    make_case(queue, reference="CASE-MINE", name="王小明")

    response = web.get("/work/", {"q": "王"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text  # the fragment, not the page
    assert {"no-store", "private"} <= directives(response)


def test_an_api_answer_is_not_stored(admin_user):
    response = client_for(admin_user).get("/api/v1/cases/")

    assert response.status_code == 200
    assert {"no-store", "private"} <= directives(response)


def test_an_api_error_is_not_stored_either(client):
    response = client.get("/api/v1/cases/")

    assert response.status_code in (401, 403)
    assert {"no-store", "private"} <= directives(response)


def test_a_view_that_sets_its_own_caching_keeps_it(client, admin_user):
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)

    response = client.get("/admin/")

    # The admin's never_cache, not replaced.
    assert "must-revalidate" in directives(response)


def test_an_anonymous_page_without_personal_data_is_left_alone(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "Cache-Control" not in response
