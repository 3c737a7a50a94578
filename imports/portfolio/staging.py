# The raw SQL here interpolates only table and column names and fixed fragments built
# in this module; every value travels as a query parameter or through COPY.
# ruff: noqa: S608
"""The COPY path (PostgreSQL): rows stream through the field checks straight into
COPY to a temporary staging table, so memory stays flat; then the checks (checks.py)
and the writes (writes.py), in the caller's transaction, one import at a time."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time
from collections.abc import Iterator

from django.db import connection
from django.utils import timezone

from cases.masking import mask_email, mask_phone
from cases.models import ZERO
from cases.services import bucket_for, days_past_due
from core.crypto import keyring

from ..parsing import PORTFOLIO_COLUMNS, portfolio_row_parse
from ..reading import ErrorLog, csv_records
from .checks import copy_check
from .common import (
    ADDRESS,
    BALANCE,
    CONTACT_PHONE,
    EMAIL,
    FIRSTS,
    LOAN_REF,
    MOBILE,
    NATIONAL_ID,
    OPENED,
    PRINCIPAL,
    SCHEDULE,
    STAGE,
    STAGE_ERRORS,
    TEMP_TABLES,
    Outcome,
    delinquency_counts,
    references_sample,
)
from .writes import copy_write

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key: one portfolio import at a time, so the checks against
# the database still hold when the upserts run.
LOCK_KEY = 0x1A9_0001
IMPORT_WORK_MEM = "256MB"

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


# Staged beside the hashed fields: ciphertext and masked forms of the PII.
PII_STAGE_COLUMNS = (
    "national_id_enc",
    "address_enc",
    "mobile_enc",
    "mobile_masked",
    "email_enc",
    "email_masked",
    "contact_phone_enc",
    "contact_phone_masked",
)
_PII_HASHED = {
    NATIONAL_ID: "national_id",
    ADDRESS: "address",
    MOBILE: "contact",
    EMAIL: "contact",
    CONTACT_PHONE: "contact",
}


class _Sealed(dict):
    """(position, clear value) -> (hash, ciphertext, masked). Rows of a customer
    repeat their details; kept for the last few thousand values only."""

    def __init__(self):
        super().__init__()
        self.ring = keyring()

    def __missing__(self, item):
        position, text = item
        if len(self) > 10_000:
            self.clear()
        if not text:
            sealed = ("", "", "")
        else:
            purpose = _PII_HASHED[position]
            masked = ""
            if position in (MOBILE, CONTACT_PHONE):
                masked = mask_phone(text)[:64]
            elif position == EMAIL:
                masked = mask_email(text)[:64]
            sealed = (
                self.ring.hash(purpose, text),
                self.ring.encrypt(text),
                masked,
            )
        self[item] = sealed
        return sealed


def pii_stage(row, seal: _Sealed) -> tuple[list[str], tuple[str, ...]]:
    fields = list(row[: LOAN_REF + 3])
    out = []
    for position in (NATIONAL_ID, ADDRESS, MOBILE, EMAIL, CONTACT_PHONE):
        digest, sealed, masked = seal[position, fields[position]]
        fields[position] = digest
        out.append(sealed)
        if position not in (NATIONAL_ID, ADDRESS):
            out.append(masked)
    return fields, tuple(out)


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
    seal = _Sealed()
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
        # PII is staged as its keyed hash (what the checks and matches compare)
        # plus its ciphertext and masked form (what is stored): the clear values
        # never reach the database (core.crypto).
        fields, pii = pii_stage(row, seal)
        # Fields cannot hold NUL (csv_records rejects it), so NUL joins the text
        # fields and becomes the tab separator after the (rarely needed) escaping.
        text = "\x00".join(fields)
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
                    *pii,
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
    *PII_STAGE_COLUMNS,
)


def copy_load(file, *, errors: ErrorLog, partial: bool, progress) -> Outcome:
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
        pii_columns = ",\n".join(f"{name} text NOT NULL" for name in PII_STAGE_COLUMNS)
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
                bucket text NOT NULL,
                {pii_columns}
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
        copy_check(cursor, errors=errors)
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
        outcome.counts = copy_write(cursor)
        phase("upserts")
        cursor.execute(
            f"SELECT customer_reference FROM {STAGE} ORDER BY row_no LIMIT 200"
        )
        outcome.sample = references_sample(ref for (ref,) in cursor.fetchall())
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLES}")
    outcome.counts.update(delinquency_counts(today))
    phase("delinquency refresh")
    return outcome
