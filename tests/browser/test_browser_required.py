"""Browser tests skip on a laptop without Chromium, and fail under CI (.ci/run sets
CI=true), so a CI run cannot pass without them."""

import pytest

from tests.browser.conftest import require_chromium


def test_a_missing_browser_skips_the_test_outside_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_chromium(str(tmp_path / "chromium"))


@pytest.mark.parametrize("value", ["true", "1"])
def test_a_missing_browser_fails_the_test_under_ci(monkeypatch, tmp_path, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_chromium(str(tmp_path / "chromium"))


def test_an_installed_browser_is_required_quietly(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    browser = tmp_path / "chromium"
    browser.write_text("")
    assert require_chromium(str(browser)) is None
