"""Compliance rules: one small module per rule family, each rule a pure function.

`rules_for(pack, channel)` lists the rules a pack runs for a channel, the most
decisive first (holds and contact-point states deny outright; windows and caps defer).
"""

from __future__ import annotations

from compliance.packs import Pack

from .base import Context, Rule
from .contact_point import contact_point, third_party
from .frequency import make_cap_rule, post_conversation_cooldown
from .holds import restrictions
from .preferences import customer_places, customer_times
from .window import contact_window, holiday_blackout

_RULES: dict[tuple[int, str], tuple[Pack, tuple[Rule, ...]]] = {}
_CONDITIONS: dict[tuple[int, str, bool], tuple[Pack, tuple[str, ...]]] = {}


def rules_for(pack: Pack, channel: str) -> tuple[Rule, ...]:
    """The rules that can fire for `channel` under `pack` (computed once per pack):
    a rule for other channels, or one the pack switches off, is never called."""
    key = (id(pack), channel)
    cached = _RULES.get(key)
    if cached is not None and cached[0] is pack:
        return cached[1]
    rules: list[Rule] = [contact_point, third_party, restrictions]
    if pack.preferences_enabled and channel in pack.preference_place_channels:
        rules.append(customer_places)
    if pack.window_enabled and channel in pack.window_channels:
        rules.append(contact_window)
    if pack.blackout_enabled and channel in pack.blackout_channels:
        rules.append(holiday_blackout)
    if pack.preferences_enabled and channel in pack.preference_time_channels:
        rules.append(customer_times)
    rules += [make_cap_rule(cap) for cap in pack.caps if channel in cap.channels]
    if pack.cooldown_enabled and channel in pack.cooldown_channels:
        rules.append(post_conversation_cooldown)
    if len(_RULES) > 1024:
        _RULES.clear()
    _RULES[key] = (pack, tuple(rules))
    return _RULES[key][1]


def conditions_for(ctx: Context) -> list[str]:
    """Conditions attached to an allowed contact (catalogue 3.14, 3.16, 3.17)."""
    pack, channel, point = ctx.pack, ctx.channel, ctx.point
    third = point is not None and point.third_party
    key = (id(pack), channel, third)
    cached = _CONDITIONS.get(key)
    if cached is None or cached[0] is not pack:
        names = [name for name, chans in pack.conditions.items() if channel in chans]
        if third:
            if "verify_identity_before_disclosure" not in names:
                names.append("verify_identity_before_disclosure")
            names.append("no_debt_disclosure")
        if len(_CONDITIONS) > 1024:
            _CONDITIONS.clear()
        cached = _CONDITIONS[key] = (pack, tuple(names))
    return list(cached[1])
