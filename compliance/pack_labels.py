"""A rule pack's parameters as labelled rows in the reader's language (issue 18: the
as-of view dumped a Python pprint, the draft's changes showed `contact_window.start`).
Every key the shipped packs use has a name here; an admin's own key or value is
shown as words, never as a raw code."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import ContactPoint
from core.labels import code_as_words

from .labels import cap_label
from .models import Channel, ContactAttempt, ContactRestriction, Purpose

SECTION_LABELS = {
    "time_zone": _("Time zone"),
    "horizon_days": _("Planning horizon (days)"),
    "contact_window": _("Contact window"),
    "holiday_blackout": _("Holiday blackout"),
    "frequency_caps": _("Frequency caps"),
    "post_conversation_cooldown": _("Cooldown after a conversation"),
    "prior_consent": _("Prior consent"),
    "customer_preferences": _("What the customer said"),
    "third_party": _("Third parties"),
    "restrictions": _("Restrictions"),
    "conditions": _("Conditions on a permitted contact"),
    "citations": _("Citations"),
}

KEY_LABELS = {
    "enabled": _("Applies"),
    "start": _("Starts"),
    "end": _("Ends"),
    "days": _("Days"),
    "zones": _("Time zones"),
    "channels": _("Channels"),
    "last_dial_buffer_minutes": _("Last dial before the end (minutes)"),
    "citation": _("Citation"),
    "country": _("Country"),
    "subdivision": _("Region"),
    "max": _("At most"),
    "window": _("Counted per"),
    "scope": _("Counted for"),
    "counted": _("Counts"),
    "caps": _("Caps it lifts"),
    "cooldown": _("Lifts the cooldown"),
    "max_days": _("At most (days)"),
    "time_channels": _("Channels for stated times"),
    "place_channels": _("Channels for stated places"),
    "reply_to_inbound_once": _("One reply to the customer's own contact"),
    "time_citation": _("Citation (times)"),
    "place_citation": _("Citation (places)"),
    "allowed": _("Allowed"),
    "roles": _("Whom"),
    "purposes": _("Purposes"),
    "only_when_unreachable": _("Only when the customer is unreachable"),
    "unreachable_attempts": _("Failed calls that make the customer unreachable"),
    "unreachable_days": _("Unreachable: within days"),
    "max_contacts_per_third_party": _("Contacts per third party (0: no limit)"),
    "allowed_purposes": _("Purposes still allowed"),
    "standard_days": _("Standard length (days)"),
    "third_party_allowed": _("Third parties may be contacted"),
    "record_call": _("Record the call"),
    "include_opt_out": _("Include an opt-out"),
    "verify_identity_before_disclosure": _("Confirm identity before disclosure"),
    "limited_content_voicemail": _("Limited-content voicemail"),
}

VALUE_LABELS = {
    **dict(Channel.choices),
    **dict(Purpose.choices),
    **dict(ContactAttempt.Result.choices),
    **dict(ContactPoint.Relationship.choices),
    **dict(ContactRestriction.Kind.choices),
    "calendar_day": _("Calendar day"),
    "rolling_days": _("Rolling days"),
    "contact_point": _("Each number or address"),
    "debtor": _("The debtor"),
    "debtor_debt": _("The debtor and debt"),
    "single": _("The pack's time zone"),
    "intersection": _("Every zone the customer may be in"),
}
WEEKDAYS = [
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
]


@dataclass
class ParameterRow:
    label: str
    value: str


@dataclass
class ParameterSection:
    label: str
    rows: list[ParameterRow]


def key_label(key: str) -> str:
    label = KEY_LABELS.get(key) or SECTION_LABELS.get(key)
    return str(label) if label is not None else code_as_words(key)


def path_label(path: str) -> str:
    """ "contact_window.start" -> "Contact window · Starts";
    "frequency_caps.0.max" -> "Frequency caps · <the cap's name> · At most" when the
    cap's id is known to the caller, else its position."""
    parts = [p for p in path.split(".") if p]
    return " · ".join(str(int(p) + 1) if p.isdigit() else key_label(p) for p in parts)


def value_text(key: str, value) -> str:
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if value is None or value == "" or value == []:
        return "—"
    if key == "days" and isinstance(value, list):
        return ", ".join(
            str(WEEKDAYS[d]) if isinstance(d, int) and 0 <= d < 7 else str(d)
            for d in value
        )
    if key == "caps" and isinstance(value, list):
        return ", ".join(cap_label(str(v)) for v in value)
    if isinstance(value, list):
        return ", ".join(value_text(key, v) for v in value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return date_format(value, "Y-m-d")
    if isinstance(value, str):
        label = VALUE_LABELS.get(value)
        if label is not None:
            return str(label)
    return str(value)


def pack_parameter_sections(parameters: dict) -> list[ParameterSection]:
    """The parameters in the order the pack has them: plain values first under
    "General", then a section per group (each frequency cap and restriction kind
    its own section, named by the cap or kind)."""
    general: list[ParameterRow] = []
    sections: list[ParameterSection] = []
    for key, value in parameters.items():
        if key == "frequency_caps" and isinstance(value, list):
            for cap in value:
                if isinstance(cap, dict):
                    name = cap_label(str(cap.get("id", "")))
                    rows = _rows({k: v for k, v in cap.items() if k != "id"})
                    sections.append(
                        ParameterSection(f"{key_label(key)} · {name}", rows)
                    )
        elif key == "restrictions" and isinstance(value, dict):
            for kind, spec in value.items():
                label = VALUE_LABELS.get(kind)
                name = str(label) if label is not None else code_as_words(kind)
                rows = _rows(spec) if isinstance(spec, dict) else []
                sections.append(ParameterSection(f"{key_label(key)} · {name}", rows))
        elif isinstance(value, dict):
            sections.append(ParameterSection(key_label(key), _rows(value)))
        else:
            general.append(ParameterRow(key_label(key), value_text(key, value)))
    if general:
        sections.insert(0, ParameterSection(str(_("General")), general))
    return sections


def _rows(spec: dict) -> list[ParameterRow]:
    rows = []
    for key, value in spec.items():
        if isinstance(value, dict):
            for inner, v in value.items():
                rows.append(
                    ParameterRow(
                        f"{key_label(key)} · {key_label(inner)}", value_text(inner, v)
                    )
                )
        else:
            rows.append(ParameterRow(key_label(key), value_text(key, value)))
    return rows
