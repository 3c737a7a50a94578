"""An admin in the browser: edit a message template and see the lint and the
preview live, then make a policy draft that sends the SMS later, simulate it
against the portfolio and activate it."""

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases.models import EscalationPolicy
from escalation import services as policies
from tests.cases.factories import UserFactory
from tests.configuration.conftest import AT, _case, ladder

# Refreshed in docs/ only on request (SAVE_SCREENSHOTS=1), as the other browser tests.
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
def configured(time_machine):
    time_machine.move_to(AT, tick=True)
    admin = UserFactory(username="admin", roles=["admin"], is_staff=True)
    EscalationPolicy.objects.all().delete()
    v1 = policies.policy_create(code="standard", name="Standard", steps=ladder())
    EscalationPolicy.objects.filter(pk=v1.pk).update(is_default=True)
    policies.policy_activate(policy=v1, user=admin)
    cases = [_case(1), _case(2), _case(3), _case(4)]
    return {"admin": admin, "sample": cases[0]}


def test_an_admin_edits_a_template_then_simulates_and_activates_a_policy(
    configured, live_server, page: Page
):
    base = live_server.url
    sample = configured["sample"]
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/configuration/")

    # A template: the lint and the preview follow the typing.
    page.click("nav.config-nav >> text=Message templates")
    page.click("tr:has-text('overdue-sms'):has-text('en') a")
    # The click returns once the navigation starts; htmx (a deferred script)
    # must be running before the typing, or its input events go unheard.
    page.wait_for_url(
        f"{base}/configuration/templates/overdue-sms/sms/en/*/", wait_until="load"
    )
    page.fill("input[name=sample_case]", sample.reference)
    page.fill("textarea[name=body]", "{{ name }}, we will come to your home.")
    expect(page.locator("#lint")).to_contain_text("Threat of violence")
    expect(page.locator("#preview-body")).to_contain_text(sample.customer.full_name)
    page.fill("textarea[name=body]", "{{ name }}: {{ days_past_due }} days overdue.")
    expect(page.locator("#lint")).to_contain_text("No problems found.")
    expect(page.locator("#preview-body")).to_contain_text(": 1 days overdue.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "template-editor.png"), full_page=True)
    page.click("#save-template")
    expect(page.locator("#template-status")).to_have_text("Draft")
    page.click("#activate-template")
    expect(page.locator("#template-status")).to_have_text("Active")

    # A policy change: the SMS goes at 3 days past due instead of 1.
    page.goto(f"{base}/configuration/policies/standard/v1/")
    page.click("#new-draft")
    expect(page.locator("#policy-status")).to_have_text("Draft")
    page.click("text=Edit draft")
    page.fill("input[name=steps-0-trigger_days]", "3")
    page.click("button:has-text('Save draft')")
    expect(page.locator("#policy-status")).to_have_text("Draft")
    # The untouched steps are still there.
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(4)

    page.click("#simulate")
    result = page.locator("#simulation-result")
    expect(result).to_contain_text("Compared with the live v1")
    # Cases at 1, 2, 3 and 4 DPD: v1 texts all four, the draft only two.
    sms = page.locator(".sim-totals tr[data-kind=sms]")
    expect(sms.locator(".ours")).to_have_text("2")
    expect(sms.locator(".diff")).to_have_text("-2")

    page.screenshot(path=str(SCREENSHOTS / "policy-simulation.png"), full_page=True)
    page.click("#activate")
    expect(page.locator(".flash-success")).to_contain_text("Activated")
    expect(page.locator("#policy-status")).to_have_text("Active")
