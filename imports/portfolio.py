# The raw SQL here interpolates only table and column names and fixed fragments built
# in this module; every value travels as a query parameter or through COPY.
# ruff: noqa: S608
"""Portfolio import: customers, contact points, loans and schedules from one CSV.

Two paths with one result (tests/imports/test_paths.py runs both on one file):

- PostgreSQL ("copy"): rows stream through the field checks (imports.parsing) straight
  into COPY to a temporary staging table, so memory stays flat; cross-row and
  against-the-database checks are SQL over that table; then plain INSERT ... SELECT
  for the new rows and UPDATE ... FROM for the changed ones, in the caller's
  transaction. New loans are written with their delinquency figures, so the refresh
  only has cases to open.
- Any database ("rows"): the same field checks, the cross-row checks in Python, and
  ORM bulk operations. For SQLite (tests, development); it holds the file's valid rows
  in memory.

Neither path writes simple-history rows: the ImportRun is the audit record
(docs/imports.md). Both finish with cases.services.delinquency_refresh, so overdue
loans get their figures and cases as everywhere else.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection
from django.db.models import F, Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    ZERO,
    ContactPoint,
    Customer,
    Instalment,
    Loan,
    PaymentAllocation,
)
from cases.services import bucket_for, days_past_due, delinquency_refresh
from core.bulk import analyze_if_large

from .parsing import (
    CUSTOMER_FIELDS,
    PORTFOLIO_COLUMNS,
    parse_caches_clear,
    portfolio_row_parse,
)
from .reading import ERRORS_KEPT, ErrorLog, RowError, csv_records

logger = logging.getLogger(__name__)

# Row tuple positions (PORTFOLIO_COLUMNS order).
CUSTOMER_REF, NAME = 0, 1
CUSTOMER_SLICE = slice(1, 8)  # customer_name .. address
MOBILE, EMAIL, CONTACT_NAME, CONTACT_REL, CONTACT_PHONE = 8, 9, 10, 11, 12
LOAN_REF, PRODUCT, CURRENCY, PRINCIPAL, BALANCE, OPENED, SCHEDULE = range(13, 20)

CUSTOMER_MODEL_FIELDS = (
    "full_name",
    "national_id",
    "language",
    "country",
    "region",
    "time_zone",
    "address",
)
LOAN_MODEL_FIELDS = ("product", "currency", "principal", "outstanding_balance")
STAGE = "import_portfolio_stage"
STAGE_ERRORS = "import_portfolio_errors"
# The staged rows whose loan already exists (row_no, loan_id, owner, currency): on a
# first import it is empty, so every statement about updating existing rows costs
# nothing.
EXISTING = "import_portfolio_existing"
PAID_LOANS = "import_portfolio_paid_loans"
# The first row of each customer, with the id of a customer known before; then
# (reference, id, known) of every customer in the file.
FIRSTS = "import_portfolio_firsts"
IDS = "import_portfolio_ids"
TEMP_TABLES = f"{STAGE}, {STAGE_ERRORS}, {EXISTING}, {PAID_LOANS}, {FIRSTS}, {IDS}"
# pg_advisory_xact_lock key: one portfolio import at a time, so the checks against
# the database still hold when the upserts run.
LOCK_KEY = 0x1A9_0001
IMPORT_WORK_MEM = "256MB"


@dataclass
class Outcome:
    rows_total: int = 0
    rows_loaded: int = 0
    counts: dict = field(default_factory=dict)
    sample: list[str] = field(default_factory=list)  # customer references


def set_error(
    kind: str,
    *,
    other_row: int | None,
    detail: str,
    loan_reference: str,
    customer_reference: str,
) -> str:
    """The message for an error found across rows or against the database; the same
    words whichever path found it."""
    if kind == "duplicate_loan":
        return _("Loan %(loan)s is also on row %(row)s.") % {
            "loan": loan_reference,
            "row": other_row,
        }
    if kind == "customer_differs":
        return _(
            "Differs from row %(row)s for customer %(customer)s; every row of a "
            "customer must carry the same customer details."
        ) % {"row": other_row, "customer": customer_reference}
    if kind == "loan_other_customer":
        return _("Loan %(loan)s belongs to customer %(owner)s, not %(customer)s.") % {
            "loan": loan_reference,
            "owner": detail,
            "customer": customer_reference,
        }
    if kind == "currency_change":
        return _(
            "Loan %(loan)s is in %(currency)s; a loan's currency cannot change."
        ) % {
            "loan": loan_reference,
            "currency": detail,
        }
    if kind == "drop_paid_instalment":
        return _(
            "Instalment %(sequence)s of loan %(loan)s has payments allocated; the "
            "schedule cannot drop it."
        ) % {"sequence": detail, "loan": loan_reference}
    raise ValueError(kind)


def portfolio_load(
    file: BinaryIO,
    *,
    errors: ErrorLog,
    partial: bool,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    method: str = "auto",
) -> Outcome:
    """Validate and (unless rejected or a dry run) write the file.

    The caller owns the transaction and rolls it back for a dry run. Nothing is
    written when `errors` has any error and `partial` is false.
    """
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "rows"
    load = _copy_load if method == "copy" else _rows_load
    try:
        return load(file, errors=errors, partial=partial, progress=progress)
    finally:
        parse_caches_clear()


def _delinquency_counts(today: dt.date) -> dict:
    result = delinquency_refresh(today=today)
    return {
        "cases_opened": result["cases_opened"],
        "cases_refreshed": result["cases_refreshed"],
        "cases_closed": result["cases_closed_paid"] + result["cases_closed_cured"],
        "cases_queued": result["cases_queued"],
    }


# --------------------------------------------------------------------------------------
# The row path (any database)
# --------------------------------------------------------------------------------------


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows_load(file, *, errors: ErrorLog, partial: bool, progress) -> Outcome:
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
    outcome.counts.update(_delinquency_counts(timezone.localdate()))
    outcome.sample = _sample([row[CUSTOMER_REF] for _n, row in valid])
    return outcome


def _sample(references, size: int = 20) -> list[str]:
    seen: list[str] = []
    for ref in references:
        if ref not in seen:
            seen.append(ref)
            if len(seen) == size:
                break
    return seen


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
                changed.append(customer)
        Customer.objects.bulk_create(new)
        Customer.objects.bulk_update(changed, [*CUSTOMER_MODEL_FIELDS, "updated_at"])
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
                value=value,
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


# --------------------------------------------------------------------------------------
# The COPY path (PostgreSQL)
# --------------------------------------------------------------------------------------

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


class _IsoDates(dict):
    """date -> ISO text, computed once per distinct date (at most 47,000 between
    1970 and 2099; a file has a few thousand)."""

    def __missing__(self, day):
        text = self[day] = day.isoformat()
        return text


class _Buckets(dict):
    """days past due -> bucket label, once per distinct value."""

    def __missing__(self, dpd):
        label = self[dpd] = bucket_for(dpd)
        return label


class _CopySource(io.TextIOBase):
    """A file-like object COPY reads from: each read() is the next batch of lines."""

    def __init__(self, batches: Iterator[str]):
        self._batches = batches
        # psycopg2 turns an exception raised in read() into QueryCanceled; keep it
        # (a FileError, say), end the COPY, and let the caller raise it.
        self.failure: BaseException | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        try:
            return next(self._batches, "")
        except Exception as exc:
            self.failure = exc
            return ""

    readline = read


def _copy_lines(
    file, *, errors: ErrorLog, progress, counter: list[int], today: dt.date
):
    """Batches of COPY text lines for the valid rows; errors go to `errors`.

    Each line also carries the loan's delinquency figures on `today` (overdue
    amount, days past due, bucket), computed by the functions delinquency_refresh
    follows, so a new loan is inserted with the figures the refresh would give it.
    """
    batch: list[str] = []
    bucket = _Buckets().__getitem__
    iso = _IsoDates().__getitem__
    for row_no, values in csv_records(
        file, PORTFOLIO_COLUMNS, errors=errors, progress=progress
    ):
        row, row_errors = portfolio_row_parse(values)
        if row_errors:
            errors.add_row(row_no, row_errors)
            continue
        counter[0] += 1
        schedule = row[SCHEDULE]
        left = overdue = ZERO
        oldest_unpaid = None
        for due, amount, paid in schedule:
            left += amount - paid
            if paid < amount and due < today:
                overdue += amount - paid
                if oldest_unpaid is None or due < oldest_unpaid:
                    oldest_unpaid = due
        dpd = days_past_due(oldest_unpaid, today)
        opened = row[OPENED]
        balance = row[BALANCE]
        # Fields cannot hold NUL (csv_records rejects it), so NUL joins the text
        # fields and becomes the tab separator after the (rarely needed) escaping.
        text = "\x00".join(row[: LOAN_REF + 3])
        if _NEEDS_ESCAPE(text):
            text = text.translate(_ESCAPE)
        batch.append(
            "\t".join(
                (
                    str(row_no),
                    text.replace("\x00", "\t"),
                    str(row[PRINCIPAL]),
                    "\\N" if balance is None else str(balance),
                    iso(opened) if opened else "\\N",
                    "{" + ",".join([iso(d) for d, _a, _p in schedule]) + "}",
                    "{" + ",".join([str(a) for _d, a, _p in schedule]) + "}",
                    "{" + ",".join([str(p) for _d, _a, p in schedule]) + "}",
                    str(left),
                    str(overdue),
                    str(dpd),
                    bucket(dpd),
                )
            )
        )
        if len(batch) >= 2000:
            batch.append("")
            yield "\n".join(batch)
            batch = []
    if batch:
        batch.append("")
        yield "\n".join(batch)


STAGE_COLUMNS = (
    "row_no",
    *PORTFOLIO_COLUMNS.names[: LOAN_REF + 3],
    "principal",
    "outstanding_balance",
    "opened_on",
    "due_dates",
    "amounts_due",
    "amounts_paid",
    "schedule_balance",
    "overdue_amount",
    "days_past_due",
    "bucket",
)


def _insert_parts(model: type[Model], exprs: dict) -> tuple[str, str, list]:
    """Column list, SELECT list and parameters for an INSERT ... SELECT into
    `model`'s table. `exprs` maps columns to SQL, or to (SQL, params); other columns
    get NULL or their model default, so a new required column without a default
    fails loudly here rather than in production."""
    columns, select, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.column in exprs:
            expr = exprs[f.column]
            sql, expr_params = expr if isinstance(expr, tuple) else (expr, [])
            select.append(sql)
            params.extend(expr_params)
        elif f.null:
            select.append("NULL")
        elif f.has_default() or (f.blank and f.empty_strings_allowed):
            select.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
        else:
            raise RuntimeError(
                f"portfolio import cannot fill {model.__name__}.{f.name}"
            )
        columns.append(connection.ops.quote_name(f.column))
    return ", ".join(columns), ", ".join(select), params


def _copy_load(file, *, errors: ErrorLog, partial: bool, progress) -> Outcome:
    outcome = Outcome()
    counter = [0]
    today = timezone.localdate()
    clock = [time.perf_counter()]

    def phase(label: str) -> None:
        now = time.perf_counter()
        logger.info("portfolio import %s: %.1f s", label, now - clock[0])
        clock[0] = now

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        # The sorts and hashes over a million staged rows (first rows, contact
        # points) fit in memory instead of spilling to disk; for this transaction
        # only, and one import runs at a time (the lock above).
        cursor.execute(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'")
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLES}")
        text_columns = ",\n".join(
            f"{name} text NOT NULL" for name in PORTFOLIO_COLUMNS.names[: LOAN_REF + 3]
        )
        # A temporary table: never WAL-logged, private to this session, dropped at
        # the end (or with the session).
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {STAGE} (
                row_no integer PRIMARY KEY,
                {text_columns},
                principal numeric(14, 2) NOT NULL,
                outstanding_balance numeric(14, 2),
                opened_on date,
                due_dates date[] NOT NULL,
                amounts_due numeric(14, 2)[] NOT NULL,
                amounts_paid numeric(14, 2)[] NOT NULL,
                schedule_balance numeric(14, 2) NOT NULL,
                overdue_amount numeric(14, 2) NOT NULL,
                days_past_due integer NOT NULL,
                bucket text NOT NULL
            )
            """
        )
        source = _CopySource(
            _copy_lines(
                file, errors=errors, progress=progress, counter=counter, today=today
            )
        )
        cursor.cursor.copy_expert(
            f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN", source
        )
        if source.failure is not None:
            raise source.failure
        outcome.rows_total = counter[0] + errors.rows_rejected
        phase("read, check fields and COPY")
        # Statistics for the columns the checks and writes join on (a temporary
        # table is never analyzed by autovacuum).
        cursor.execute(f"ANALYZE {STAGE} (row_no, customer_reference, loan_reference)")
        _copy_check(cursor, errors=errors)
        phase("cross-row and database checks")
        if errors.total and not partial:
            cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLES}")
            return outcome
        cursor.execute(
            f"DELETE FROM {STAGE} WHERE row_no IN (SELECT row_no FROM {STAGE_ERRORS})"
        )
        outcome.rows_loaded = counter[0] - cursor.rowcount
        if cursor.rowcount:
            # Customers left without a valid row are not written.
            cursor.execute(
                f"""
                DELETE FROM {FIRSTS} f WHERE NOT EXISTS (
                    SELECT 1 FROM {STAGE} s
                    WHERE s.customer_reference = f.customer_reference)
                """
            )
        outcome.counts = _copy_write(cursor)
        phase("upserts")
        cursor.execute(
            f"SELECT customer_reference FROM {STAGE} ORDER BY row_no LIMIT 200"
        )
        outcome.sample = _sample(ref for (ref,) in cursor.fetchall())
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLES}")
    outcome.counts.update(_delinquency_counts(today))
    phase("delinquency refresh")
    return outcome


