"""The legal floors under each shipped rule pack: how far an admin may loosen it.

A pack's parameters are policy the bank tunes, but some of them restate the law: the
cn window may not reach past 22:00, the us 7-in-7 cap may not become 8, breathing
space may not allow collection. Each floor names the parameter, the legal limit and
the citation; `floor_breaches` lists where proposed parameters go beyond them.
Values the catalogue marks [P] (policy defaults, not law) carry no floor.

A breach is not an error of form (that is `packs.validate_parameters`): it can be
activated, but only with a legal-review override that a second admin approves
(configuration.services, decision record 36).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .pack_defaults import DEFAULT_PACKS


@dataclass(frozen=True, slots=True)
class Floor:
    """One legal limit on one parameter.

    `path` is dotted; `frequency_caps[<id>]` names a cap by its id, wherever it sits in
    the list. `kind` says how the proposed value must compare with `limit`:
    `at_most`, `at_least`, `not_before` / `not_after` (clock times), `equals`,
    `includes` (a list that must keep every listed item) and `within` (a list that may
    name no item outside the listed ones)."""

    path: str
    kind: str
    limit: Any
    citation: str


@dataclass(frozen=True, slots=True)
class FloorBreach:
    path: str  # dotted, with list indexes, as validation errors name parameters
    kind: str
    limit: Any
    proposed: Any
    citation: str

    @property
    def message(self) -> str:
        return str(MESSAGES[self.kind]) % {
            "limit": _display(self.limit),
            "proposed": _display(self.proposed),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FloorBreach:
        """A stored breach back, so its message is read in the reader's language."""
        return cls(
            data["path"],
            data["kind"],
            data["limit"],
            data["proposed"],
            data["citation"],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "limit": self.limit,
            "proposed": self.proposed,
            "citation": self.citation,
            "message": self.message,
        }


MESSAGES = {
    "at_most": _("the law allows at most %(limit)s; proposed %(proposed)s"),
    "at_least": _("the law requires at least %(limit)s; proposed %(proposed)s"),
    "not_before": _(
        "the law allows no contact before %(limit)s; proposed %(proposed)s"
    ),
    "not_after": _("the law allows no contact after %(limit)s; proposed %(proposed)s"),
    "equals": _("the law requires %(limit)s; proposed %(proposed)s"),
    "includes": _("the law requires %(limit)s to stay covered; proposed %(proposed)s"),
    "within": _("the law allows only %(limit)s; proposed %(proposed)s"),
    "missing": _("the law requires this rule (%(limit)s); it was removed"),
}

_CN_GUIDELINE = "CBA 2026 guideline; GB/T 2025"


def _cap_floors(code: str, cap_id: str, *, max_citation: str) -> list[Floor]:
    """A legally required cap: at most its legal maximum, over no shorter a period,
    in the same scope, counting at least what the law counts."""
    shipped = next(
        c
        for c in DEFAULT_PACKS[code]["parameters"]["frequency_caps"]
        if c["id"] == cap_id
    )
    path = f"frequency_caps[{cap_id}]"
    floors = [
        Floor(f"{path}.max", "at_most", shipped["max"], max_citation),
        Floor(f"{path}.window", "equals", shipped["window"], max_citation),
        Floor(f"{path}.scope", "equals", shipped["scope"], max_citation),
        Floor(f"{path}.channels", "includes", shipped["channels"], max_citation),
        Floor(f"{path}.counted", "includes", shipped["counted"], max_citation),
    ]
    if shipped["window"] == "rolling_days":
        floors.append(Floor(f"{path}.days", "at_least", shipped["days"], max_citation))
    return floors


def _restriction_floors(code: str, kinds: list[str]) -> list[Floor]:
    """A legal restriction may not allow more purposes than the law lets through."""
    restrictions = DEFAULT_PACKS[code]["parameters"]["restrictions"]
    return [
        Floor(
            f"restrictions.{kind}.allowed_purposes",
            "within",
            restrictions[kind]["allowed_purposes"],
            restrictions[kind]["citation"],
        )
        for kind in kinds
    ]


