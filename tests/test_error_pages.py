"""Issue 18, defect 11: the site's own 403, 404 and 500 pages, in both languages
(the 403 was a bare "403 Forbidden")."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Not allowed"), ("zh-hans", "无权访问")]
)
def test_a_refused_page_is_the_sites_own(client, collector, language, text):
    client.force_login(collector)
    client.cookies["django_language"] = language
    response = client.get(
        reverse("supervision:dashboard"), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 403
    assert text in response.text
    assert "<h1>403 Forbidden</h1>" not in response.text


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Something went wrong"), ("zh-hans", "出错了")]
)
def test_the_server_error_page_renders_without_a_request(language, text):
    with translation.override(language):
        html = render_to_string("500.html")
    assert text in html


def test_every_page_names_the_favicon(client, collector):
    client.force_login(collector)
    html = client.get(reverse("home"), follow=True).text
    assert 'rel="icon"' in html and "favicon" in html


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Page not found"), ("zh-hans", "页面不存在")]
)
def test_an_unknown_or_hidden_case_is_the_sites_own_404(
    client, collector, other_queue, language, text
):
    """Another team's case and a case that does not exist answer alike (no hint that
    a reference exists), with the site's page in the reader's language."""
    hidden = CaseFactory(queue=other_queue)
    client.force_login(collector)
    client.cookies["django_language"] = language
    pages = [
        client.get(f"/cases/{reference}/", HTTP_ACCEPT_LANGUAGE=language)
        for reference in ("CS-NOSUCHCASE", hidden.reference)
    ]
    assert [page.status_code for page in pages] == [404, 404]
    main = [re.search(r"<main.*</main>", page.text, re.S).group() for page in pages]
    assert main[0] == main[1]
    assert text in pages[0].text
    assert "<h1>Not Found</h1>" not in pages[0].text
