"""Phone normalisation for imports: the same answers as cases.validators, faster.

`phonenumbers` takes ~30 µs to parse and validate one number; a million-loan file
carries a million or more numbers. Almost all of them are mainland mobiles written
as 11 digits (or +86 and 11 digits), which this module checks against the mobile
pattern of phonenumbers' own CN metadata (~1 µs). Anything else, and any number the
pattern does not accept, goes through `cases.validators.phone_normalize` unchanged, so
the fast path can only agree with the slow one (tests/imports/test_phones.py checks
this on random numbers).
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from cases.validators import phone_normalize

_CN = phonenumbers.PhoneMetadata.metadata_for_region("CN")
_CN_MOBILE = re.compile(f"(?:{_CN.mobile.national_number_pattern})")
_CN_GENERAL = re.compile(f"(?:{_CN.general_desc.national_number_pattern})")
_CN_PREFIX_FOR_PARSING = re.compile(_CN.national_prefix_for_parsing or "(?!)")
_CN_MOBILE_LENGTHS = frozenset(_CN.mobile.possible_length)
_DIGITS_11 = re.compile(r"1\d{10}")


def _cn_mobile_fast(national: str) -> bool:
    """True when phonenumbers would certainly accept `national` as a CN number.

    phonenumbers strips a national (carrier) prefix only where its pattern matches
    at the start; numbers it could strip are left to the slow path.
    """
    return (
        _DIGITS_11.fullmatch(national) is not None
        and _CN_PREFIX_FOR_PARSING.match(national) is None
        and len(national) in _CN_MOBILE_LENGTHS
        and _CN_MOBILE.fullmatch(national) is not None
        and _CN_GENERAL.fullmatch(national) is not None
    )


@lru_cache(maxsize=65536)
def _slow(value: str, region: str) -> str:
    return phone_normalize(value, region=region or None, field="phone")


def phone_normalize_fast(value: str, region: str) -> str:
    """E.164 for `value` read in `region`; ApplicationError(field "phone") if bad."""
    if value.startswith("+86"):
        national = value[3:]
    elif region == "CN":
        national = value
    else:
        national = ""
    if national and _cn_mobile_fast(national):
        return "+86" + national
    return _slow(value, region)
