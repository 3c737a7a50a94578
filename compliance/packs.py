"""Rule packs: their parameters' validation and the compiled form the engine runs.

A `RulePack` row holds `parameters` (JSON) that admins edit through
`compliance.services.rule_pack_update`; the shipped defaults are data in
compliance.pack_defaults (installed by migration 0002). A pack is compiled once per
distinct content, so evaluating a decision parses nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext

from core.errors import ApplicationError

from .pack_defaults import DEFAULT_PACKS
from .vocabulary import (  # noqa: F401 - re-exported: callers import them from here
    ALL_DAYS,
    CALL_RESULTS,
    CAP_SCOPES,
    CAP_WINDOWS,
    CHANNELS,
    COUNTABLE_RESULTS,
    MESSAGE_RESULTS,
    PURPOSES,
    RESTRICTION_KINDS,
    THIRD_PARTY_ROLES,
    TIMED_CHANNELS,
)

CONDITION_NAMES = (
    "record_call",
    "include_opt_out",
    "verify_identity_before_disclosure",
    "limited_content_voicemail",
)


def default_parameters(code: str) -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_PACKS[code]["parameters"])


# --- validation ---------------------------------------------------------------------


def _parse_clock(value: Any) -> dt.time:
    if not isinstance(value, str):
        raise ValueError(gettext("must be a time such as '08:00'"))
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(
            gettext("%(value)r is not a time such as '08:00'") % {"value": value}
        ) from None


def _zone(value: Any) -> ZoneInfo:
    if not isinstance(value, str) or not value:
        raise ValueError(gettext("must be an IANA time zone such as 'Asia/Shanghai'"))
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            gettext("%(value)r is not an IANA time zone") % {"value": value}
        ) from None


def validate_parameters(params: Any) -> dict[str, list[str]]:
    """Field errors in a pack's parameters (empty when they are usable).

    Keys are dotted paths (`contact_window.end`) so an admin sees which value to fix.
    """
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    def channels(path: str, value: Any) -> None:
        if not isinstance(value, list) or any(c not in CHANNELS for c in value):
            add(
                path,
                gettext("must be a list drawn from %(choices)s")
                % {"choices": ", ".join(CHANNELS)},
            )

    def positive_int(path: str, value: Any, *, allow_zero: bool = False) -> None:
        low = 0 if allow_zero else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            add(
                path,
                gettext("must be a whole number of at least %(low)s") % {"low": low},
            )

    if not isinstance(params, dict):
        return {"parameters": [gettext(gettext("must be an object"))]}
    try:
        _zone(params.get("time_zone"))
    except ValueError as exc:
        add("time_zone", str(exc))
    positive_int("horizon_days", params.get("horizon_days"))
    if isinstance(params.get("horizon_days"), int) and params["horizon_days"] > 366:
        add("horizon_days", gettext("must be at most 366"))

    window = params.get("contact_window")
    if not isinstance(window, dict):
        add("contact_window", gettext("must be an object"))
    else:
        start = end = None
        for key in ("start", "end"):
            try:
                parsed = _parse_clock(window.get(key))
            except ValueError as exc:
                add(f"contact_window.{key}", str(exc))
            else:
                start, end = (parsed, end) if key == "start" else (start, parsed)
        if start and end and end <= start:
            add("contact_window.end", gettext("the window must end after it starts"))
        days = window.get("days")
        if (
            not isinstance(days, list)
            or not days
            or any(d not in ALL_DAYS for d in days)
        ):
            add(
                "contact_window.days",
                gettext("must list weekdays 0 (Monday) to 6 (Sunday)"),
            )
        if window.get("zones") not in ("single", "intersection"):
            add("contact_window.zones", gettext("must be 'single' or 'intersection'"))
        channels("contact_window.channels", window.get("channels"))
        positive_int(
            "contact_window.last_dial_buffer_minutes",
            window.get("last_dial_buffer_minutes", 0),
            allow_zero=True,
        )
        # A window that ends before it starts has its own error; a buffer against a
        # negative length would only repeat it.
        buffer_ok = not errors.get("contact_window.last_dial_buffer_minutes")
        if start and end and end > start and buffer_ok:
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            if window.get("last_dial_buffer_minutes", 0) >= minutes:
                add(
                    "contact_window.last_dial_buffer_minutes",
                    gettext("the buffer must be shorter than the window"),
                )

    blackout = params.get("holiday_blackout")
    if not isinstance(blackout, dict):
        add("holiday_blackout", gettext("must be an object"))
    else:
        channels("holiday_blackout.channels", blackout.get("channels"))
        if blackout.get("enabled"):
            import holidays

            try:
                holidays.country_holidays(
                    blackout.get("country") or "",
                    subdiv=blackout.get("subdivision") or None,
                )
            except (NotImplementedError, KeyError) as exc:
                add(
                    "holiday_blackout.country",
                    gettext("unknown holiday calendar: %(error)s") % {"error": exc},
                )

    caps = params.get("frequency_caps")
    if not isinstance(caps, list):
        add("frequency_caps", gettext("must be a list"))
    else:
        seen: set[str] = set()
        for i, cap in enumerate(caps):
            path = f"frequency_caps.{i}"
            if not isinstance(cap, dict):
                add(path, gettext("must be an object"))
                continue
            cap_id = cap.get("id")
            if not isinstance(cap_id, str) or not cap_id:
                add(f"{path}.id", gettext("required"))
            elif cap_id in seen:
                add(f"{path}.id", gettext("%(id)r is used twice") % {"id": cap_id})
            else:
                seen.add(cap_id)
            channels(f"{path}.channels", cap.get("channels"))
            positive_int(f"{path}.max", cap.get("max"))
            if cap.get("window") not in CAP_WINDOWS:
                add(
                    f"{path}.window",
                    gettext("must be one of %(choices)s")
                    % {"choices": ", ".join(CAP_WINDOWS)},
                )
            positive_int(f"{path}.days", cap.get("days", 1))
            if cap.get("scope") not in CAP_SCOPES:
                add(
                    f"{path}.scope",
                    gettext("must be one of %(choices)s")
                    % {"choices": ", ".join(CAP_SCOPES)},
                )
            counted = cap.get("counted")
            if (
                not isinstance(counted, list)
                or not counted
                or any(r not in COUNTABLE_RESULTS for r in counted)
            ):
                add(
                    f"{path}.counted",
                    gettext("must list results drawn from %(choices)s")
                    % {"choices": ", ".join(COUNTABLE_RESULTS)},
                )

    cooldown = params.get("post_conversation_cooldown")
    if not isinstance(cooldown, dict):
        add("post_conversation_cooldown", gettext("must be an object"))
    else:
        positive_int("post_conversation_cooldown.days", cooldown.get("days"))
        channels("post_conversation_cooldown.channels", cooldown.get("channels"))

    third = params.get("third_party")
    if not isinstance(third, dict):
        add("third_party", gettext("must be an object"))
    else:
        roles = third.get("roles")
        if not isinstance(roles, list) or any(
            r not in THIRD_PARTY_ROLES for r in roles
        ):
            add(
                "third_party.roles",
                gettext("must be drawn from %(choices)s")
                % {"choices": ", ".join(THIRD_PARTY_ROLES)},
            )
        purposes = third.get("purposes")
        if not isinstance(purposes, list) or any(p not in PURPOSES for p in purposes):
            add(
                "third_party.purposes",
                gettext("must be drawn from %(choices)s")
                % {"choices": ", ".join(PURPOSES)},
            )
        positive_int(
            "third_party.unreachable_attempts", third.get("unreachable_attempts")
        )
        positive_int("third_party.unreachable_days", third.get("unreachable_days"))
        positive_int(
            "third_party.max_contacts_per_third_party",
            third.get("max_contacts_per_third_party", 0),
            allow_zero=True,
        )

    restrictions = params.get("restrictions")
    if not isinstance(restrictions, dict):
        add("restrictions", gettext("must be an object"))
    else:
        for kind, spec in restrictions.items():
            if kind not in RESTRICTION_KINDS:
                add(f"restrictions.{kind}", gettext("unknown restriction kind"))
                continue
            purposes = (
                spec.get("allowed_purposes", []) if isinstance(spec, dict) else None
            )
            if not isinstance(purposes, list) or any(
                p not in PURPOSES for p in purposes
            ):
                add(
                    f"restrictions.{kind}.allowed_purposes",
                    gettext("must be drawn from %(choices)s")
                    % {"choices": ", ".join(PURPOSES)},
                )
            if isinstance(spec, dict) and "standard_days" in spec:
                positive_int(
                    f"restrictions.{kind}.standard_days", spec["standard_days"]
                )

    consent = params.get("prior_consent")
    if consent is not None:
        if not isinstance(consent, dict):
            add("prior_consent", gettext("must be an object"))
        else:
            cap_ids = (
                {c.get("id") for c in caps or [] if isinstance(c, dict)}
                if isinstance(caps, list)
                else set()
            )
            listed = consent.get("caps", [])
            if not isinstance(listed, list) or any(c not in cap_ids for c in listed):
                add("prior_consent.caps", gettext("must list ids of this pack's caps"))
            positive_int("prior_consent.max_days", consent.get("max_days", 7))
            if isinstance(consent.get("max_days"), int) and consent["max_days"] > 7:
                # §1006.14(b)(3)(i): a period of no more than seven consecutive days.
                add("prior_consent.max_days", gettext("must be at most 7"))

    prefs = params.get("customer_preferences")
    if prefs is not None:
        if not isinstance(prefs, dict):
            add("customer_preferences", gettext("must be an object"))
        else:
            for key in ("time_channels", "place_channels"):
                if key in prefs:
                    channels(f"customer_preferences.{key}", prefs[key])

    conditions = params.get("conditions")
    if not isinstance(conditions, dict):
        add("conditions", gettext("must be an object"))
    else:
        for name, value in conditions.items():
            if name not in CONDITION_NAMES:
                add(f"conditions.{name}", gettext("unknown condition"))
            else:
                channels(f"conditions.{name}", value)
    return errors


def merge_parameters(current: dict, changes: dict) -> dict:
    """`changes` laid over `current`: objects merge key by key, anything else replaces.

    Lets an admin send `{"contact_window": {"end": "21:00"}}` without restating the
    rest of the pack.
    """
    merged = copy.deepcopy(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_parameters(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# --- compiled form -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cap:
    id: str
    channels: frozenset[str]
    max: int
    window: str
    days: int
    scope: str
    counted: frozenset[str]
    citation: str


@dataclass(frozen=True, slots=True)
class Pack:
    """A rule pack's parameters parsed once, so evaluating a decision parses nothing."""

    code: str
    version: int
    zone: ZoneInfo
    horizon: dt.timedelta
    window_enabled: bool
    window_start: dt.time
    window_end: dt.time  # for calls: shortened by the last-dial buffer
    window_end_nominal: dt.time
    window_days: frozenset[int]
    window_intersection: bool
    window_channels: frozenset[str]
    window_citation: str
    blackout_enabled: bool
    blackout_country: str
    blackout_subdivision: str
    blackout_channels: frozenset[str]
    blackout_citation: str
    caps: tuple[Cap, ...]
    cooldown_enabled: bool
    cooldown_days: int
    cooldown_channels: frozenset[str]
    cooldown_citation: str
    third_party: dict
    restrictions: dict
    conditions: dict[str, frozenset[str]]
    condition_citations: dict[str, str]
    lookback: dt.timedelta = field(default=dt.timedelta(days=8))
    # Prior consent (Reg F §1006.14(b)(3)(i)): the caps it excludes calls from, and
    # whether it lifts the post-conversation cooldown. Off in cn and uk.
    consent_caps: frozenset[str] = frozenset()
    consent_cooldown: bool = False
    consent_max_days: int = 7
    consent_citation: str = ""
    # Customer-stated inconvenient times and places (every pack).
    preferences_enabled: bool = True
    preference_time_channels: frozenset[str] = frozenset(TIMED_CHANNELS)
    preference_place_channels: frozenset[str] = frozenset(CHANNELS)
    preference_time_citation: str = ""
    preference_place_citation: str = ""
    reply_to_inbound_once: bool = True


