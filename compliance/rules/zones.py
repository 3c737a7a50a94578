"""Candidate time zones of a person: explicit zone, address and phone numbers.

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
    explicit: str,
    country: str,
    region: str,
    phone: str | None,
    fallback: str,
    intersection: bool,
) -> tuple[ZoneInfo, ...]:
    """`candidate_zone_names` as ZoneInfo objects, memoised (most people share a few
    combinations)."""
    return tuple(
        zone(n)
        for n in candidate_zone_names(
            explicit=explicit,
            country=country,
            region=region,
            phone=phone,
            fallback=fallback,
            intersection=intersection,
        )
    )


def candidate_zone_names(
    *,
    explicit: str,
    country: str,
    region: str,
    phone: str | None,
    fallback: str,
    intersection: bool,
) -> tuple[str, ...]:
    """The zones to respect, primary (the person's own calendar) first.

    An explicit zone is the person's own statement and overrides every derived
    signal. With `intersection` (us) the address and phone signals are all kept;
    otherwise the first known signal wins.
    """
    if explicit and zone(explicit) is not None:
        return (explicit,)
    names: list[str] = list(address_zones(country, region))
    if intersection or not names:
        if phone:
            for name in phone_zones(phone):
                if name not in names:
                    names.append(name)
        if not intersection:
            names = names[:1]
    names = [n for n in names if zone(n) is not None]
    return tuple(names) if names else (fallback,)
