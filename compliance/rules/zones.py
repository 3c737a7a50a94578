"""Candidate time zones of a person: stated zone, held zone, address, phone numbers.

Reg F §1006.6(b)(1)(i) and (b)(4): when location signals conflict (an Eastern area
code, a Pacific address), contact only when it is convenient in every candidate zone.
Zone objects are built once per name and looked up from small tables; parsing nothing
on the hot path keeps a batch of 50,000 proposals cheap.
"""

from __future__ import annotations

from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers.tzdata import TIMEZONE_DATA

NY = "America/New_York"
CHI = "America/Chicago"
DEN = "America/Denver"
LA = "America/Los_Angeles"

# States that span two zones list both: the person may be in either, so both are
# candidates (the window must be open in each).
US_STATE_ZONES: dict[str, tuple[str, ...]] = {
    "AL": (CHI,), "AK": ("America/Anchorage", "America/Adak"), "AZ": ("America/Phoenix",),  # noqa: E501
    "AR": (CHI,), "CA": (LA,), "CO": (DEN,), "CT": (NY,), "DE": (NY,), "DC": (NY,),
    "FL": (NY, CHI), "GA": (NY,), "HI": ("Pacific/Honolulu",), "ID": ("America/Boise", LA),  # noqa: E501
    "IL": (CHI,), "IN": ("America/Indiana/Indianapolis", CHI), "IA": (CHI,),
    "KS": (CHI, DEN), "KY": ("America/Kentucky/Louisville", CHI), "LA": (CHI,),
    "ME": (NY,), "MD": (NY,), "MA": (NY,), "MI": ("America/Detroit", CHI),
    "MN": (CHI,), "MS": (CHI,), "MO": (CHI,), "MT": (DEN,), "NE": (CHI, DEN),
    "NV": (LA,), "NH": (NY,), "NJ": (NY,), "NM": (DEN,), "NY": (NY,), "NC": (NY,),
    "ND": (CHI, DEN), "OH": (NY,), "OK": (CHI,), "OR": (LA, "America/Boise"),
    "PA": (NY,), "RI": (NY,), "SC": (NY,), "SD": (CHI, DEN), "TN": (CHI, NY),
    "TX": (CHI, DEN), "UT": (DEN,), "VT": (NY,), "VA": (NY,), "WA": (LA,),
    "WV": (NY,), "WI": (CHI,), "WY": (DEN,), "PR": ("America/Puerto_Rico",),
    "GU": ("Pacific/Guam",), "VI": ("America/St_Thomas",), "AS": ("Pacific/Pago_Pago",),
    "MP": ("Pacific/Saipan",),
}  # fmt: skip

# Countries whose whole territory keeps one civil time, by law or in practice.
COUNTRY_ZONES: dict[str, tuple[str, ...]] = {
    "CN": ("Asia/Shanghai",),
    "GB": ("Europe/London",),
    "HK": ("Asia/Hong_Kong",),
    "MO": ("Asia/Macau",),
    "TW": ("Asia/Taipei",),
    "SG": ("Asia/Singapore",),
    "JP": ("Asia/Tokyo",),
    "KR": ("Asia/Seoul",),
    "IE": ("Europe/Dublin",),
}

# A number whose prefix maps to more zones than this is non-geographic (toll-free,
# mobile in some plans): phonenumbers then lists a whole country's zones, which says
# nothing about where the person is.
_MAX_PHONE_ZONES = 3
_MAX_PREFIX = max(len(k) for k in TIMEZONE_DATA)


@cache
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=4096)
def address_zones(country: str, region: str) -> tuple[str, ...]:
    country = (country or "").upper()
    if country == "US":
        return US_STATE_ZONES.get((region or "").upper().removeprefix("US-"), ())
    if country in COUNTRY_ZONES:
        return COUNTRY_ZONES[country]
    # Elsewhere: the country's zone when phonenumbers knows it has exactly one.
    code = phonenumbers.country_code_for_region(country) if country else 0
    zones = TIMEZONE_DATA.get(str(code), ()) if code else ()
    return zones if len(zones) == 1 else ()


@lru_cache(maxsize=65536)
def phone_zones(e164: str) -> tuple[str, ...]:
    """Zones of an E.164 number from its longest known prefix (area code, exchange)."""
    digits = e164.lstrip("+")
    if not digits.isdigit():
        return ()
    for length in range(min(len(digits), _MAX_PREFIX), 0, -1):
        zones = TIMEZONE_DATA.get(digits[:length])
        if zones is not None:
            if len(zones) > _MAX_PHONE_ZONES or zones == ("Etc/Unknown",):
                return ()
            return zones
    return ()


@lru_cache(maxsize=65536)
def candidate_zones(
    *,
    stated: str,
    held: str,
    country: str,
    region: str,
    phones: tuple[str, ...],
    fallback: str,
    intersection: bool,
) -> tuple[ZoneInfo, ...]:
    """`candidate_zone_names` as ZoneInfo objects, memoised (most people share a few
    combinations)."""
    return tuple(
        zone(n)
        for n in candidate_zone_names(
            stated=stated,
            held=held,
            country=country,
            region=region,
            phones=phones,
            fallback=fallback,
            intersection=intersection,
        )
    )


def candidate_zone_names(
    *,
    stated: str,
    held: str,
    country: str,
    region: str,
    phones: tuple[str, ...],
    fallback: str,
    intersection: bool,
) -> tuple[str, ...]:
    """The zones to respect, primary (the person's own calendar) first.

    `stated` is a zone the customer told us ("I live in Los Angeles now"): the
    customer's own statement of where a call is convenient, it overrides every other
    signal. `held` is the zone the bank's records carry (imported or entered): one
    signal among the others, never an override.

    With `intersection` (us, Reg F §1006.6(b)(1) and comment 6(b)(1)-2) the time
    must be convenient in every location the information indicates: the held zone,
    the address, and each of the person's own phone numbers, whichever is dialled.
    Otherwise (cn, uk, as their packs define) the held zone when set, else the
    address, else the first number's zone.
    """
    if stated and zone(stated) is not None:
        return (stated,)
    names: list[str] = []

    def add(candidates) -> None:
        for name in candidates:
            if name not in names and zone(name) is not None:
                names.append(name)

    if intersection:
        add([held] if held else [])
        add(address_zones(country, region))
        for phone in phones:
            add(phone_zones(phone))
    else:
        add([held] if held else [])
        if not names:
            add(address_zones(country, region)[:1])
        if not names:
            for phone in phones:
                add(phone_zones(phone)[:1])
                if names:
                    break
    return tuple(names) if names else (fallback,)


def person_phones(points, dialled=None) -> tuple[str, ...]:
    """The person's own usable numbers (not third parties', not invalid), the
    dialled one first when it is theirs: every one of them is a location signal."""
    phones: list[str] = []
    if (
        dialled is not None
        and dialled.kind == "phone"
        and not dialled.third_party
        and dialled.value
    ):
        phones.append(dialled.value)
    for p in points:
        if (
            p.kind == "phone"
            and not p.third_party
            and p.invalid_at is None
            and p.value not in phones
        ):
            phones.append(p.value)
    return tuple(phones)