def _statement_floors(code: str) -> list[Floor]:
    """The customer's own statements of inconvenient times and places bind in every
    pack (decision 39): their rules may not be switched off or narrowed."""
    prefs = DEFAULT_PACKS[code]["parameters"]["customer_preferences"]
    return [
        Floor("customer_preferences.enabled", "equals", True, prefs["time_citation"]),
        Floor(
            "customer_preferences.time_channels",
            "includes",
            prefs["time_channels"],
            prefs["time_citation"],
        ),
        Floor(
            "customer_preferences.place_channels",
            "includes",
            prefs["place_channels"],
            prefs["place_citation"],
        ),
    ]


LEGAL_FLOORS: dict[str, list[Floor]] = {
    "cn": [
        Floor("contact_window.enabled", "equals", True, _CN_GUIDELINE),
        Floor("contact_window.start", "not_before", "08:00", _CN_GUIDELINE),
        Floor("contact_window.end", "not_after", "22:00", _CN_GUIDELINE),
        Floor(
            "contact_window.channels",
            "includes",
            ["call", "sms", "visit"],
            _CN_GUIDELINE,
        ),
        *_cap_floors(
            "cn",
            "unanswered_per_point",
            max_citation="CBA 2026 guideline (每日未接通不超过6次)",
        ),
        *_cap_floors(
            "cn",
            "conversations_per_debtor",
            max_citation="GB/T 2025 (每日有效通话不超过3次)",
        ),
        Floor("third_party.only_when_unreachable", "equals", True, _CN_GUIDELINE),
        Floor("third_party.purposes", "within", ["location"], _CN_GUIDELINE),
        Floor(
            "conditions.verify_identity_before_disclosure",
            "includes",
            ["call", "visit"],
            "CBA 2026; 2011 Measures Art. 68",
        ),
        Floor(
            "conditions.record_call",
            "includes",
            ["call", "visit"],
            "CBA 2026; 2011 Measures Art. 68",
        ),
        *_restriction_floors("cn", ["legal_hold", "attorney", "deceased", "dispute"]),
        # A callback request lifts none of the cn daily caps (decision 38).
        Floor("prior_consent.enabled", "equals", False, _CN_GUIDELINE),
        *_statement_floors("cn"),
    ],
    "us": [
        Floor("contact_window.enabled", "equals", True, "Reg F §1006.6(b)(1)(i)"),
        Floor("contact_window.start", "not_before", "08:00", "Reg F §1006.6(b)(1)(i)"),
        Floor("contact_window.end", "not_after", "21:00", "Reg F §1006.6(b)(1)(i)"),
        # Convenient in every location the collector's information indicates.
        Floor(
            "contact_window.zones",
            "equals",
            "intersection",
            "Reg F §1006.6(b)(1)(i); comment 6(b)(1)-2",
        ),
        Floor(
            "contact_window.channels",
            "includes",
            DEFAULT_PACKS["us"]["parameters"]["contact_window"]["channels"],
            "Reg F §1006.6(b)(1)(i), (b)(4)",
        ),
        *_cap_floors("us", "calls_7_in_7", max_citation="Reg F §1006.14(b)(2)(i)(A)"),
        Floor(
            "post_conversation_cooldown.enabled",
            "equals",
            True,
            "Reg F §1006.14(b)(2)(i)(B)",
        ),
        Floor(
            "post_conversation_cooldown.days",
            "at_least",
            7,
            "Reg F §1006.14(b)(2)(i)(B)",
        ),
        Floor(
            "post_conversation_cooldown.channels",
            "includes",
            ["call"],
            "Reg F §1006.14(b)(2)(i)(B)",
        ),
        # Location contacts: each third party once (0 would mean no limit).
        Floor(
            "third_party.max_contacts_per_third_party", "equals", 1, "15 USC 1692b(3)"
        ),
        Floor("third_party.purposes", "within", ["location"], "15 USC 1692b, 1692c(b)"),
        Floor(
            "conditions.verify_identity_before_disclosure",
            "includes",
            ["call", "visit"],
            "15 USC 1692c(b)",
        ),
        Floor(
            "conditions.include_opt_out",
            "includes",
            ["sms", "email"],
            "Reg F §1006.6(e)",
        ),
        Floor(
            "conditions.limited_content_voicemail",
            "includes",
            ["call"],
            "Reg F §1006.2(j)",
        ),
        *_restriction_floors(
            "us",
            [
                "cease_communication",
                "dispute",
                "attorney",
                "legal_hold",
                "deceased",
                "channel_opt_out",
            ],
        ),
        # Prior consent excludes calls from the 7-in-7 count only, for at most 7 days.
        Floor("prior_consent.caps", "within", ["calls_7_in_7"], "Reg F §1006.14(b)(3)"),
        Floor("prior_consent.max_days", "at_most", 7, "Reg F §1006.14(b)(3)(i)"),
        *_statement_floors("us"),
    ],
    # CONC sets no statutory hours or caps (the shipped ones are [P]); what it does
    # set: a window of some kind, identity before disclosure, and breathing space.
    "uk": [
        Floor("contact_window.enabled", "equals", True, "CONC 7.9.4R"),
        Floor(
            "conditions.verify_identity_before_disclosure",
            "includes",
            ["call", "visit"],
            "CONC 7.9.10R",
        ),
        Floor(
            "restrictions.breathing_space.standard_days",
            "at_least",
            60,
            DEFAULT_PACKS["uk"]["parameters"]["restrictions"]["breathing_space"][
                "citation"
            ],
        ),
        *_restriction_floors("uk", ["breathing_space", "legal_hold"]),
        *_statement_floors("uk"),
    ],
}


