"""The import's fast phone check agrees with cases.validators.phone_normalize."""

import random

import pytest

from cases.validators import phone_normalize
from core.errors import ApplicationError
from imports.phones import phone_normalize_fast


def slow(value: str, region: str):
    try:
        return phone_normalize(value, region=region)
    except ApplicationError:
        return None


def fast(value: str, region: str):
    try:
        return phone_normalize_fast(value, region)
    except ApplicationError:
        return None


def test_fast_and_slow_agree_on_random_mainland_numbers():
    rng = random.Random(20261129)
    values = [f"1{rng.randrange(10**10):010d}" for _ in range(20_000)]
    values += [f"+86{v}" for v in values[:5000]]
    values += [f"{rng.randrange(10**11):011d}" for _ in range(2000)]
    for value in values:
        assert fast(value, "CN") == slow(value, "CN"), value


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("138 0013 8000", "CN"),
        ("+1 415 555 0142", "US"),
        ("17951 13800138000", "CN"),
        ("11912345678", "CN"),
        ("13800138000", "US"),
        ("+8613800138000", "US"),
        ("010 6552 9988", "CN"),
        ("", "CN"),
    ],
)
def test_fast_and_slow_agree_on_awkward_numbers(value, region):
    assert fast(value, region) == slow(value, region)
