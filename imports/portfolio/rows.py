"""The row path (any database): the field checks, the cross-row and
against-the-database checks in Python, and ORM bulk writes. For SQLite (tests,
development); it holds the file's valid rows in memory."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Sum
from django.utils import timezone

from cases.models import (
    ZERO,
    ContactPoint,
    Customer,
    Instalment,
    Loan,
    PaymentAllocation,
)
from core.crypto import contact_hash
from core.fields import derived_refresh

from ..parsing import CUSTOMER_FIELDS, PORTFOLIO_COLUMNS, portfolio_row_parse
from ..reading import ErrorLog, csv_records
from .common import (
    BALANCE,
    CONTACT_NAME,
    CONTACT_PHONE,
    CONTACT_REL,
    CURRENCY,
    CUSTOMER_MODEL_FIELDS,
    CUSTOMER_REF,
    CUSTOMER_SLICE,
    EMAIL,
    LOAN_MODEL_FIELDS,
    LOAN_REF,
    MOBILE,
    OPENED,
    PRINCIPAL,
    PRODUCT,
    SCHEDULE,
    Outcome,
    delinquency_counts,
    references_sample,
    set_error,
)


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_load(file, *, errors: ErrorLog, partial: bool, progress) -> Outcome:
    outcome = Outcome()
    parsed: list[tuple[int, tuple]] = []
    for row_no, values in csv_records(
        file, PORTFOLIO_COLUMNS, errors=errors, progress=progress
    ):
        row, row_errors = portfolio_row_parse(values)
        if row_errors:
            errors.add_row(row_no, row_errors)
        else:
            parsed.append((row_no, row))
    outcome.rows_total = len(parsed) + errors.rows_rejected

    found: dict[int, list[tuple[str, str]]] = {}

    def flag(row_no, row, field_name, kind, other_row=None, detail=""):
        message = set_error(
            kind,
            other_row=other_row,
            detail=detail,
            loan_reference=row[LOAN_REF],
            customer_reference=row[CUSTOMER_REF],
        )
        found.setdefault(row_no, []).append((field_name, message))

    first_loan: dict[str, int] = {}
    first_customer: dict[str, tuple[int, tuple]] = {}
    for row_no, row in parsed:
        other = first_loan.setdefault(row[LOAN_REF], row_no)
        if other != row_no:
            flag(row_no, row, "loan_reference", "duplicate_loan", other)
        details = row[CUSTOMER_SLICE]
        first_row, first_details = first_customer.setdefault(
            row[CUSTOMER_REF], (row_no, details)
        )
        if first_row != row_no and first_details != details:
            for name, mine, theirs in zip(
                CUSTOMER_FIELDS, details, first_details, strict=True
            ):
                if mine != theirs:
                    flag(row_no, row, name, "customer_differs", first_row)
    del first_customer

    # Against the database: loans already known.
    existing_loans: dict[str, tuple[int, str, str]] = {}
    for chunk in _chunks(list(first_loan)):
        for ref, pk, currency, owner in Loan.objects.filter(
            reference__in=chunk
        ).values_list("reference", "id", "currency", "customer__reference"):
            existing_loans[ref] = (pk, currency, owner)
    paid: dict[int, set[int]] = {}  # loan id -> sequences with payments allocated
    for chunk in _chunks([pk for pk, _c, _o in existing_loans.values()]):
        for loan_id, sequence in (
            PaymentAllocation.objects.filter(instalment__loan_id__in=chunk)
            .values_list("instalment__loan_id", "instalment__sequence")
            .order_by()
        ):
            paid.setdefault(loan_id, set()).add(sequence)
    for row_no, row in parsed:
        known = existing_loans.get(row[LOAN_REF])
        if known is None:
            continue
        pk, currency, owner = known
        if owner != row[CUSTOMER_REF]:
            flag(row_no, row, "loan_reference", "loan_other_customer", detail=owner)
        if currency != row[CURRENCY]:
            flag(row_no, row, "currency", "currency_change", detail=currency)
        dropped = [seq for seq in paid.get(pk, ()) if seq > len(row[SCHEDULE])]
        if dropped:
            flag(
                row_no,
                row,
                "schedule",
                "drop_paid_instalment",
                detail=str(min(dropped)),
            )
    for row_no in sorted(found):
        errors.add_row(row_no, found[row_no])
    if errors.total and not partial:
        return outcome
    valid = [(row_no, row) for row_no, row in parsed if row_no not in found]
    del parsed
    outcome.rows_loaded = len(valid)
    outcome.counts = _rows_write(valid)
    outcome.counts.update(delinquency_counts(timezone.localdate()))
    outcome.sample = references_sample([row[CUSTOMER_REF] for _n, row in valid])
    return outcome


def _rows_write(valid: list[tuple[int, tuple]]) -> dict:
    now = timezone.now()
    counts = dict.fromkeys(
        (
            "customers_created",
            "customers_updated",
            "contact_points_created",
            "loans_created",
            "loans_updated",
            "instalments_created",
            "instalments_updated",
            "instalments_deleted",
        ),
        0,
    )
    # Customers: the first valid row of each carries its details.
    firsts: dict[str, tuple] = {}
    for _n, row in valid:
        firsts.setdefault(row[CUSTOMER_REF], row)
    customer_ids: dict[str, int] = {}
    for chunk in _chunks(list(firsts)):
        existing = {
            c.reference: c for c in Customer.objects.filter(reference__in=chunk)
        }
        new, changed = [], []
        derived: list[str] = []
        for ref in chunk:
            values = dict(
                zip(CUSTOMER_MODEL_FIELDS, firsts[ref][CUSTOMER_SLICE], strict=True)
            )
            customer = existing.get(ref)
            if customer is None:
                new.append(Customer(reference=ref, **values))
            elif any(getattr(customer, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(customer, k, v)
                customer.updated_at = now
                # bulk_update skips pre_save: the hash columns are set here.
                derived = derived_refresh(customer)
                changed.append(customer)
        Customer.objects.bulk_create(new)
        Customer.objects.bulk_update(
            changed, [*CUSTOMER_MODEL_FIELDS, *derived, "updated_at"]
        )
        counts["customers_created"] += len(new)
        counts["customers_updated"] += len(changed)
        customer_ids.update(
            Customer.objects.filter(reference__in=chunk).values_list("reference", "id")
        )

    # Contact points: added when new, never removed (they carry consent and
    # opt-out history); the first in file order wins for a repeated value.
    points: set[tuple[int, str, str]] = set()
    primaries: set[tuple[int, str]] = set()
    ids = list(set(customer_ids.values()))
    for chunk in _chunks(ids):
        for cid, channel, value, relationship, primary in ContactPoint.objects.filter(
            customer_id__in=chunk
        ).values_list("customer_id", "channel", "value", "relationship", "is_primary"):
            points.add((cid, channel, value))
            if primary and relationship == ContactPoint.Relationship.SELF:
                primaries.add((cid, channel))
    new_points = []
    first_self: dict[tuple[int, str], str] = {}
    for _n, row in valid:
        cid = customer_ids[row[CUSTOMER_REF]]
        for channel, value, relationship, name in (
            ("phone", row[MOBILE], "self", ""),
            ("email", row[EMAIL], "self", ""),
            ("phone", row[CONTACT_PHONE], row[CONTACT_REL], row[CONTACT_NAME]),
        ):
            if not value:
                continue
            if relationship == "self":
                first_self.setdefault((cid, channel), value)
            if (cid, channel, value) in points:
                continue
            points.add((cid, channel, value))
            new_points.append(
                ContactPoint(
                    customer_id=cid,
                    channel=channel,
                    value=value,
                    relationship=relationship,
                    contact_name=name,
                    is_primary=False,
                    consent=True,
                    consent_at=now,
                )
            )
    ContactPoint.objects.bulk_create(new_points, batch_size=1000)
    counts["contact_points_created"] = len(new_points)
    for (cid, channel), value in first_self.items():
        if (cid, channel) not in primaries:
            ContactPoint.objects.filter(
                customer_id=cid,
                channel=channel,
                value_hash=contact_hash(value),
                relationship=ContactPoint.Relationship.SELF,
            ).update(is_primary=True)
    del points, new_points

    # Loans and their schedules.
    for chunk in _chunks(valid):
        refs = [row[LOAN_REF] for _n, row in chunk]
        existing = {
            loan.reference: loan for loan in Loan.objects.filter(reference__in=refs)
        }
        new, changed = [], []
        for _n, row in chunk:
            values = {
                "product": row[PRODUCT],
                "currency": row[CURRENCY],
                "principal": row[PRINCIPAL],
                "opened_on": row[OPENED],
            }
            if row[BALANCE] is not None:
                values["outstanding_balance"] = row[BALANCE]
            loan = existing.get(row[LOAN_REF])
            if loan is None:
                new.append(
                    Loan(
                        reference=row[LOAN_REF],
                        customer_id=customer_ids[row[CUSTOMER_REF]],
                        **{"outstanding_balance": ZERO, **values},
                    )
                )
            elif any(getattr(loan, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(loan, k, v)
                loan.updated_at = now
                changed.append(loan)
        Loan.objects.bulk_create(new)
        Loan.objects.bulk_update(
            changed, [*LOAN_MODEL_FIELDS, "opened_on", "updated_at"]
        )
        counts["loans_created"] += len(new)
        counts["loans_updated"] += len(changed)
        loan_ids = dict(
            Loan.objects.filter(reference__in=refs).values_list("reference", "id")
        )
        current: dict[tuple[int, int], Instalment] = {
            (i.loan_id, i.sequence): i
            for i in Instalment.objects.filter(loan_id__in=loan_ids.values())
        }
        allocated = dict(
            PaymentAllocation.objects.filter(instalment__loan_id__in=loan_ids.values())
            .values("instalment_id")
            .annotate(total=Sum("amount"))
            .values_list("instalment_id", "total")
        )
        new_i, changed_i, dropped = [], [], []
        for _n, row in chunk:
            loan_id = loan_ids[row[LOAN_REF]]
            schedule = row[SCHEDULE]
            for sequence, (due, amount, paid) in enumerate(schedule, start=1):
                instalment = current.get((loan_id, sequence))
                if instalment is None:
                    new_i.append(
                        Instalment(
                            loan_id=loan_id,
                            sequence=sequence,
                            due_date=due,
                            amount_due=amount,
                            amount_paid=paid,
                        )
                    )
                    continue
                # A payment recorded here is never un-applied (as in the SQL).
                paid = min(amount, max(paid, allocated.get(instalment.pk, ZERO)))
                if (
                    instalment.due_date,
                    instalment.amount_due,
                    instalment.amount_paid,
                ) != (due, amount, paid):
                    instalment.due_date = due
                    instalment.amount_due = amount
                    instalment.amount_paid = paid
                    changed_i.append(instalment)
            dropped.extend(
                i.pk
                for (lid, seq), i in current.items()
                if lid == loan_id and seq > len(schedule)
            )
        Instalment.objects.bulk_create(new_i, batch_size=1000)
        Instalment.objects.bulk_update(
            changed_i, ["due_date", "amount_due", "amount_paid"], batch_size=1000
        )
        Instalment.objects.filter(pk__in=dropped).delete()
        counts["instalments_created"] += len(new_i)
        counts["instalments_updated"] += len(changed_i)
        counts["instalments_deleted"] += len(dropped)
        # No balance in the file: what the stored schedule leaves unpaid.
        derive = [loan_ids[row[LOAN_REF]] for _n, row in chunk if row[BALANCE] is None]
        balances = dict(
            Instalment.objects.filter(loan_id__in=derive)
            .values("loan_id")
            .annotate(left=Sum(F("amount_due") - F("amount_paid")))
            .values_list("loan_id", "left")
        )
        for loan in Loan.objects.filter(pk__in=derive):
            balance = balances.get(loan.pk) or ZERO
            if loan.outstanding_balance != balance:
                Loan.objects.filter(pk=loan.pk).update(outstanding_balance=balance)
    return counts
