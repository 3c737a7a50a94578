"""Issue 18, defect 1: an htmx form whose view redirects (proposing a plan) swapped
the whole followed page into its target. Every redirect answered to a targeted htmx
request becomes HX-Redirect, so the browser navigates instead."""

import pytest

from tests.calls.test_views import case_url, plan_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def test_proposing_a_plan_over_htmx_navigates_to_the_case(web, case):
    response = web.post(
        case_url(case, "plan/"), plan_post(propose="1"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == case_url(case)
    assert response.content == b""


def test_a_plain_post_still_redirects(web, case):
    response = web.post(case_url(case, "plan/"), plan_post(propose="1"))
    assert response.status_code == 302
    assert response["Location"] == case_url(case)


def test_a_boosted_navigation_follows_its_redirect_as_htmx_does(web, case):
    response = web.post(
        case_url(case, "plan/"),
        plan_post(propose="1"),
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.status_code == 302
