"""Issue 18, defect 9: the as-of view dumped a rule pack's parameters as a Python
pprint, and the draft's changes named them by path (`contact_window.start`). Each
is now a labelled row in the reader's language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from compliance.pack_defaults import DEFAULT_PACKS
from compliance.pack_labels import (
    KEY_LABELS,
    SECTION_LABELS,
    VALUE_LABELS,
    pack_parameter_sections,
    path_label,
)

RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def _keys(value, found):
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(key)
            _keys(inner, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


@pytest.mark.parametrize("code", sorted(DEFAULT_PACKS))
def test_every_shipped_parameter_has_a_name_and_no_value_shows_as_a_code(code):
    parameters = DEFAULT_PACKS[code]["parameters"]
    restriction_kinds = set(parameters["restrictions"])
    unnamed = _keys(parameters, set()) - set(KEY_LABELS) - set(SECTION_LABELS)
    assert unnamed - restriction_kinds - {"id"} == set()
    for section in pack_parameter_sections(parameters):
        for row in section.rows:
            if "citation" in row.label.lower():
                continue
            assert not RAW_CODE.search(row.value), (section.label, row.label, row.value)


@pytest.mark.parametrize("code", sorted(DEFAULT_PACKS))
def test_in_chinese_every_label_is_chinese(code):
    labels = [*KEY_LABELS.values(), *SECTION_LABELS.values(), *VALUE_LABELS.values()]
    with translation.override("en"):
        english = [str(label) for label in labels]
    with translation.override("zh-hans"):
        chinese = [str(label) for label in labels]
        sections = pack_parameter_sections(DEFAULT_PACKS[code]["parameters"])
    same = {en for en, zh in zip(english, chinese, strict=True) if en == zh}
    assert same <= {"SMS"}
    assert all(re.search(r"[\u4e00-\u9fff]", s.label) for s in sections)


def test_a_path_reads_as_words():
    with translation.override("en"):
        assert path_label("contact_window.start") == "Contact window · Starts"
    with translation.override("zh-hans"):
        assert path_label("contact_window.end") == "联系时段 · 结束"


@pytest.mark.django_db
def test_the_as_of_page_lists_the_parameters_not_a_python_dump(
    admin_client, admin_user
):
    from compliance.services import rule_pack_update

    # A saved version, so the history has the pack whatever the database's past.
    rule_pack_update(
        code="cn",
        parameters={"contact_window": {"end": "21:00"}},
        user=admin_user,
        reason="earlier evenings",
    )
    page = admin_client.get(
        reverse("configuration:as-of"), {"at": "2030-01-01T00:00:00"}
    ).content.decode()
    assert "&#x27;contact_window&#x27;" not in page and "{'" not in page
    assert "<caption>Contact window</caption>" in page
    assert '<th scope="row">Starts</th><td>08:00</td>' in page
    zh = admin_client.get(
        reverse("configuration:as-of"),
        {"at": "2030-01-01T00:00:00"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "contact_window" not in zh and "calendar_day" not in zh
