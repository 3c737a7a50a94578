"""Editing the approval authority matrix (decision 48): who may approve how much of a
settlement's discount or a write-off. One row per role and kind; an admin changes
them together on the configuration page, with a reason kept in each changed row's
history. Reading the matrix for a decision is escalation.work_items.authority_covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.history import history_save

from .models import ApprovalAuthority

ROLES = [code for code, _label in ApprovalAuthority.ROLE_CHOICES]
KINDS = list(ApprovalAuthority.Kind.values)
HUNDRED = Decimal("100")


@dataclass
class AuthorityCell:
    role: str
    kind: str
    max_amount: Decimal
    max_percent: Decimal

    @property
    def field(self) -> str:
        return f"{self.kind}-{self.role}"


def authority_matrix() -> list[AuthorityCell]:
    """Every role and kind, in the order of the page (kind, then role); a pair with
    no row yet has no authority (0, 0)."""
    rows = {(r.role, r.kind): r for r in ApprovalAuthority.objects.all()}
    cells = []
    for kind in KINDS:
        for role in ROLES:
            row = rows.get((role, kind))
            cells.append(
                AuthorityCell(
                    role=role,
                    kind=kind,
                    max_amount=row.max_amount if row else Decimal("0"),
                    max_percent=row.max_percent if row else Decimal("0"),
                )
            )
    return cells


def _number(raw, *, field: str, errors: dict, ceiling: Decimal | None) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = [_("Give a number.")]
        return Decimal("0")
    if not value.is_finite() or value < 0:
        errors[field] = [_("Give 0 or more.")]
    elif ceiling is not None and value > ceiling:
        errors[field] = [_("At most 100 %.")]
    elif value.as_tuple().exponent < -2:
        errors[field] = [_("At most two decimal places.")]
    elif value >= Decimal("1e12"):
        errors[field] = [_("The amount is too large.")]
    return value


def authority_save(*, values: dict, user, reason: str) -> int:
    """Set the matrix from `values` ("<kind>-<role>-amount" and "-percent" for every
    role and kind, e.g. "settlement-supervisor-amount": "20000"), refusing the lot
    with errors naming each field when any is wrong. Returns how many rows changed."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the authority changes.")]
    wanted = {}
    for kind in KINDS:
        for role in ROLES:
            base = f"{kind}-{role}"
            amount = _number(
                values.get(f"{base}-amount"),
                field=f"{base}-amount",
                errors=errors,
                ceiling=None,
            )
            percent = _number(
                values.get(f"{base}-percent"),
                field=f"{base}-percent",
                errors=errors,
                ceiling=HUNDRED,
            )
            wanted[(role, kind)] = (amount, percent)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    changed = 0
    with transaction.atomic():
        rows = {
            (r.role, r.kind): r for r in ApprovalAuthority.objects.select_for_update()
        }
        for (role, kind), (amount, percent) in wanted.items():
            row = rows.get((role, kind)) or ApprovalAuthority(role=role, kind=kind)
            if row.pk and (row.max_amount, row.max_percent) == (amount, percent):
                continue
            row.max_amount, row.max_percent = amount, percent
            history_save(row, reason=reason[:100], user=user)
            changed += 1
    return changed
