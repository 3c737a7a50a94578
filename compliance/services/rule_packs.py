"""Rule packs as admins change them: a change is validated against the shipped
specification and saved as the pack's next version, with history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from cases.models import Customer
from core.errors import ApplicationError
from core.history import history_save

from .. import selectors
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
            f"Unknown rule pack {code!r}.", errors={"code": [f"Unknown pack {code!r}."]}
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
            "Parameters must be an object.",
            errors={"parameters": ["Must be an object."]},
        )
    base = default_parameters(code) if current is None else dict(current)
    merged = merge_parameters(base, dict(parameters))
    errors = validate_parameters(merged)
    if errors:
        first = next(iter(errors.items()))
        raise ApplicationError(
            f"Invalid rule pack parameters: {first[0]}: {first[1][0]}.",
            code="invalid_rule_pack",
            errors={f"parameters.{k}": v for k, v in errors.items()},
        )
    return merged


def rule_pack_update(
    *, code: str, parameters: Mapping[str, Any], user, reason: str
) -> RulePack:
    """Change a pack's parameters (merged over the current ones) and bump its version.

    simple_history keeps every version, so a decision's (pack, version) can be traced
    to the exact rules it applied.
    """
    _check_pack_code(code)
    if not reason or not reason.strip():
        raise ApplicationError(
            "Say why the rule pack changes.", errors={"reason": ["Required."]}
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
        row.version += 1
        history_save(row, reason=reason.strip(), user=user)
    return row


def pack_compiled_for(customer: Customer) -> Pack:
    """The compiled pack a decision for this customer would use."""
    code = selectors.rule_pack_code_for(customer.country)
    return selectors.rule_packs_compiled([code])[code]
