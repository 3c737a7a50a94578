"""Codes and seeded names are shown in the reader's language (issue 18, defect 8)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from cases.labels import PRODUCT_LABELS, product_label


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_a_product_code_is_shown_by_its_name_in_both_languages():
    with translation.override("en"):
        assert product_label("auto_loan") == "Auto loan"
    with translation.override("zh-hans"):
        assert product_label("auto_loan") == "汽车贷款"
        assert all(str(label) != code for code, label in PRODUCT_LABELS.items())


def test_an_unknown_product_code_is_shown_as_words_never_raw():
    assert product_label("home_equity_line") == "Home equity line"
    with translation.override("zh-hans"):
        html = render(
            "{% load cases_tags %}{{ code|product_label }}", code="credit_card"
        )
    assert html == "信用卡"


def test_seeded_names_are_translated_and_renamed_ones_pass_through():
    source = "{% load core_tags %}{{ a|seeded }}|{{ b|seeded }}|{{ c|seeded }}"
    with translation.override("zh-hans"):
        html = render(source, a="Phone call", b="Standard ladder", c="Our own rung")
    assert html == "电话催收|标准催收阶梯|Our own rung"


def test_every_shipped_frequency_cap_has_a_name_in_both_languages():
    from compliance.labels import CAP_LABELS, cap_label
    from compliance.pack_defaults import DEFAULT_PACKS

    ids = {
        cap["id"]
        for pack in DEFAULT_PACKS.values()
        for cap in pack["parameters"]["frequency_caps"]
    }
    assert ids and ids <= set(CAP_LABELS)
    with translation.override("zh-hans"):
        assert cap_label("unanswered_per_point") == "同一号码未接通次数"
        assert cap_label("my_own_cap") == "My own cap"


@pytest.mark.django_db
def test_the_demo_teams_and_queues_read_in_one_language(client, collector, team):
    """The demo seeded "早期 Early arrears (1-30)": both languages on every page. Its
    names are stored once, in English, and read in the reader's language on pages and
    in choice lists; a name an admin gives passes through."""
    from cases.models import WorkQueue
    from demo.data import TEAM_NAMES

    assert team.name == TEAM_NAMES["A"]  # the collector's team, as in the demo
    queue = WorkQueue.objects.create(
        code="demo-early", name="Early arrears (1-30)", team=team
    )
    own = WorkQueue.objects.create(code="own", name="Our own queue", team=team)
    client.force_login(collector)
    pages = {}
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        pages[language] = client.get("/collector/").text
        with translation.override(language):
            pages[language + " choices"] = f"{team} / {queue} / {own}"
    assert "Early arrears (1-30)" in pages["en"]
    assert "早期逾期（1-30 天）" in pages["zh-hans"]
    assert "Early arrears" not in pages["zh-hans"]
    assert pages["en choices"] == "Shanghai A / Early arrears (1-30) / Our own queue"
    assert pages["zh-hans choices"] == "上海一组 / 早期逾期（1-30 天） / Our own queue"