def _section(code: str, params: dict, name: str) -> dict:
    """A section added after the packs were first installed: the stored one, else
    the shipped default of that pack (rows saved before it existed), else {}."""
    if isinstance(params.get(name), dict):
        return params[name]
    shipped = DEFAULT_PACKS.get(code, {}).get("parameters", {})
    return shipped.get(name, {})


def compile_pack(code: str, version: int, params: dict) -> Pack:
    window = params["contact_window"]
    start = dt.time.fromisoformat(window["start"])
    end = dt.time.fromisoformat(window["end"])
    buffer = int(window.get("last_dial_buffer_minutes", 0))
    end_minutes = end.hour * 60 + end.minute - buffer
    effective_end = dt.time(end_minutes // 60, end_minutes % 60)
    caps = tuple(
        Cap(
            id=c["id"],
            channels=frozenset(c["channels"]),
            max=int(c["max"]),
            window=c["window"],
            days=int(c.get("days", 1)) if c["window"] == "rolling_days" else 1,
            scope=c["scope"],
            counted=frozenset(c["counted"]),
            citation=c.get("citation", ""),
        )
        for c in params["frequency_caps"]
    )
    cooldown = params["post_conversation_cooldown"]
    third = params["third_party"]
    blackout = params["holiday_blackout"]
    lookback_days = max(
        [c.days for c in caps]
        + [cooldown["days"] if cooldown.get("enabled") else 1]
        + [third.get("unreachable_days", 1)]
    )
    consent = _section(code, params, "prior_consent")
    consent_on = bool(consent.get("enabled"))
    prefs = _section(code, params, "customer_preferences")
    return Pack(
        code=code,
        version=version,
        consent_caps=frozenset(consent.get("caps", ())) if consent_on else frozenset(),
        consent_cooldown=consent_on and bool(consent.get("cooldown")),
        consent_max_days=int(consent.get("max_days", 7)),
        consent_citation=consent.get("citation", ""),
        preferences_enabled=bool(prefs.get("enabled", True)),
        preference_time_channels=frozenset(prefs.get("time_channels", TIMED_CHANNELS)),
        preference_place_channels=frozenset(prefs.get("place_channels", CHANNELS)),
        preference_time_citation=prefs.get("time_citation", ""),
        preference_place_citation=prefs.get("place_citation", ""),
        reply_to_inbound_once=bool(prefs.get("reply_to_inbound_once", True)),
        zone=ZoneInfo(params["time_zone"]),
        horizon=dt.timedelta(days=int(params["horizon_days"])),
        window_enabled=bool(window.get("enabled", True)),
        window_start=start,
        window_end=effective_end,
        window_end_nominal=end,
        window_days=frozenset(window["days"]),
        window_intersection=window["zones"] == "intersection",
        window_channels=frozenset(window["channels"]),
        window_citation=window.get("citation", ""),
        blackout_enabled=bool(blackout.get("enabled")),
        blackout_country=blackout.get("country", ""),
        blackout_subdivision=blackout.get("subdivision") or "",
        blackout_channels=frozenset(blackout.get("channels", [])),
        blackout_citation=blackout.get("citation", ""),
        caps=caps,
        cooldown_enabled=bool(cooldown.get("enabled")),
        cooldown_days=int(cooldown["days"]),
        cooldown_channels=frozenset(cooldown["channels"]),
        cooldown_citation=cooldown.get("citation", ""),
        third_party=dict(third),
        restrictions=dict(params["restrictions"]),
        conditions={k: frozenset(v) for k, v in params["conditions"].items()},
        condition_citations=dict(params.get("citations", {})),
        # Counting reaches back this far (plus a day for zone offsets) from the
        # evaluated time; the selectors fetch no older ledger rows than that.
        lookback=dt.timedelta(days=lookback_days + 1),
    )


def pack_from_row(*, code: str, version: int, parameters: dict | str) -> Pack:
    """The compiled pack for a RulePack row, compiled once per distinct content.

    `parameters` may be the stored JSON text (as the gate's query returns it), parsed
    only when not cached. The cache key is the content itself, not a timestamp: two
    saves within the same clock tick (or under a frozen test clock) cannot alias.
    Raises ApplicationError when stored parameters are unusable, rather than letting a
    hand-edited row decide contacts on half a rule set.
    """
    text = (
        parameters
        if isinstance(parameters, str)
        else json.dumps(parameters, sort_keys=True, ensure_ascii=False)
    )
    key = (code, version, text)
    cached = _BY_STAMP.get(key)
    if cached is not None:
        return cached
    parsed = json.loads(text)
    errors = validate_parameters(parsed)
    if errors:
        raise ApplicationError(
            f"Rule pack {code!r} v{version} has invalid parameters.",
            code="invalid_rule_pack",
            errors={f"parameters.{k}": v for k, v in errors.items()},
        )
    pack = compile_pack(code, version, parsed)
    if len(_BY_STAMP) > 256:
        _BY_STAMP.clear()
    _BY_STAMP[key] = pack
    return pack


_BY_STAMP: dict[tuple[str, int, str], Pack] = {}  # (code, version, JSON text)


def default_pack(code: str) -> Pack:
    """The shipped defaults compiled (tests, and code without a database row)."""
    return compile_pack(code, 0, default_parameters(code))
