"""Issue 21: a debtor opens the link from a reminder on a phone, passes the identity
check, sees what they owe, promises to pay; the collector's case page shows it.
At 390 px in Chinese and English, with no horizontal scrolling."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.services import self_service_link_issue
from tests.browser.test_collector_workspace import log_in
from tests.calls.conftest import WORKING_HOURS, make_case
from tests.cases.factories import TeamFactory, UserFactory, WorkQueueFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def link(time_machine):
    time_machine.move_to(WORKING_HOURS, tick=True)
    team = TeamFactory(name="Shanghai A")
    queue = WorkQueueFactory(code="early", name="Early arrears", team=team)
    collector = UserFactory(username="collector", roles=["collector"])
    team.members.add(collector)
    case = make_case(queue, reference="CASE-0001", name="王小明")
    case.customer.national_id = "110101199001011234"
    case.customer.save()
    url = self_service_link_issue(customer=case.customer, case=case)
    return url.split(":8000")[1]


def shot(page, name: str) -> None:
    if os.environ.get("SAVE_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"self-service-{name}.png"), full_page=True)


def test_a_debtor_checks_in_promises_and_the_collector_sees_it(
    link, live_server, chromium
):
    base = live_server.url
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}{link}")
    expect(page.locator("h1")).to_have_text("请确认您的身份")
    expect(page.locator("body")).not_to_contain_text("逾期")
    shot(page, "check-zh-390")
    page.fill("input[name=answer]", "0000")
    page.click("#identity-form button[type=submit]")
    expect(page.locator("#identity-form")).to_contain_text("与我们的记录不符")
    page.fill("input[name=answer]", "1234")
    page.click("#identity-form button[type=submit]")
    expect(page.locator("#owed")).to_contain_text("1,000.00 CNY")
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "account-zh-390")

    page.fill("#promise input[name=amount]", "300")
    page.locator("#promise input[name=due_date]").fill("2026-12-04")
    page.click("#promise button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("我们已记录您的还款承诺")
    expect(page.locator("#arrangements")).to_contain_text("300")

    page.click("text=English")
    expect(page.locator("#owed h2")).to_have_text("What is overdue")
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "account-en-390")

    # The hours that suit them: listed under "What you told us", and withdrawable.
    page.select_option("#preferences select[name=kind]", "preferred_hours")
    page.fill("#preferences input[name=start_time]", "18:00")
    page.fill("#preferences input[name=end_time]", "20:00")
    page.click("#preferences button[type=submit]")
    expect(page.locator("#stated")).to_contain_text(
        "Contact only: every day 18:00-20:00"
    )
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "preferences-en-390")
    phone.close()

    desk = chromium.new_context(viewport={"width": 1366, "height": 768})
    staff = desk.new_page()
    staff.set_default_timeout(15_000)
    log_in(staff, base)
    staff.goto(f"{base}/cases/CASE-0001/")
    expect(staff.locator("#glance-arrangement")).to_contain_text("300")
    expect(staff.locator("#timeline")).to_contain_text("Promised to pay (self-service)")
    # 10:00 now: the customer's hours make the call wait until 18:00.
    expect(staff.locator("#banners")).to_contain_text(
        "the customer asked to be contacted only every day 18:00-20:00"
    )
    desk.close()
