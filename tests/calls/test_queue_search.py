"""The queue search sends its term by POST and keeps it out of every URL (issue 15,
item 8): a phone number or national id in a query string lands in the access logs of
every proxy on the way. The results page is `/work/?q=<opaque key>`; the term stays
in the collector's session, so paging, back and reload still work."""

import pytest
from django.test import Client

from calls.selectors.queue import PAGE_SIZE
from tests.calls.conftest import make_case

pytestmark = pytest.mark.django_db

PHONE = "+8613811112222"


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


@pytest.fixture
def wang_and_li(queue, working_hours):
    make_case(queue, reference="CASE-WANG", name="王小明", phone=PHONE)
    make_case(queue, reference="CASE-LI", name="李雷", phone="+8613933334444")


def test_a_posted_search_redirects_to_a_url_without_the_term(web, wang_and_li):
    response = web.post("/work/", {"q": PHONE, "bucket": "31-60"})

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/work/?")
    assert "13811112222" not in location and "2222" not in location
    assert "bucket=31-60" in location  # filters without PII stay in the URL
    page = web.get(location).text
    assert "CASE-WANG" in page
    assert "CASE-LI" not in page


@pytest.mark.parametrize("term", ["王小明", "+86138****2222", "2222"])
def test_the_posted_search_matches_as_before(web, wang_and_li, term):
    page = web.get(web.post("/work/", {"q": term})["Location"]).text

    assert "CASE-WANG" in page
    assert "CASE-LI" not in page


def test_the_results_page_links_carry_the_key_not_the_term(web, queue, working_hours):
    for n in range(PAGE_SIZE + 3):
        make_case(queue, reference=f"CASE-W{n:03d}", name="王小明")
    make_case(queue, reference="CASE-LI", name="李雷")

    location = web.post("/work/", {"q": "王小明"})["Location"]
    first = web.get(location).text
    key = location.split("q=", 1)[1].split("&", 1)[0]

    assert "%E7%8E%8B" not in first and "王小明&" not in first  # not in any link
    assert f"q={key}&amp;page=2" in first or f"q={key}&page=2" in first
    second = web.get("/work/", {"q": key, "page": 2}).text
    assert "CASE-W" in second
    assert "CASE-LI" not in second


def test_a_term_in_the_query_string_is_not_searched(web, wang_and_li):
    page = web.get("/work/", {"q": PHONE}).text

    # Both cases are listed: the raw term was not used, and the page says why.
    assert "CASE-WANG" in page and "CASE-LI" in page
    assert "This search is no longer available" in page
    assert PHONE not in page


def test_the_notice_is_shown_in_chinese_too(web, wang_and_li):
    web.cookies["django_language"] = "zh-hans"

    page = web.get("/work/", {"q": "bogus"}, HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "此搜索已失效" in page


def test_another_session_cannot_use_my_search_key(web, wang_and_li, teammate):
    location = web.post("/work/", {"q": PHONE})["Location"]
    other = Client()
    other.force_login(teammate)

    page = other.get(location).text

    assert "CASE-LI" in page
    assert PHONE not in page


def test_the_search_form_posts_with_a_csrf_token(web, wang_and_li):
    page = web.get("/work/").text

    start = page.rindex("<form", 0, page.index('class="queue-filters"'))
    form = page[start : page.index("</form>", start)]
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in form
    assert "hx-get" not in form


def test_a_search_post_without_csrf_is_refused(collector, wang_and_li):
    client = Client(enforce_csrf_checks=True)
    client.force_login(collector)

    response = client.post("/work/", {"q": PHONE})

    assert response.status_code == 403


def test_an_htmx_search_returns_the_table_and_pushes_the_opaque_url(web, wang_and_li):
    response = web.post("/work/", {"q": PHONE}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert 'id="queue-table"' in response.text
    assert "<html" not in response.text
    assert "CASE-WANG" in response.text and "CASE-LI" not in response.text
    pushed = response["HX-Push-Url"]
    assert pushed.startswith("/work/?q=")
    assert "2222" not in pushed


def test_the_same_term_reuses_its_key_and_the_session_keeps_a_bounded_number(
    web, wang_and_li
):
    first = web.post("/work/", {"q": PHONE})["Location"]
    again = web.post("/work/", {"q": PHONE})["Location"]
    assert first == again
    for n in range(60):
        web.post("/work/", {"q": f"term {n}"})
    stored = web.session["queue_searches"]
    assert len(stored) <= 20


def test_the_session_keeps_the_term_encrypted(web, wang_and_li):
    # Sessions are database rows: a dump of django_session must not show the number.
    web.post("/work/", {"q": PHONE})
    (kept,) = web.session["queue_searches"].values()
    assert PHONE not in kept and PHONE[3:] not in kept
    assert kept.startswith("v1:")


def test_an_empty_search_clears_the_term(web, wang_and_li):
    response = web.post("/work/", {"q": ""})

    assert response.status_code == 302
    assert "q=" not in response["Location"]
