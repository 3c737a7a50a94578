"""A collector's day in the browser: log in, take the next case, call with the
guided script, record a promise, see it on the timeline, switch to Chinese."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import PromiseToPay
from compliance.models import ContactAttempt, ContactRestriction
from tests.calls.conftest import WORKING_HOURS, make_case
from tests.cases.factories import (
    PromiseToPayFactory,
    TeamFactory,
    UserFactory,
    WorkQueueFactory,
)

# The screenshots in docs/ are refreshed on request (SAVE_SCREENSHOTS=1), so a test
# run never changes the working tree; otherwise they go to a temporary folder.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("SAVE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "collections-screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def portfolio(time_machine):
    time_machine.move_to(WORKING_HOURS, tick=True)
    team = TeamFactory(name="Shanghai A")
    queue = WorkQueueFactory(code="early", name="Early arrears", team=team)
    collector = UserFactory(username="collector", roles=["collector"])
    team.members.add(collector)
    best = make_case(queue, reference="CASE-0001", priority=180, name="王小明")
    names = ["李华", "张伟", "刘洋", "陈静", "杨帆"]
    for n, name in enumerate(names, start=2):
        make_case(queue, reference=f"CASE-000{n}", priority=100 - n * 10, name=name)
    disputed = make_case(queue, reference="CASE-0009", priority=170, name="赵磊")
    ContactRestriction.objects.create(
        customer=disputed.customer,
        kind=ContactRestriction.Kind.DISPUTE,
        starts_at=timezone.now() - dt.timedelta(days=2),
        reason="Disputes the late fee",
    )
    # Some history, so the timeline and the queue's reasons have something to show.
    now = timezone.now()
    ContactAttempt.objects.create(
        customer=best.customer,
        case=best,
        contact_value=best.customer.contact_points.get().value,
        channel="sms",
        at=now - dt.timedelta(days=12),
        allowed=True,
        result=ContactAttempt.Result.SENT,
        completed_at=now - dt.timedelta(days=12),
        source="escalation",
    )
    PromiseToPayFactory(
        case=best,
        amount=300,
        due_date=(now - dt.timedelta(days=3)).date(),
        made_at=now - dt.timedelta(days=10),
        status=PromiseToPay.Status.BROKEN,
        resolved_at=now - dt.timedelta(days=2),
    )
    return {"collector": collector, "best": best}


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "collector")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/collector/")


def test_a_collector_takes_the_next_case_and_records_a_promise_in_a_call(
    portfolio, live_server, page: Page
):
    base = live_server.url
    log_in(page, base)
    expect(page.locator("#queue-table")).to_contain_text("CASE-0001")
    expect(page.locator("#queue-table")).to_contain_text("Blocked")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    page.click("#next-case")
    page.wait_for_url(f"{base}/cases/CASE-0001/")
    expect(page.locator("#banners")).to_contain_text("May call until 22:00")
    page.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)

    page.click("button.call-button")
    expect(page.locator("#call-panel")).to_contain_text("Call in progress")
    expect(page.locator("#call-panel")).not_to_contain_text("Overdue:")

    expect(page.locator("#loans")).to_contain_text("Hidden during the call")
    page.click("#identity-confirmed")  # htmx swaps the panel and the loans
    expect(page.locator("#call-panel")).to_contain_text("Overdue: 1,000.00 CNY")
    expect(page.locator("#loans")).to_contain_text("L0")
    page.click("#to-resolution")
    expect(page.locator("#call-panel")).to_contain_text("Offer a way forward")
    page.screenshot(path=str(SCREENSHOTS / "guided-call.png"), full_page=True)

    due = (WORKING_HOURS.date() + dt.timedelta(days=5)).isoformat()
    page.select_option("#call-panel select[name=outcome]", "promise_to_pay")
    page.select_option("#call-panel select[name=attitude]", "cooperative")
    page.fill("#call-panel input[name=promise_amount]", "600")
    page.fill("#call-panel input[name=promise_due_date]", due)
    page.fill("#call-panel textarea[name=notes]", "Will pay on payday.")
    page.click("#log-call")

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Promise to pay 600.00 CNY")
    expect(timeline).to_contain_text("Promise to pay")
    expect(page.locator("#call-panel")).to_contain_text("Call logged.")
    expect(timeline).to_contain_text("by collector: Promise to pay")

    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_load_state("load")
    expect(page.locator("#timeline")).to_contain_text("时间线")
    expect(page.locator("#timeline")).to_contain_text("承诺于")
    page.goto(f"{base}/collector/")
    expect(page.locator("h1")).to_have_text("我的工作")
    page.screenshot(path=str(SCREENSHOTS / "queue-zh.png"), full_page=True)


@pytest.fixture
def three_cases(time_machine):
    time_machine.move_to(WORKING_HOURS, tick=True)
    team = TeamFactory(name="Shanghai A")
    queue = WorkQueueFactory(code="early", name="Early arrears", team=team)
    collector = UserFactory(username="collector", roles=["collector"])
    team.members.add(collector)
    make_case(queue, reference="CASE-A", priority=180, name="王小明")
    make_case(queue, reference="CASE-B", priority=100, name="李华")
    make_case(queue, reference="CASE-C", priority=50, name="张伟")
    return collector


def guided_call_to_resolution(page: Page) -> None:
    page.click("button.call-button")
    expect(page.locator("#call-panel")).to_contain_text("Call in progress")
    page.click("#identity-confirmed")
    page.click("#to-resolution")
    expect(page.locator("#call-panel")).to_contain_text("Offer a way forward")


def next_case(page: Page, base: str, reference: str) -> None:
    page.goto(f"{base}/work/")
    page.click("#next-case")
    page.wait_for_url(f"{base}/cases/{reference}/")


def test_next_case_respects_a_promise_and_brings_a_callback_back_first_when_due(
    three_cases, live_server, page: Page, time_machine
):
    """Issue 17 item 3: next case → a call with a promise → next case is another
    case → a callback agreed for later comes back first once it is due."""
    base = live_server.url
    log_in(page, base)

    next_case(page, base, "CASE-A")
    guided_call_to_resolution(page)
    due = (WORKING_HOURS.date() + dt.timedelta(days=5)).isoformat()
    page.select_option("#call-panel select[name=outcome]", "promise_to_pay")
    page.fill("#call-panel input[name=promise_amount]", "600")
    page.fill("#call-panel input[name=promise_due_date]", due)
    page.click("#log-call")
    expect(page.locator("#call-panel")).to_contain_text("Call logged.")

    # The promise keeps CASE-A out of the queue: the queue says so, and next case
    # hands out another case.
    page.goto(f"{base}/work/")
    held = page.locator("#queue-table tr", has_text="CASE-A")
    expect(held).to_contain_text("Waiting until")
    expect(held).to_contain_text("Promise to pay pending")
    next_case(page, base, "CASE-B")

    # CASE-B asks to be called back at 12:00 (it is 10:00 in Shanghai).
    guided_call_to_resolution(page)
    page.select_option("#call-panel select[name=outcome]", "callback")
    page.fill("#call-panel input[name=callback_at]", f"{WORKING_HOURS.date()}T12:00")
    page.click("#log-call")
    expect(page.locator("#call-panel")).to_contain_text("Call logged.")

    page.goto(f"{base}/work/")
    diary = page.locator("#callback-diary")
    expect(diary).to_contain_text("12:00")
    expect(diary).to_contain_text("CASE-B")
    expect(diary).to_contain_text("later today")
    # Before it is due, the rest of the queue: CASE-C.
    next_case(page, base, "CASE-C")
    page.click("#claim-actions button:has-text('Release')")
    page.wait_for_url(f"{base}/work/")

    # 12:01: the callback is due and comes first, ahead of CASE-C. (Two idle hours
    # end the session: sign in again.)
    time_machine.move_to(WORKING_HOURS + dt.timedelta(hours=2, minutes=1), tick=True)
    log_in(page, base)
    page.goto(f"{base}/work/")
    expect(page.locator("#callback-diary")).to_contain_text("due now")
    next_case(page, base, "CASE-B")