def _copy_check(cursor, *, errors: ErrorLog) -> None:
    """The cross-row and against-the-database checks, in SQL (the twins of the
    checks in _rows_load)."""
    loan, customer = Loan._meta.db_table, Customer._meta.db_table
    instalment = Instalment._meta.db_table
    allocation = PaymentAllocation._meta.db_table
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {STAGE_ERRORS} (
            row_no integer NOT NULL, field text NOT NULL, kind text NOT NULL,
            other_row integer, detail text NOT NULL,
            loan_reference text NOT NULL, customer_reference text NOT NULL
        )
        """
    )
    insert = f"INSERT INTO {STAGE_ERRORS} "
    # A loan twice in the file: every later row is an error. (Hash aggregates
    # here and below: sorting a million rows by a text key costs several times
    # more.)
    cursor.execute(
        insert
        + f"""
        SELECT s.row_no, 'loan_reference', 'duplicate_loan', d.first_row, '',
               s.loan_reference, s.customer_reference
        FROM (SELECT loan_reference, min(row_no) AS first_row FROM {STAGE}
              GROUP BY loan_reference HAVING count(*) > 1) d
        JOIN {STAGE} s
          ON s.loan_reference = d.loan_reference AND s.row_no <> d.first_row
        """
    )
    # Each customer's first row, whose details the customer gets, and the id of
    # a customer known before the import.
    fields = ", ".join(f"s.{n}" for n in CUSTOMER_FIELDS)
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {FIRSTS} AS
        SELECT s.row_no, s.customer_reference, {fields}, c.id AS known_id
        FROM (SELECT min(row_no) AS row_no FROM {STAGE}
              GROUP BY customer_reference) f
        JOIN {STAGE} s ON s.row_no = f.row_no
        LEFT JOIN {customer} c ON c.reference = s.customer_reference
        """
    )
    # A customer's later rows must repeat the details of their first row.
    differs = " OR ".join(f"s.{n} IS DISTINCT FROM f.{n}" for n in CUSTOMER_FIELDS)
    values = ", ".join(
        f"('{n}', s.{n} IS DISTINCT FROM f.{n}, {i})"
        for i, n in enumerate(CUSTOMER_FIELDS)
    )
    cursor.execute(
        insert
        + f"""
        SELECT s.row_no, v.field, 'customer_differs', f.row_no, '',
               s.loan_reference, s.customer_reference
        FROM {STAGE} s
        JOIN {FIRSTS} f ON f.customer_reference = s.customer_reference
        CROSS JOIN LATERAL (VALUES {values}) v(field, differs, position)
        WHERE s.row_no <> f.row_no AND ({differs}) AND v.differs
        """
    )
    # Loans already known: same customer, same currency, no paid instalment dropped.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {EXISTING} AS
        SELECT s.row_no, l.id AS loan_id, c.reference AS owner, l.currency
        FROM {STAGE} s
        JOIN {loan} l ON l.reference = s.loan_reference
        JOIN {customer} c ON c.id = l.customer_id
        """
    )
    cursor.execute(f"CREATE UNIQUE INDEX ON {EXISTING} (row_no)")
    cursor.execute(f"ANALYZE {EXISTING}")
    cursor.execute(
        insert
        + f"""
        SELECT s.row_no, 'loan_reference', 'loan_other_customer', NULL::integer,
               e.owner, s.loan_reference, s.customer_reference
        FROM {EXISTING} e JOIN {STAGE} s ON s.row_no = e.row_no
        WHERE e.owner <> s.customer_reference
        UNION ALL
        SELECT s.row_no, 'currency', 'currency_change', NULL::integer, e.currency,
               s.loan_reference, s.customer_reference
        FROM {EXISTING} e JOIN {STAGE} s ON s.row_no = e.row_no
        WHERE e.currency <> s.currency
        UNION ALL
        SELECT s.row_no, 'schedule', 'drop_paid_instalment', NULL::integer,
               min(i.sequence)::text, s.loan_reference, s.customer_reference
        FROM {EXISTING} e
        JOIN {STAGE} s ON s.row_no = e.row_no
        JOIN {instalment} i
          ON i.loan_id = e.loan_id AND i.sequence > cardinality(s.due_dates)
        WHERE EXISTS (SELECT 1 FROM {allocation} a WHERE a.instalment_id = i.id)
        GROUP BY s.row_no, s.loan_reference, s.customer_reference
        """
    )
    cursor.execute(f"SELECT count(*), count(DISTINCT row_no) FROM {STAGE_ERRORS}")
    total, rows = cursor.fetchone()
    if not total:
        return
    errors.total += total
    errors.rows_rejected += rows
    cursor.execute(
        f"""
        SELECT row_no, field, kind, other_row, detail, loan_reference,
               customer_reference
        FROM {STAGE_ERRORS} ORDER BY row_no LIMIT %s
        """,
        [ERRORS_KEPT],
    )
    for row_no, name, kind, other_row, detail, loan_ref, customer_ref in cursor:
        message = set_error(
            kind,
            other_row=other_row,
            detail=detail,
            loan_reference=loan_ref,
            customer_reference=customer_ref,
        )
        errors.add(RowError(row_no, name, message), counted=True)


def _copy_write(cursor) -> dict:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    counts: dict[str, int] = {}
    counts.update(_copy_customers(cursor, now=now))
    counts.update(_copy_contact_points(cursor, now=now))
    counts.update(_copy_loans(cursor, now=now))
    counts.update(_copy_instalments(cursor))
    return counts


def _copy_customers(cursor, *, now) -> dict:
    """Changed customers updated, new ones inserted; IDS maps every customer of
    the file to its id, with `known` for those that existed before the import.

    New customers get a plain INSERT: no other transaction can see them, so there
    is nothing to conflict with, and ON CONFLICT's speculative insertion would
    cost a little for each of hundreds of thousands of rows. (A customer created
    with the same reference by someone else during the import makes the import
    fail on the unique index, and nothing is written.)
    """
    customer = Customer._meta.db_table
    sets = ", ".join(
        f"{model_field} = f.{column}"
        for model_field, column in zip(
            CUSTOMER_MODEL_FIELDS, CUSTOMER_FIELDS, strict=True
        )
    )
    mine = ", ".join(f"c.{f}" for f in CUSTOMER_MODEL_FIELDS)
    theirs = ", ".join(f"f.{f}" for f in CUSTOMER_FIELDS)
    cursor.execute(
        f"""
        UPDATE {customer} c SET {sets}, updated_at = %s
        FROM {FIRSTS} f
        WHERE c.id = f.known_id AND ({mine}) IS DISTINCT FROM ({theirs})
        """,
        [now],
    )
    updated = cursor.rowcount
    columns, select, params = _insert_parts(
        Customer,
        {
            "reference": "customer_reference",
            "full_name": "customer_name",
            **{f: f for f in CUSTOMER_MODEL_FIELDS if f != "full_name"},
            "created_at": ("%s", [now]),
            "updated_at": ("%s", [now]),
        },
    )
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {IDS} (
            id bigint NOT NULL, reference text NOT NULL, known boolean NOT NULL
        )
        """
    )
    # In reference order, so the unique index on reference is filled in order.
    cursor.execute(
        f"""
        WITH created AS (
            INSERT INTO {customer} ({columns})
            SELECT {select} FROM {FIRSTS} WHERE known_id IS NULL
            ORDER BY customer_reference
            RETURNING id, reference
        )
        INSERT INTO {IDS} SELECT id, reference, false FROM created
        """,
        params,
    )
    created = cursor.rowcount
    cursor.execute(
        f"""
        INSERT INTO {IDS}
        SELECT known_id, customer_reference, true FROM {FIRSTS}
        WHERE known_id IS NOT NULL
        """
    )
    cursor.execute(f"ANALYZE {IDS}")
    analyze_if_large(Customer, created)
    return {"customers_created": created, "customers_updated": updated}


