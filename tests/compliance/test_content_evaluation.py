"""The content lint measured on its labelled evaluation set
(compliance/lexicons/evaluation.toml) and the lint_evaluate command."""

import io

import pytest
from django.core.management import CommandError, call_command

from compliance.content import (
    LEXICON_LANGUAGES,
    _categories,
    content_evaluate,
    evaluation_load,
)
from compliance.management.commands.lint_evaluate import DEVELOPMENT_SLICES

# The held-out slice at its last measurement (docs/compliance.md): a floor against
# regressions, not a target. Raise it when the lexicon improves; never tune to it.
# holdout4 was 5/64 and 3/30 when first measured, 9/64 and 3/30 after the holdout3 pass.
HOLDOUT = "holdout4"
HOLDOUT_MIN_RECALL = 9 / 64
HOLDOUT_MAX_FALSE_BLOCKS = 3 / 30


@pytest.fixture(scope="module")
def development():
    return content_evaluate(evaluation_load(slices=DEVELOPMENT_SLICES))


def test_the_lint_finds_98_percent_of_prohibited_phrases_and_blocks_at_most_1_percent(
    development,
):
    misses = [f"[{p.category}] {p.text}" for p, _ in development.misses]
    blocks = [f"{p.text} ({sorted(f.category for f in fs)})" for p, fs in
              development.false_blocks]  # fmt: skip
    assert development.recall >= 0.98, misses
    assert development.false_block_rate <= 0.01, blocks


def test_every_category_finds_nearly_all_of_its_phrases(development):
    for code, figures in development.categories.items():
        assert figures.labelled >= 16, code
        assert figures.recall >= 0.95, (code, figures)


def test_holdout3_is_a_development_slice_now_and_holdout4_is_not():
    assert "holdout3" in DEVELOPMENT_SLICES
    assert HOLDOUT not in DEVELOPMENT_SLICES


def test_the_held_out_slice_does_not_regress():
    report = content_evaluate(evaluation_load(slices=[HOLDOUT]))
    assert report.labelled >= 60 and report.lawful >= 30
    assert report.recall >= HOLDOUT_MIN_RECALL
    assert report.false_block_rate <= HOLDOUT_MAX_FALSE_BLOCKS


def test_the_set_covers_every_category_in_both_languages_with_lawful_text():
    phrases = evaluation_load()
    assert len(phrases) >= 300
    for language in LEXICON_LANGUAGES:
        mine = [p for p in phrases if p.language == language]
        assert sum(p.category == "ok" for p in mine) >= 80, language
        for code in _categories():
            assert any(p.category == code for p in mine), (language, code)
    texts = [p.text for p in phrases]
    assert len(texts) == len(set(texts)), "a phrase is listed twice"


def test_lint_evaluate_prints_recall_and_false_blocks_per_category_and_slice():
    out = io.StringIO()
    call_command("lint_evaluate", "--check", stdout=out)
    text = out.getvalue()
    for code in _categories():
        assert code in text
    assert "overall" in text and "recall" in text and "false blocks" in text
    assert "holdout3" in text and HOLDOUT in text


def test_lint_evaluate_check_fails_below_the_thresholds(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[set]]\nslice = "tuning"\ncategory = "threat"\nlang = "en"\n'
        'texts = ["Have a lovely day."]\n'
        '[[set]]\nslice = "tuning"\ncategory = "ok"\nlang = "en"\n'
        'texts = ["You deadbeat."]\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("lint_evaluate", "--file", str(bad), "-v", "2", stdout=out)
    assert "missed [threat] Have a lovely day." in out.getvalue()
    assert "false block [en] You deadbeat." in out.getvalue()
    with pytest.raises(CommandError, match="Recall 0.0%"):
        call_command("lint_evaluate", "--file", str(bad), "--check", stdout=out)


def test_an_unknown_category_in_the_set_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[set]]\nslice = "tuning"\ncategory = "rudeness"\nlang = "en"\n'
        'texts = ["x"]\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="rudeness"):
        call_command("lint_evaluate", "--file", str(bad), stdout=io.StringIO())
