"""A supervisor works the worklist in the browser: completes a review item by
referring the case to legal, then records the legal case in the legal queue."""

import pytest
from playwright.sync_api import Page, expect

from escalation import work_items
from tests.calls.conftest import make_case
from tests.cases.factories import TeamFactory, UserFactory, WorkQueueFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def review():
    team = TeamFactory(name="Shanghai A")
    queue = WorkQueueFactory(code="early", name="Early arrears", team=team)
    supervisor = UserFactory(username="supervisor", roles=["supervisor"])
    team.supervisors.add(supervisor)
    case = make_case(queue, reference="CASE-0001", name="王小明")
    return work_items.work_item_open(
        case=case, kind="supervisor_review", reason="Supervisor review: 60 DPD"
    )


def test_a_supervisor_completes_a_review_and_refers_the_case_to_legal(
    live_server, review, page: Page
):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/supervisor/")

    page.click("#nav-work-items")
    row = page.locator(f"#item-{review.reference}")
    expect(row).to_contain_text("CASE-0001")
    row.get_by_role("link", name=review.reference).click()

    form = page.locator("#review-decision")
    form.get_by_label("Refer to legal").check()
    form.locator("textarea").fill("Unreachable for 30 days; no arrangement.")
    form.get_by_role("button", name="Record decision").click()

    # Lands on the legal case, with the legal hold on contact.
    expect(page.locator("#legal-hold")).to_contain_text("Legal hold")
    update = page.locator("#legal-update")
    update.get_by_label("Law firm").fill("Fangda Partners")
    update.get_by_label("Court reference").fill("(2026)沪0101民初123号")
    update.get_by_label("Legal costs").fill("3500")
    update.get_by_role("button", name="Save legal case").click()
    expect(page.locator("#legal-case")).to_contain_text("Fangda Partners")
    expect(page.locator("#item-state")).to_have_text("In progress")

    # The review is done: no longer in the open worklist; the referral is in the
    # legal queue.
    page.click("#nav-work-items")
    expect(page.locator(f"#item-{review.reference}")).to_have_count(0)
    page.click("#nav-legal")
    expect(page.locator("#work-items")).to_contain_text("CASE-0001")
