"""English and Simplified Chinese: the language follows the browser, the language
cookie or the switcher; the committed catalogue is complete and compiled, so a fresh
machine needs no gettext."""

import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


_PO_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) (".*")$')


def _po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr (msgstr[0] for plurals) of a .po file, obsolete entries left
    out. Enough of the format for the files makemessages writes."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(
                r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) (".*")$', line
            )
            if match:
                key = match.group(1).replace("[0]", "")
                fields[key] = json.loads(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += json.loads(line)
        if fields.get("msgid"):
            entries[fields["msgid"]] = fields.get("msgstr", "")
    return entries


def test_every_message_in_the_catalogue_is_translated():
    entries = _po_entries(LOCALE_DIR / "django.po")
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == [], (
        "Translate these in locale/zh_Hans/LC_MESSAGES/django.po, then run "
        f"`make messages` (docs/i18n.md): {untranslated}"
    )


def test_the_compiled_catalogue_matches_the_po_file():
    # The .mo is committed; a .po edited without `compilemessages` would ship stale
    # translations to every machine without gettext.
    entries = _po_entries(LOCALE_DIR / "django.po")
    with (LOCALE_DIR / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = {
        msgid: msgstr
        for msgid, msgstr in entries.items()
        if msgstr
        and compiled._catalog.get(msgid, compiled._catalog.get((msgid, 0))) != msgstr
    }
    assert stale == {}, "Run `make messages` (or compilemessages) and commit the .mo"


@pytest.mark.django_db
def test_the_login_page_is_english_by_default(client):
    response = client.get(reverse("login"))
    assert "Sign in" in response.text
    assert 'lang="en"' in response.text


@pytest.mark.django_db
def test_the_login_page_follows_a_chinese_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert 'lang="zh-hans"' in response.text
    assert "登录" in response.text
    assert "用户名" in response.text
    assert "Sign in" not in response.text


@pytest.mark.django_db
def test_the_language_cookie_wins_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in response.text


@pytest.mark.django_db
def test_the_collector_page_renders_in_chinese(client, collector, queue):
    client.force_login(collector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("home-collector"))
    assert response.status_code == 200
    assert "我的工作" in response.text
    assert "逾期天数" in response.text
    assert "退出登录" in response.text


@pytest.mark.django_db
def test_the_language_switcher_changes_the_language_and_returns_to_the_page(
    client, collector
):
    client.force_login(collector)
    page = client.get(reverse("home-collector"))
    # The switcher is in the page, posting to Django's set_language view.
    assert f'action="{reverse("set_language")}"' in page.text
    assert '<option value="zh-hans"' in page.text

    response = client.post(
        reverse("set_language"),
        {"language": "zh-hans", "next": reverse("home-collector")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home-collector")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "我的工作" in client.get(reverse("home-collector")).text

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "My work" in client.get(reverse("home-collector")).text


@pytest.mark.django_db
def test_the_switcher_ignores_a_next_url_on_another_site(client):
    response = client.post(
        reverse("set_language"),
        {"language": "zh-hans", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.django_db
def test_the_admin_speaks_chinese_too(client, admin_user):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("admin:index"))
    assert "催收案件管理后台" in response.text
