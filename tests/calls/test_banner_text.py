"""Issue 18, defect 5: the case page's gate banner said "Blocked: Blocked: the debt
is disputed", gave the next time twice, and counted "0 of 6 calls on this number
today" after two answered calls (the cap counts unanswered ones)."""

import re

import pytest

from calls.models import CallLog
from tests.calls.conftest import NIGHT
from tests.calls.test_views import case_url, start_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def banner(page: str) -> str:
    found = re.search(r'class="banner[^"]*"[^>]*>(.*?)</', page, re.S)
    return " ".join(found.group(1).split()) if found else page


def test_a_hold_is_named_once(web, case):
    web.post(
        case_url(case, "restriction/"),
        {"kind": "dispute", "reason": "Customer says the loan is not theirs"},
    )
    page = web.get(case_url(case)).text
    assert "the debt is disputed" in page
    assert "Blocked: Blocked" not in page
    assert "Blocked: the debt is disputed" in page


def test_the_next_time_is_given_once(web, case, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    page = web.get(case_url(case)).text
    assert "Blocked until 2026-12-01 08:00: 23:00 is outside" in page
    assert "Next permitted" not in page
    assert "08:00: Blocked" not in page


def test_the_caps_say_what_they_count(web, case, phone):
    for _ in range(2):
        start_call(web, case, phone)
        web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
        web.post(
            case_url(case, "call/log/"),
            {"outcome": "refused", "attitude": "cooperative"},
        )
    assert CallLog.objects.count() == 2
    page = web.get(case_url(case)).text
    assert "0 of 6 unanswered calls on this number today" in page
    assert "2 of 3 conversations with the customer today" in page


@pytest.mark.parametrize("language", ["zh-hans"])
def test_the_chinese_banner_does_not_repeat_the_verdict(web, case, language):
    web.post(
        case_url(case, "restriction/"),
        {"kind": "dispute", "reason": "客户称该笔贷款不是其本人"},
    )
    page = web.get(case_url(case), HTTP_ACCEPT_LANGUAGE=language).text
    assert "拦截：拦截" not in page and "不可致电：拦截" not in page
