"""Issue 18, defect 4: a flagged call was not red on the timeline (the call kind's
rule overrode it) and the collector was not told the notes were flagged."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from calls.models import CallLog
from tests.calls.test_views import case_url, start_call

pytestmark = pytest.mark.django_db

THREAT = "告诉他再不还钱就去他单位闹，让他同事都知道"


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def _log(web, case, phone, notes, **headers):
    start_call(web, case, phone)
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    data = {"outcome": "refused", "attitude": "hostile", "notes": notes}
    return web.post(case_url(case, "call/log/"), data, headers=headers, follow=True)


def test_the_collector_is_told_when_notes_are_flagged(web, case, phone):
    page = _log(web, case, phone, THREAT)
    assert CallLog.objects.get().notes_flagged
    assert "flagged for supervisor review" in page.text
    assert re.search(r'<li class="tl-call flagged">', page.text)


def test_the_htmx_answer_says_so_too(web, case, phone):
    response = _log(web, case, phone, THREAT, HTTP_HX_REQUEST="true")
    assert "flagged for supervisor review" in response.text


def test_factual_notes_raise_no_warning(web, case, phone):
    page = _log(web, case, phone, "客户说下周一发工资后还款")
    assert not CallLog.objects.get().notes_flagged
    assert "flagged for supervisor review" not in page.text


def test_the_flagged_rule_comes_after_every_kind_rule_in_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static/css/workspace.css").read_text()
    flagged = css.index("li.flagged")
    kinds = [m.start() for m in re.finditer(r"ol\.timeline li\.tl-\w+", css)]
    assert kinds and flagged > max(kinds)
