"""An admin imports the example portfolio in the browser and sees its customers."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import chromium, page  # noqa: F401 - the browser fixture
from tests.cases.factories import UserFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "portfolio.csv"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def admin_account():
    return UserFactory(username="admin", roles=["admin"], is_staff=True)


def test_an_admin_imports_the_example_file_and_sees_the_customers(
    admin_account,
    celery_eager,
    live_server,
    page: Page,  # noqa: F811 - the imported fixture
):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")

    page.goto(f"{base}/imports/")
    page.select_option("select[name=kind]", "portfolio")
    page.set_input_files("input[name=file]", str(EXAMPLE))
    page.click("form button[type=submit]:has-text('Import')")
    # The run's page follows the worker (inline here) and reloads once it is done.

    expect(page.locator(".import-status")).to_contain_text("Completed")
    expect(page.get_by_role("cell", name="张伟")).to_be_visible()
    expect(page.get_by_role("cell", name="Emily Chen")).to_be_visible()
    # The customer in arrears has a case; its page opens from the report.
    page.locator("tr", has_text="C-1002").get_by_role("link").click()
    expect(page.locator("body")).to_contain_text("张伟")
