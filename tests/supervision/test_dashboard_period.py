"""Issue 18, defect 2: the period selector showed "Last 7 days" over figures for 30
days, also with a custom range."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def selected_period(html: str) -> str:
    select = re.search(r'<select name="days"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def shown_range(html: str) -> tuple[str, str]:
    found = re.search(r"From (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", html)
    return found.group(1), found.group(2)


def test_without_a_choice_the_selector_names_the_thirty_days_shown(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("supervision:dashboard")).text
    today = timezone.localdate()
    assert selected_period(html) == "30"
    assert shown_range(html) == (f"{today - dt.timedelta(days=29)}", f"{today}")


def test_a_chosen_period_is_the_one_selected_and_shown(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("supervision:dashboard"), {"days": "7"}).text
    today = timezone.localdate()
    assert selected_period(html) == "7"
    assert shown_range(html) == (f"{today - dt.timedelta(days=6)}", f"{today}")


def test_a_custom_range_selects_dates_not_a_last_n_days_choice(client, supervisor):
    client.force_login(supervisor)
    html = client.get(
        reverse("supervision:dashboard"),
        {"days": "7", "start": "2026-11-01", "end": "2026-11-10"},
    ).text
    assert selected_period(html) == "range"
    assert shown_range(html) == ("2026-11-01", "2026-11-10")
