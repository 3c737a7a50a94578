"""NUL characters in a URL's path or query never reach the database (PostgreSQL
cannot compare a string holding one: a 500 before). Pages answer with the site's own
404 or 400 page, the API with its JSON error body."""

import pytest

from tests.api import client_for

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_page_path_answers_the_sites_404_page(client, collector):
    client.force_login(collector)

    response = client.get("/cases/CS%00X/")

    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="container-fluid app-header"' in page  # the site's layout
    assert "Page not found" in page


@pytest.mark.parametrize(
    "url",
    [
        "/work/?q=a%00b",  # the collector's queue search
        "/admin/cases/customer/?q=%00",  # the admin's search
        "/work/?a%00=1",  # in a parameter's name
    ],
)
def test_a_nul_in_a_page_query_answers_the_sites_400_page(client, admin_user, url):
    admin_user.is_superuser = True
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)

    response = client.get(url)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="container-fluid app-header"' in page
    assert "NUL" in page


def test_a_nul_in_the_login_page_query_is_refused_before_sign_in(client):
    response = client.get("/accounts/login/?next=/work/%00")

    assert response.status_code == 400


def test_a_nul_in_a_page_is_shown_in_chinese_too(client, collector):
    client.force_login(collector)
    client.cookies["django_language"] = "zh-hans"

    response = client.get("/work/?q=%00", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert 'lang="zh-hans"' in response.content.decode()


def test_the_api_still_answers_its_json_error_body(admin_user):
    api = client_for(admin_user)

    in_path = api.get("/api/v1/cases/A%00B/")
    in_query = api.get("/api/v1/cases/", {"ordering": "a\x00"})

    assert in_path.status_code == 404 and in_path.json()["code"] == "not_found"
    assert in_query.status_code == 400 and "ordering" in in_query.json()["errors"]
