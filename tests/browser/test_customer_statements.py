"""A collector records a time the customer said is inconvenient from the case page,
and the gate's banner changes at once."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_collector_workspace import log_in
from tests.calls.conftest import WORKING_HOURS, make_case
from tests.cases.factories import TeamFactory, UserFactory, WorkQueueFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def portfolio(time_machine):
    # Monday 30 November 2026, 10:00 in Shanghai: inside the cn window.
    time_machine.move_to(WORKING_HOURS, tick=True)
    team = TeamFactory(name="Shanghai A")
    queue = WorkQueueFactory(code="early", name="Early arrears", team=team)
    collector = UserFactory(username="collector", roles=["collector"])
    team.members.add(collector)
    return make_case(queue, reference="CASE-0001", name="王小明")


def test_an_inconvenient_time_recorded_on_the_case_page_blocks_the_call_now(
    portfolio, live_server, page: Page
):
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/cases/CASE-0001/")
    banners = page.locator("#banners")
    expect(banners).to_contain_text("May call until 22:00")
    expect(banners.locator("button.call-button")).to_have_count(1)

    page.click("#record-preference")
    page.wait_for_url(f"{base}/cases/CASE-0001/preference/")
    form = page.locator("#preference-form")
    form.locator("select[name=kind]").select_option("inconvenient_hours")
    form.locator("select[name=weekday]").select_option("0")
    form.locator("input[name=start_time]").fill("09:00")
    form.locator("input[name=end_time]").fill("12:00")
    form.locator("textarea[name=reason]").fill("周一上午开会，不方便接电话")
    form.locator("button[type=submit]").click()

    page.wait_for_url(f"{base}/cases/CASE-0001/")
    expect(banners).to_contain_text("the customer said Mondays 09:00-12:00")
    expect(banners).to_contain_text("12:00")
    expect(banners.locator("button.call-button")).to_have_count(0)
    expect(page.locator("#statements")).to_contain_text("Mondays 09:00-12:00")
    expect(page.locator("#timeline")).to_contain_text("Customer said")
