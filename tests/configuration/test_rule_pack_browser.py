"""An admin in the browser: change the cn pack's contact window as a draft, simulate
it against the portfolio, see the SMS it would defer, and activate it."""

import pytest
from playwright.sync_api import Page, expect

from cases.models import EscalationPolicy
from escalation import services as policies
from tests.browser.conftest import chromium, page  # noqa: F401 - the Chromium fixture
from tests.cases.factories import UserFactory

from .conftest import AT, _case, ladder

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
    return [_case(1), _case(2), _case(3), _case(4)]


def test_an_admin_drafts_simulates_and_activates_a_rule_pack_change(
    configured,
    live_server,
    page: Page,  # noqa: F811
):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/configuration/")

    page.goto(f"{base}/configuration/rule-packs/cn/")
    page.fill("input[name=window_start]", "11:00")
    page.fill("input[name=reason]", "later mornings")
    page.click("button:has-text('Save as a draft')")
    expect(page.locator("#draft-status")).to_have_text("Draft")
    expect(page.locator("#draft-changes")).to_contain_text("Contact window · Starts")

    # Simulated at 10:00 in Shanghai: the live pack texts all four cases, the draft
    # defers every SMS to 11:00.
    page.click("#simulate")
    result = page.locator("#simulation-result")
    expect(result).to_contain_text("With the draft")
    sms = page.locator(".sim-totals tr[data-kind=sms]")
    expect(sms.locator(".ours")).to_have_text("0")
    expect(sms.locator(".diff")).to_have_text("-4")
    expect(page.locator(".sim-reasons")).to_contain_text("Outside the contact window")

    page.click("#activate")
    expect(page.locator(".flash-success")).to_contain_text("Activated as version 2")
    expect(page.locator("h1")).to_contain_text("cn v2")
    expect(page.locator("#rule-pack-drafts")).to_contain_text("Activated")


def _sign_in(page: Page, base: str, username: str) -> None:  # noqa: F811
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/configuration/")


def test_a_window_past_22_needs_a_second_admin_s_approval(
    configured,
    live_server,
    page: Page,  # noqa: F811
):
    UserFactory(username="counsel-admin", roles=["admin"], is_staff=True)
    base = live_server.url
    _sign_in(page, base, "admin")
    page.goto(f"{base}/configuration/rule-packs/cn/")
    page.fill("input[name=window_end]", "23:00")
    page.fill("input[name=reason]", "late calls")
    page.click("button:has-text('Save as a draft')")
    # Refused, naming the field and asking for the override; nothing saved.
    expect(page.locator("#rule-pack-form")).to_contain_text("22:00")
    page.fill("textarea[name=override_reason]", "Counsel opinion 2026-14")
    page.click("button:has-text('Save as a draft')")
    expect(page.locator("#floor-breaches")).to_contain_text("Contact window · Ends")
    expect(page.locator("#activate")).to_be_disabled()
    expect(page.locator("#approve-override")).to_have_count(0)
    page.click("#simulate")
    expect(page.locator("#simulation-floor-warning")).to_contain_text(
        "Contact window · Ends"
    )
    draft_url = page.url.split("?")[0]

    _sign_in(page, base, "counsel-admin")
    page.goto(draft_url)
    page.click("#approve-override")
    expect(page.locator("#override-approved")).to_contain_text("counsel-admin")
    page.click("#activate")
    expect(page.locator(".flash-success")).to_contain_text("Activated as version 2")
