"""Issue 18, defect 6: a queue search longer than 100 characters was silently
ignored and showed every case; it says why and lists nothing."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def test_a_too_long_search_says_so_and_lists_nothing(web, case):
    response = web.post("/work/", {"q": "x" * 101})
    assert response.status_code == 400
    assert "Search not run:" in response.text
    assert "at most 100 characters" in response.text
    assert case.reference not in response.text


def test_over_htmx_the_table_says_so(web, case):
    response = web.post("/work/", {"q": "x" * 101}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Search not run:" in response.text
    assert case.reference not in response.text


def test_a_search_within_the_limit_still_runs(web, case):
    response = web.post("/work/", {"q": case.reference}, follow=True)
    assert response.status_code == 200
    assert case.reference in response.text
