"""The row checks' shortcuts (cached amounts and dates, the schedule fast path, the
one-test presence check) give exactly the answers of the full checks."""

import random

import pytest

from imports.parsing import (
    MAX_LENGTHS,
    PORTFOLIO_COLUMNS,
    money,
    portfolio_row_parse,
)
from imports.parsing import values as parsing

from .helpers import csv_bytes, day, loan_row, run_import


@pytest.fixture
def cold_caches():
    parsing.parse_caches_clear()
    yield
    parsing.parse_caches_clear()


def _parse(schedule: str):
    errors: list = []
    return parsing._schedule_parse(schedule, errors), errors


def _random_schedule(rng: random.Random) -> str:
    dates = ["2026-01-31", "2026-02-28", "2026-02-30", "1969-12-31", "2026-1-05"]
    amounts = ["100.00", "100", "0.00", "0", "-5", "1.005", "1e3", "abc", "1e30"]
    entries = []
    for _ in range(rng.randint(0, 4)):
        parts = [rng.choice(dates), rng.choice(amounts)]
        if rng.random() < 0.5:
            parts.append(rng.choice(amounts))
        if rng.random() < 0.1:
            parts.append("1")
        entry = ":".join(parts)
        if rng.random() < 0.1:
            entry = f" {entry} "
        entries.append(entry)
    if rng.random() < 0.1:
        entries.append("")
    return ";".join(entries)


def test_the_schedule_fast_path_agrees_with_the_full_parser(cold_caches):
    rng = random.Random(20261129)
    schedules = [_random_schedule(rng) for _ in range(3000)]
    cold = []
    for schedule in schedules:
        parsing.parse_caches_clear()
        cold.append(_parse(schedule))
    # Now with every valid date and amount cached (the fast path's case).
    warm = [_parse(schedule) for schedule in schedules]
    assert warm == cold
    assert any(parsing._schedule_fast(schedule) for schedule in schedules)
    assert any(result is not None for result, _errors in cold)
    assert any(result is None for result, _errors in cold)


def test_a_cached_zero_is_still_refused_where_the_amount_must_be_positive(
    cold_caches,
):
    errors: list = []
    assert money("0.00", field="amount_paid", errors=errors, allow_zero=True) == 0
    assert money("0.00", field="principal", errors=errors) is None
    assert errors == [("principal", "The amount must be greater than zero.")]
    result, errors = _parse(f"{day(1)}:0.00:0.00")
    assert result is None
    assert errors == [
        ("schedule[0].amount_due", "The amount must be greater than zero.")
    ]


def test_an_amount_too_large_for_a_decimal_is_reported_not_raised(cold_caches):
    errors: list = []
    assert money("1e30", field="principal", errors=errors) is None
    assert errors == [("principal", "The amount is too large.")]


@pytest.mark.parametrize("name", sorted(MAX_LENGTHS))
def test_every_length_limit_holds_at_its_boundary(name):
    limit = MAX_LENGTHS[name]
    value = "a" * limit if name != "email" else "a" * (limit - 12) + "@example.com"
    row = loan_row(**{name: value})
    values = [row[column] for column in PORTFOLIO_COLUMNS.names]
    assert portfolio_row_parse(values)[1] == []
    row = loan_row(**{name: value + "a"})
    values = [row[column] for column in PORTFOLIO_COLUMNS.names]
    _row, errors = portfolio_row_parse(values)
    assert (name, f"At most {limit} characters.") in errors


@pytest.mark.parametrize(
    "name", ["customer_reference", "customer_name", "loan_reference", "product"]
)
def test_every_required_value_is_named_when_missing(name):
    row = loan_row(**{name: ""})
    values = [row[column] for column in PORTFOLIO_COLUMNS.names]
    _row, errors = portfolio_row_parse(values)
    assert errors == [(name, "A value is required.")]


@pytest.mark.django_db
def test_an_import_leaves_no_cached_values_behind(cold_caches):
    run = run_import(csv_bytes([loan_row()]))

    assert run.status == "completed"
    assert not parsing._MONEY_CACHE
    assert not parsing._DATE_CACHE
