"""Rule packs as admins change them: a change is validated against the shipped
specification and saved as the pack's next version, with history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Customer
from core.errors import ApplicationError
from core.history import history_save

from .. import selectors
from ..floors import FloorBreach, floor_breaches
from ..models import RulePack
from ..packs import (
    DEFAULT_PACKS,
    Pack,
    default_parameters,
    merge_parameters,
    validate_parameters,
)


def rule_pack_for(customer: Customer) -> RulePack:
    """The pack for the customer's country (CN→cn, US→us, GB→uk), else
    settings.DEFAULT_RULE_PACK. An unsaved row with the shipped defaults (version 0)
    when the database has none."""
    return selectors.rule_pack_row(selectors.rule_pack_code_for(customer.country))


def _check_pack_code(code: str) -> None:
    if code not in DEFAULT_PACKS:
        raise ApplicationError(
            _("Unknown rule pack %(code)r.") % {"code": code},
            errors={"code": [_("Unknown pack %(code)r.") % {"code": code}]},
        )


def rule_pack_validate(
    *, code: str, parameters: Mapping[str, Any], current: Mapping[str, Any] | None
) -> dict[str, Any]:
    """`parameters` merged over `current` (the pack's parameters now; None for the
    shipped defaults), checked: the merged parameters, or ApplicationError naming
    each bad parameter (`parameters.contact_window.end`, ...). Writes nothing; used
    by `rule_pack_update` and by drafts (configuration.services)."""
    _check_pack_code(code)
    if not isinstance(parameters, Mapping):
        raise ApplicationError(
            _("Parameters must be an object."),
            errors={"parameters": [_("Must be an object.")]},
        )
    base = default_parameters(code) if current is None else dict(current)
    merged = merge_parameters(base, dict(parameters))
    errors = validate_parameters(merged)
    if errors:
        first = next(iter(errors.items()))
        raise ApplicationError(
            _("Invalid rule pack parameters: %(path)s: %(message)s.")
            % {"path": first[0], "message": first[1][0]},
            code="invalid_rule_pack",
            errors={f"parameters.{k}": v for k, v in errors.items()},
        )
    return merged


@dataclass(frozen=True, slots=True)
class LegalOverride:
    """A legal review's consent to parameters beyond the law's floors: why, who asked
    and the second admin who approved (configuration's drafts carry one)."""

    reason: str
    requested_by: Any
    approved_by: Any


def _check_floors(
    code: str, parameters: dict, override: LegalOverride | None
) -> list[FloorBreach]:
    """The breaches of the pack's legal floors, refused unless a legal-review override
    approved by a second admin covers them."""
    breaches = floor_breaches(code, parameters)
    if not breaches:
        return breaches
    approved = (
        override is not None
        and override.reason.strip()
        and override.approved_by is not None
        and override.approved_by != override.requested_by
    )
    if not approved:
        first = breaches[0]
        raise ApplicationError(
            _(
                "Beyond the legal floor: %(path)s: %(message)s (%(citation)s). Save "
                "it as a draft with a legal-review override for a second admin to "
                "approve."
            )
            % {
                "path": first.path,
                "message": first.message,
                "citation": first.citation,
            },
            code="below_legal_floor",
            errors={
                f"parameters.{b.path}": [f"{b.message} ({b.citation})"]
                for b in breaches
            },
        )
    return breaches


def rule_pack_update(
    *,
    code: str,
    parameters: Mapping[str, Any],
    user,
    reason: str,
    legal_override: LegalOverride | None = None,
) -> RulePack:
    """Change a pack's parameters (merged over the current ones) and bump its version.

    simple_history keeps every version, so a decision's (pack, version) can be traced
    to the exact rules it applied. Parameters beyond the pack's legal floors
    (compliance.floors) need `legal_override`; its reason joins the version's.
    """
    _check_pack_code(code)
    if not reason or not reason.strip():
        raise ApplicationError(
            _("Say why the rule pack changes."), errors={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        # Lock the row: two admins saving at once must not both become version N+1.
        row = RulePack.objects.select_for_update().filter(code=code).first()
        if row is None:
            spec = DEFAULT_PACKS[code]
            row = RulePack(code=code, name=spec["name"], version=0, parameters={})
            current = None
        else:
            current = row.parameters
        row.parameters = rule_pack_validate(
            code=code, parameters=parameters, current=current
        )
        reason = reason.strip()
        if _check_floors(code, row.parameters, legal_override):
            # The override's own reason stays on the draft; the version's history
            # (100 characters) says that one applied and who approved it.
            approver = getattr(legal_override.approved_by, "username", "")
            reason = f"[legal override, {approver}] {reason}"
        row.version += 1
        history_save(row, reason=reason, user=user)
    return row


def pack_compiled_for(customer: Customer) -> Pack:
    """The compiled pack a decision for this customer would use."""
    code = selectors.rule_pack_code_for(customer.country)
    return selectors.rule_packs_compiled([code])[code]
