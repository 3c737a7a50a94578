"""A sweep of every page each demo role reaches, in both languages, at 1366 and 390 px.

On the demo data (`seed_demo`), each role logs in, and the pages its navigation links
to, and the pages those link to (case pages, call reviews, work items...), are
visited at each width and language. A page fails on:

- an HTTP error for the page or anything it loads;
- a console error or an uncaught exception (CSP violations are console errors);
- horizontal overflow: the document wider than the window, a table wider than the
  page's column, or a dashboard figure wrapped onto two lines;
- in Chinese, visible text that is an English msgid the catalogue translates (a string
  rendered without its translation), or a raw code such as `auto_loan`.

All failures are collected and reported together. With `SAVE_SCREENSHOTS=1` the
pages docs/ shows (DOC_SCREENSHOTS) are saved into docs/screenshots/, and with
`SAVE_SCREENSHOTS=all` every page view into $TMPDIR/collections-sweep/.
"""

from __future__ import annotations

import gettext
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROLES = ("collector", "supervisor", "admin")
WIDTHS = (1366, 390)
LANGUAGES = ("en", "zh-hans")
PASSWORD = "demo-pass-2026"
# Pages per role: the navigation and one level below it (enough to reach every kind of
# detail page on the demo data without visiting all of its cases).
MAX_PAGES = 40
# Links the sweep does not follow: other sites, downloads, the Django admin (its own
# look and catalogue), signing out, the API and its documents.
SKIP = re.compile(
    r"^/(admin|api|accounts/logout|i18n|metrics|healthz|readyz|static|media)\b"
    r"|/(export|download|recording|batch)[/.]|\.(csv|zip|pdf|wav|json)$"
)
# Names that are the same in both languages (the catalogue spells them for form labels).
UNTRANSLATED_ON_PURPOSE = {"SHA-256", "SMS", "CSV", "API"}
# A raw code left in the Chinese page: two or more lower-case words joined by "_".
RAW_CODE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")

# The pages docs/ shows, by kind (references replaced by REF), at every size and
# language: docs/screenshots/<role>-<name>-<language>-<width>.png.
DOC_SCREENSHOTS = {
    "/collector/": "queue",
    "/cases/REF/": "case",
    "/supervisor/": "team",
    "/supervisor/dashboard/": "dashboard",
    "/supervisor/approvals/": "approvals",
}

VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest("script, style, template, code, pre, .raw")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
    for (const name of ["placeholder", "title", "aria-label"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) out.push(value);
    }
  }
  return out;
}"""

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const main = document.querySelector("main");
  const edge = main ? main.getBoundingClientRect().right : width;
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
    + (typeof el.className === "string" && el.className.trim()
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1) {
    const wide = [];
    for (const el of document.querySelectorAll("main *")) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && getComputedStyle(el).position !== "fixed") {
        wide.push(`${name(el)} (${Math.round(box.right)} px)`);
        if (wide.length >= 3) break;
      }
    }
    problems.push(`overflow: ${document.documentElement.scrollWidth} px in ${width} px`
      + ` (${wide.join(", ") || "outside main"})`);
  }
  // A table wider than the page's column hides its last columns even when the
  // window is wide enough to scroll to them.
  for (const table of document.querySelectorAll("main table")) {
    const box = table.getBoundingClientRect();
    if (box.width && box.right > edge + 1) {
      problems.push(`${name(table)} spills out of the page's column`
        + ` (${Math.round(box.right)} px, column ends at ${Math.round(edge)} px)`);
    }
  }
  // A dashboard figure is one line: "¥1,234,567.89" broken after the "¥" reads as
  // two numbers.
  for (const value of document.querySelectorAll("main .figures .value")) {
    const range = document.createRange();
    range.selectNodeContents(value);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (tops.size > 1) {
      problems.push(`figure ${JSON.stringify(value.textContent.trim())} wraps`
        + ` onto ${tops.size} lines`);
    }
  }
  return problems;
}"""


