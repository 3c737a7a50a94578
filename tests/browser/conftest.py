"""Playwright against Debian's headless Chromium (no browser download).

Playwright's sync API runs an asyncio loop in the test thread for as long as it is
started, and Django treats a thread with a running loop as async code: ORM calls fail,
and the test database's saved state (serialized rollback) is not found, so the data
migrations' rows vanish for every later test. So the browser starts *after* a test's
data is written (request `page` after the data fixtures) and stops before the test
database is reset; the test body talks to the app only through the browser.
pytest-playwright's session-wide `browser` would keep the loop running all session.
"""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# Set by .ci/run: there a missing browser fails the run instead of skipping the
# browser tests (a green run without them would say nothing about the pages).
REQUIRE_BROWSER = "CI"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium(path: str = CHROMIUM) -> None:
    """Skip the test when the browser is missing, or fail it under CI."""
    if os.path.exists(path):
        return
    reason = f"{path} is not installed (apt-get install chromium)"
    if os.environ.get(REQUIRE_BROWSER, "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; {REQUIRE_BROWSER} is set, so browser tests must run")
    pytest.skip(reason)


@pytest.fixture
def chromium():
    """The headless browser itself, for tests that open their own contexts (sizes,
    languages); started after the test's data, as `page` is."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Only for Django code the test thread may still run while the loop is up (e.g.
    # fixture teardown order); never left set (it fails `check --deploy` later).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