def _resolve(params: dict, path: str) -> tuple[str, Any, bool]:
    """(dotted path with list indexes, value, found) for a floor's path."""
    node: Any = params
    resolved: list[str] = []
    for part in path.split("."):
        if "[" in part:
            name, cap_id = part[:-1].split("[")
            items = node.get(name) if isinstance(node, dict) else None
            index = next(
                (
                    i
                    for i, item in enumerate(items or [])
                    if isinstance(item, dict) and item.get("id") == cap_id
                ),
                None,
            )
            if index is None:
                return ".".join([*resolved, part]), None, False
            resolved += [name, str(index)]
            node = items[index]
            continue
        if not isinstance(node, dict) or part not in node:
            return ".".join([*resolved, part]), None, False
        resolved.append(part)
        node = node[part]
    return ".".join(resolved), node, True


def _clock(value: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _holds(floor: Floor, value: Any) -> bool:
    kind, limit = floor.kind, floor.limit
    if kind == "at_most":
        return isinstance(value, int) and value <= limit
    if kind == "at_least":
        return isinstance(value, int) and value >= limit
    if kind in ("not_before", "not_after"):
        clock = _clock(value)
        if clock is None:
            return False
        return (
            clock >= _clock(limit) if kind == "not_before" else clock <= _clock(limit)
        )
    if kind == "equals":
        return value == limit
    if kind == "includes":
        return isinstance(value, list) and set(limit) <= set(value)
    if kind == "within":
        return isinstance(value, list) and set(value) <= set(limit)
    raise ValueError(f"unknown floor kind {kind!r}")


def floor_breaches(code: str, params: dict) -> list[FloorBreach]:
    """Where `params` (complete and valid, as `packs.validate_parameters` passes them)
    go beyond the law for pack `code`; empty when they stay within it."""
    breaches: list[FloorBreach] = []
    missing: set[str] = set()
    for floor in LEGAL_FLOORS.get(code, []):
        path, value, found = _resolve(params, floor.path)
        if not found:
            # A removed cap is one breach, not one per attribute.
            if path in missing:
                continue
            missing.add(path)
            breaches.append(FloorBreach(path, "missing", path, None, floor.citation))
            continue
        if not _holds(floor, value):
            breaches.append(
                FloorBreach(path, floor.kind, floor.limit, value, floor.citation)
            )
    return breaches


def _display(value: Any) -> str:
    if value is True:
        return str(_("on"))
    if value is False:
        return str(_("off"))
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)