def translated_msgids() -> set[str]:
    """English strings the Chinese catalogue gives another text for (from the
    compiled catalogue the site serves)."""
    path = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.mo"
    with path.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    return {
        msgid
        for msgid, msgstr in catalogue.items()
        # Plural entries are keyed (msgid, n); formats with placeholders never
        # appear verbatim.
        if isinstance(msgid, str)
        and len(msgid) > 2
        and "%" not in msgid
        and msgstr
        and msgstr != msgid
    }


def page_kind(path: str) -> str:
    """/cases/CS-1A2B/ and /cases/CS-3C4D/ are one kind of page: /cases/REF/."""
    return re.sub(r"/[A-Z]+-[0-9A-Z-]+/", "/REF/", urlsplit(path).path)


def screenshot_path(role: str, path: str, language: str, width: int) -> Path | None:
    wanted = os.environ.get("SAVE_SCREENSHOTS")
    if not wanted:
        return None
    if wanted == "all":
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        folder = Path(tempfile.gettempdir()) / "collections-sweep"
    elif page_kind(path) in DOC_SCREENSHOTS:
        name = DOC_SCREENSHOTS[page_kind(path)]
        folder = Path(settings.BASE_DIR) / "docs" / "screenshots"
    else:
        return None
    return folder / f"{role}-{name}-{language.split('-')[0]}-{width}.png"


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def internal_links(page, base: str, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        selector, "links => links.map(a => a.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith("/") or SKIP.search(parts.path):
            continue
        if path not in found:
            found.append(path)
    return found


def pages_of(page, base: str) -> list[str]:
    """The role's pages: its navigation, then the pages those link to."""
    page.goto(f"{base}/")
    pages = internal_links(page, base, "nav a[href]")
    for path in list(pages):
        if len(pages) >= MAX_PAGES:
            break
        page.goto(base + path)
        for link in internal_links(page, base, "main a[href]"):
            # One page of each kind.
            seen = {page_kind(p) for p in pages}
            if page_kind(link) not in seen and len(pages) < MAX_PAGES:
                pages.append(link)
    return pages


class Recorder:
    """What a page reported while loading: console errors, uncaught exceptions and
    failed responses (the page's own and its resources')."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"exception: {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status} {response.url}")

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


def check_page(page, recorder, base: str, path: str, *, language: str, msgids):
    recorder.take()
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    problems = recorder.take()
    problems.extend(page.evaluate(OVERFLOW))
    if language != "en":
        for text in page.evaluate(VISIBLE_TEXT):
            if text in msgids and text not in UNTRANSLATED_ON_PURPOSE:
                problems.append(f"untranslated: {text!r}")
            elif RAW_CODE.match(text):
                problems.append(f"raw code: {text!r}")
    return sorted(set(problems))


@pytest.fixture
def demo_data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = 0
    call_command("seed_demo", verbosity=0)
    return translated_msgids()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_works_in_both_languages_at_both_widths(
    demo_data, live_server, chromium, role
):
    base = live_server.url
    failures: list[str] = []
    visited = 0
    pages: list[str] = []
    for language in LANGUAGES:
        for width in WIDTHS:
            context = chromium.new_context(
                viewport={"width": width, "height": 768 if width > 800 else 844}
            )
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": base}]
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            recorder = Recorder(page)
            log_in(page, base, role)
            if not pages:
                pages = pages_of(page, base)
            for path in pages:
                problems = check_page(
                    page, recorder, base, path, language=language, msgids=demo_data
                )
                visited += 1
                failures.extend(f"{language} {width}px {path}: {p}" for p in problems)
                shot = screenshot_path(role, path, language, width)
                if shot is not None:
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(shot), full_page=True)
            context.close()
    assert len(pages) >= 3, f"{role} reached only {pages}"
    assert not failures, f"{len(failures)} problems on {visited} page views:\n" + (
        "\n".join(failures)
    )