def _copy_contact_points(cursor, *, now) -> dict:
    """New values only, the first occurrence in file order winning; existing points
    are never changed (they carry consent and opt-out history)."""
    point = ContactPoint._meta.db_table
    candidates = f"""
        SELECT i.id AS customer_id, v.channel, v.value, v.relationship,
               v.contact_name, s.row_no, v.position
        FROM {STAGE} s
        JOIN {IDS} i ON i.reference = s.customer_reference AND i.known = %s
        CROSS JOIN LATERAL (VALUES
            ('phone', s.mobile, 'self', '', 1),
            ('email', s.email, 'self', '', 2),
            ('phone', s.contact_phone, s.contact_relationship, s.contact_name, 3)
        ) v(channel, value, relationship, contact_name, position)
        WHERE v.value <> ''
    """
    firsts = """
        SELECT DISTINCT ON (customer_id, channel, value) *
        FROM candidates
        ORDER BY customer_id, channel, value, row_no, position
    """

    def parts(is_primary: str):
        return _insert_parts(
            ContactPoint,
            {
                "customer_id": "d.customer_id",
                "channel": "d.channel",
                "value": "d.value",
                "relationship": "d.relationship",
                "contact_name": "d.contact_name",
                "is_primary": is_primary,
                "consent": "true",
                "consent_at": ("%s", [now]),
                "created_at": ("%s", [now]),
            },
        )

    columns, select, params = parts("(f.value IS NOT NULL)")
    # New customers: a plain INSERT (they have no contact points yet), the first
    # own phone and email of each in the file primary.
    cursor.execute(
        f"""
        WITH candidates AS ({candidates})
        INSERT INTO {point} ({columns})
        SELECT {select}
        FROM ({firsts}) d
        LEFT JOIN (
            SELECT DISTINCT ON (customer_id, channel) customer_id, channel, value
            FROM candidates WHERE relationship = 'self'
            ORDER BY customer_id, channel, row_no, position
        ) f ON f.customer_id = d.customer_id AND f.channel = d.channel
           AND f.value = d.value AND d.relationship = 'self'
        """,
        [False, *params],
    )
    created = cursor.rowcount
    # Customers known before: values they do not have yet (ON CONFLICT: someone
    # may add the same number while the import runs).
    columns, select, params = parts("false")
    cursor.execute(
        f"""
        WITH candidates AS ({candidates})
        INSERT INTO {point} ({columns})
        SELECT {select} FROM ({firsts}) d
        ON CONFLICT (customer_id, channel, value) DO NOTHING
        """,
        [True, *params],
    )
    created += cursor.rowcount
    analyze_if_large(ContactPoint, created)
    # A known customer without a primary phone (email) gets the first own one in
    # the file.
    cursor.execute(
        f"""
        UPDATE {point} p SET is_primary = true
        FROM (
            SELECT DISTINCT ON (customer_id, channel) customer_id, channel, value
            FROM ({candidates}) candidates
            WHERE relationship = 'self'
            ORDER BY customer_id, channel, row_no, position
        ) f
        WHERE p.customer_id = f.customer_id AND p.channel = f.channel
          AND p.value = f.value AND p.relationship = 'self'
          AND NOT EXISTS (
              SELECT 1 FROM {point} q
              WHERE q.customer_id = f.customer_id AND q.channel = f.channel
                AND q.relationship = 'self' AND q.is_primary)
        """,
        [True],
    )
    return {"contact_points_created": created}


