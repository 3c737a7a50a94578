"""A supervisor's review in the browser: log in, find a flagged call, play its
recording, score it with a violation, approve a plan, read the dashboard."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from demo.supervision import demo_wav
from tests.calls.conftest import make_case
from tests.cases.factories import TeamFactory, UserFactory, WorkQueueFactory
from tests.supervision.conftest import make_call, make_plan

SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("SAVE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "collections-screenshots"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def team_work(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = 0
    team = TeamFactory(name="Shanghai A")
    queue = WorkQueueFactory(code="early", name="Early arrears", team=team)
    collector = UserFactory(username="collector", roles=["collector"])
    supervisor = UserFactory(username="supervisor", roles=["supervisor"])
    team.members.add(collector)
    team.supervisors.add(supervisor)
    case = make_case(queue, reference="CASE-0001", name="王小明")
    at = timezone.now() - dt.timedelta(hours=3)
    flagged = make_call(
        case,
        collector,
        at=at,
        notes="Told him we will send the police to arrest him",
        notes_flagged=True,
    )
    flagged.recording.save("call.wav", ContentFile(demo_wav(seconds=1.0)), save=True)
    make_call(case, collector, at=at - dt.timedelta(hours=1))
    plan = make_plan(case, collector)
    return {"call": flagged, "plan": plan}


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/supervisor/")


def test_a_supervisor_reviews_a_flagged_call_and_approves_a_plan(
    team_work, live_server, page: Page
):
    base = live_server.url
    call, plan = team_work["call"], team_work["plan"]
    log_in(page, base)
    expect(page.locator("#supervisor-work")).to_contain_text("flagged calls to review")

    page.click("#nav-calls")
    # htmx (a deferred script) must be running before the filter changes.
    page.wait_for_url(f"{base}/supervisor/calls/", wait_until="load")
    page.check("input[name=flagged]")  # htmx swaps the table
    table = page.locator("#call-table")
    expect(table).to_contain_text(call.reference)
    expect(table).to_contain_text("Content check")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.click(f"text={call.reference}")
    page.wait_for_url(f"{base}/supervisor/calls/{call.reference}/")

    # The recording loads and has a length (served after the scope check).
    audio = page.locator("#recording")
    page.wait_for_function(
        "document.getElementById('recording').readyState >= 1", timeout=10_000
    )
    assert audio.evaluate("a => a.duration") > 0.5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "supervisor-review.png"), full_page=True)

    for name in ("identity_before_disclosure", "accurate_amounts", "options_offered"):
        page.check(f"#review-form input[name={name}]")
    page.check("#review-form input[name=violation]")
    page.fill("#review-form textarea[name=comments]", "Threatened arrest.")
    page.click("#save-review")
    expect(page.locator(".flash")).to_contain_text("follow-up opened for collector")
    expect(page.locator("#reviews")).to_contain_text("Threatened arrest.")
    expect(page.locator("#reviews")).to_contain_text("50")

    page.click("#nav-approvals")
    row = page.locator(f"#plan-{plan.reference}")
    row.locator("input[name=reason]").fill("Income verified.")
    row.locator("button.approve").click()
    expect(page.locator(".flash")).to_contain_text(f"Plan {plan.reference} approved.")
    expect(page.locator("#decision-history")).to_contain_text("Income verified.")

    page.click("#nav-dashboard")
    # The review and the approval show in the team's figures.
    expect(page.locator("#collector-table tbody")).to_contain_text("50.0")
    plans = page.locator("#team-figures article", has_text="plans agreed")
    expect(plans.locator(".value")).to_have_text("1")
    page.wait_for_function("document.body.dataset.chartsReady === '1'")
    page.screenshot(path=str(SCREENSHOTS / "supervisor-figures.png"), full_page=True)
