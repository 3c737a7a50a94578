"""Payments import: one row per payment, posted through cases.services.payment_record.

Posting a payment allocates it to instalments, settles promises and plans and may
close the case: that logic lives in payment_record and is reused row by row, so an
imported payment is exactly an API payment (idempotent by reference, history rows
with the acting user). Two streaming passes over the file: the first checks every
row (fields, a reference twice in the file, unknown loans, currency, a reference
already recorded with other figures) in chunks of a few hundred rows per query; the
second posts the good rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Loan, Payment
from cases.services import payment_record
from core.errors import ApplicationError

from .parsing import PAYMENT_COLUMNS, payment_row_parse
from .portfolio import Outcome
from .reading import ErrorLog, csv_records

CHUNK = 500
REF, LOAN_REF, AMOUNT, CURRENCY, RECEIVED_AT = range(5)


class _Abort(Exception):
    """A row failed while posting and the import is all-or-nothing."""


def payments_load(
    file: BinaryIO,
    *,
    errors: ErrorLog,
    partial: bool,
    dry_run: bool,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    outcome = Outcome()
    seen: dict[str, int] = {}
    rejected: set[int] = set()
    valid = 0
    chunk: list[tuple[int, tuple]] = []

    def check(chunk: list[tuple[int, tuple]]) -> None:
        nonlocal valid
        loans = dict(
            Loan.objects.filter(
                reference__in={row[LOAN_REF] for _n, row in chunk}
            ).values_list("reference", "currency")
        )
        recorded = {
            ref: (loan_ref, amount, currency)
            for ref, loan_ref, amount, currency in Payment.objects.filter(
                reference__in=[row[REF] for _n, row in chunk]
            ).values_list("reference", "loan__reference", "amount", "currency")
        }
        for row_no, row in chunk:
            row_errors = []
            currency = loans.get(row[LOAN_REF])
            if currency is None:
                row_errors.append(
                    ("loan_reference", _("No loan %(ref)s.") % {"ref": row[LOAN_REF]})
                )
            elif currency != row[CURRENCY]:
                row_errors.append(
                    (
                        "currency",
                        _("Loan %(loan)s is in %(currency)s, not %(given)s.")
                        % {
                            "loan": row[LOAN_REF],
                            "currency": currency,
                            "given": row[CURRENCY],
                        },
                    )
                )
            before = recorded.get(row[REF])
            if before is not None and before != (
                row[LOAN_REF],
                row[AMOUNT],
                row[CURRENCY],
            ):
                row_errors.append(
                    (
                        "reference",
                        _(
                            "Payment %(ref)s was already recorded with a different "
                            "loan, amount or currency."
                        )
                        % {"ref": row[REF]},
                    )
                )
            if row_errors:
                errors.add_row(row_no, row_errors)
                rejected.add(row_no)
            else:
                valid += 1

    for row_no, values in csv_records(
        file, PAYMENT_COLUMNS, errors=errors, progress=progress
    ):
        row, row_errors = payment_row_parse(values)
        if row is not None:
            first = seen.setdefault(row[REF], row_no)
            if first != row_no:
                row_errors = [
                    (
                        "reference",
                        _("Payment %(ref)s is also on row %(row)s.")
                        % {"ref": row[REF], "row": first},
                    )
                ]
        if row_errors:
            errors.add_row(row_no, row_errors)
            rejected.add(row_no)
            continue
        chunk.append((row_no, row))
        if len(chunk) >= CHUNK:
            check(chunk)
            chunk = []
    if chunk:
        check(chunk)
    outcome.rows_total = valid + errors.rows_rejected
    if (errors.total and not partial) or dry_run:
        outcome.rows_loaded = valid
        return outcome

    created = existing = 0

    def post(chunk: list[tuple[int, tuple]]) -> None:
        nonlocal created, existing
        loans = Loan.objects.in_bulk(
            {row[LOAN_REF] for _n, row in chunk}, field_name="reference"
        )
        for row_no, row in chunk:
            try:
                with transaction.atomic():
                    _payment, new = payment_record(
                        reference=row[REF],
                        loan=loans[row[LOAN_REF]],
                        amount=row[AMOUNT],
                        currency=row[CURRENCY],
                        received_at=row[RECEIVED_AT],
                        recorded_by=actor,
                    )
            except ApplicationError as exc:
                messages = [
                    (name, message)
                    for name, items in (exc.errors or {"row": [exc.message]}).items()
                    for message in items
                ]
                errors.add_row(row_no, messages)
                if not partial:
                    raise _Abort from exc
                continue
            if new:
                created += 1
            else:
                existing += 1

    chunk = []
    for row_no, values in csv_records(file, PAYMENT_COLUMNS, errors=ErrorLog(())):
        if row_no in rejected:
            continue
        row, _row_errors = payment_row_parse(values)
        chunk.append((row_no, row))
        if len(chunk) >= CHUNK:
            post(chunk)
            chunk = []
    if chunk:
        post(chunk)
    outcome.rows_loaded = created + existing
    outcome.counts = {
        "payments_created": created,
        "payments_already_recorded": existing,
    }
    return outcome