def _copy_loans(cursor, *, now) -> dict:
    """Existing loans updated where they differ (an absent balance keeps the stored
    one), new ones inserted with their delinquency figures from the file's schedule
    (so delinquency_refresh has nothing to rewrite for them)."""
    loan = Loan._meta.db_table
    cursor.execute(
        f"""
        UPDATE {loan} l SET product = s.product, currency = s.currency,
            principal = s.principal, opened_on = s.opened_on,
            outstanding_balance = COALESCE(s.outstanding_balance,
                                           l.outstanding_balance),
            updated_at = %s
        FROM {EXISTING} e JOIN {STAGE} s ON s.row_no = e.row_no
        WHERE l.id = e.loan_id
          AND ((l.product, l.currency, l.principal, l.opened_on)
                IS DISTINCT FROM (s.product, s.currency, s.principal, s.opened_on)
               OR l.outstanding_balance
                  <> COALESCE(s.outstanding_balance, l.outstanding_balance))
        """,
        [now],
    )
    updated = cursor.rowcount
    columns, select, params = _insert_parts(
        Loan,
        {
            "reference": "s.loan_reference",
            "customer_id": "i.id",
            "product": "s.product",
            "currency": "s.currency",
            "principal": "s.principal",
            "outstanding_balance": (
                "COALESCE(s.outstanding_balance, s.schedule_balance)"
            ),
            "overdue_amount": "s.overdue_amount",
            "days_past_due": "s.days_past_due",
            "bucket": "s.bucket",
            "opened_on": "s.opened_on",
            "created_at": ("%s", [now]),
            "updated_at": ("%s", [now]),
        },
    )
    # A plain INSERT, as for customers: a new reference cannot conflict. (No ORDER
    # BY: the hash join keeps the staging table's order, and sorting a million rows
    # to make sure would cost a second.)
    cursor.execute(
        f"""
        INSERT INTO {loan} ({columns})
        SELECT {select}
        FROM {STAGE} s JOIN {IDS} i ON i.reference = s.customer_reference
        WHERE NOT EXISTS (SELECT 1 FROM {EXISTING} e WHERE e.row_no = s.row_no)
        """,
        params,
    )
    created = cursor.rowcount
    analyze_if_large(Loan, created)
    return {"loans_created": created, "loans_updated": updated}


def _copy_instalments(cursor) -> dict:
    loan, instalment = Loan._meta.db_table, Instalment._meta.db_table
    counts: dict[str, int] = {}
    # Instalments by (loan, sequence). A payment recorded here is never un-applied:
    # the amount paid is at least what payments allocated to the instalment.
    allocation = PaymentAllocation._meta.db_table
    # New loans' schedules: a plain INSERT (nothing to conflict with).
    cursor.execute(
        f"""
        INSERT INTO {instalment}
            (loan_id, sequence, due_date, amount_due, amount_paid)
        SELECT l.id, u.sequence, u.due_date, u.amount_due, u.amount_paid
        FROM {STAGE} s
        JOIN {loan} l ON l.reference = s.loan_reference
        CROSS JOIN LATERAL unnest(s.due_dates, s.amounts_due, s.amounts_paid)
            WITH ORDINALITY u(due_date, amount_due, amount_paid, sequence)
        WHERE NOT EXISTS (SELECT 1 FROM {EXISTING} e WHERE e.row_no = s.row_no)
        """  # noqa: S608
    )
    fresh = cursor.rowcount
    # Existing loans' schedules: changed instalments updated, new numbers inserted.
    # (An UPDATE ... FROM and an anti-join cost a third of ON CONFLICT DO UPDATE,
    # which attempts an insert for every one of millions of unchanged rows.)
    schedule = f"""
        SELECT e.loan_id, u.sequence, u.due_date, u.amount_due, u.amount_paid
        FROM {EXISTING} e
        JOIN {STAGE} s ON s.row_no = e.row_no
        CROSS JOIN LATERAL unnest(s.due_dates, s.amounts_due, s.amounts_paid)
            WITH ORDINALITY u(due_date, amount_due, amount_paid, sequence)
    """
    # The loans with payments allocated, and what was allocated to each of their
    # instalments: summed once here, not once per instalment of the file.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {PAID_LOANS} AS
        SELECT i.loan_id, a.instalment_id, sum(a.amount) AS allocated
        FROM {allocation} a
        JOIN {instalment} i ON i.id = a.instalment_id
        WHERE i.loan_id IN (SELECT loan_id FROM {EXISTING})
        GROUP BY i.loan_id, a.instalment_id
        """
    )
    cursor.execute(f"ANALYZE {PAID_LOANS}")
    cursor.execute(
        f"""
        UPDATE {instalment} i
        SET due_date = c.due_date, amount_due = c.amount_due, amount_paid = c.paid
        FROM (
            -- The file's instalment for each stored one, by its number (the
            -- arrays are in sequence order, from 1).
            SELECT j.id, j.due_date AS old_due_date, j.amount_due AS old_amount_due,
                   j.amount_paid AS old_amount_paid,
                   s.due_dates[j.sequence] AS due_date,
                   s.amounts_due[j.sequence] AS amount_due,
                   LEAST(s.amounts_due[j.sequence],
                         GREATEST(s.amounts_paid[j.sequence],
                                  COALESCE(p.allocated, 0))) AS paid
            FROM {EXISTING} e
            JOIN {STAGE} s ON s.row_no = e.row_no
            JOIN {instalment} j ON j.loan_id = e.loan_id
             AND j.sequence BETWEEN 1 AND cardinality(s.due_dates)
            LEFT JOIN {PAID_LOANS} p ON p.instalment_id = j.id
        ) c
        WHERE i.id = c.id
          -- On the subquery's columns, so unchanged instalments are dropped
          -- before the join with the rows to update (a re-import changes none).
          AND (c.old_due_date, c.old_amount_due, c.old_amount_paid)
              IS DISTINCT FROM (c.due_date, c.amount_due, c.paid)
        """
    )
    counts["instalments_updated"] = cursor.rowcount
    cursor.execute(
        f"""
        INSERT INTO {instalment}
            (loan_id, sequence, due_date, amount_due, amount_paid)
        SELECT x.loan_id, x.sequence, x.due_date, x.amount_due, x.amount_paid
        FROM ({schedule}) x
        WHERE NOT EXISTS (
            SELECT 1 FROM {instalment} i
            WHERE i.loan_id = x.loan_id AND i.sequence = x.sequence)
        """
    )
    counts["instalments_created"] = fresh + cursor.rowcount
    cursor.execute(
        f"""
        DELETE FROM {instalment} i
        USING {EXISTING} e, {STAGE} s
        WHERE s.row_no = e.row_no AND i.loan_id = e.loan_id
          AND i.sequence > cardinality(s.due_dates)
        """  # noqa: S608
    )
    counts["instalments_deleted"] = cursor.rowcount
    analyze_if_large(Instalment, counts["instalments_created"])
    # No balance in the file: what the stored schedule leaves unpaid. New loans got
    # it from the file's schedule at insert; so do existing loans without payments
    # allocated (their stored schedule is now the file's); loans with payments are
    # summed from their stored instalments.
    cursor.execute(
        f"""
        UPDATE {loan} l SET outstanding_balance = s.schedule_balance
        FROM {EXISTING} e JOIN {STAGE} s ON s.row_no = e.row_no
        WHERE l.id = e.loan_id AND s.outstanding_balance IS NULL
          AND l.outstanding_balance <> s.schedule_balance
          AND e.loan_id NOT IN (SELECT loan_id FROM {PAID_LOANS})
        """
    )
    cursor.execute(
        f"""
        UPDATE {loan} l SET outstanding_balance = d.balance
        FROM (
            SELECT e.loan_id AS id,
                   COALESCE(sum(i.amount_due - i.amount_paid), 0) AS balance
            FROM {EXISTING} e
            JOIN {STAGE} s ON s.row_no = e.row_no
            LEFT JOIN {instalment} i ON i.loan_id = e.loan_id
            WHERE s.outstanding_balance IS NULL
              AND e.loan_id IN (SELECT loan_id FROM {PAID_LOANS})
            GROUP BY e.loan_id
        ) d
        WHERE l.id = d.id AND l.outstanding_balance <> d.balance
        """
    )
    return counts
