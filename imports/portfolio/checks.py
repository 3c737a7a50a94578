# The raw SQL here interpolates only table and column names and fixed fragments built
# in this module; every value travels as a query parameter or through COPY.
# ruff: noqa: S608
"""The COPY path's cross-row and against-the-database checks, in SQL over the
staging table."""

from __future__ import annotations

from cases.models import Customer, Instalment, Loan, PaymentAllocation

from ..parsing import CUSTOMER_FIELDS
from ..reading import ERRORS_KEPT, ErrorLog, RowError
from .common import EXISTING, FIRSTS, STAGE, STAGE_ERRORS, set_error


def copy_check(cursor, *, errors: ErrorLog) -> None:
    """The cross-row and against-the-database checks, in SQL (the twins of the
    checks in rows_load)."""
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
        SELECT s.row_no, s.customer_reference, {fields},
               s.national_id_enc, s.address_enc, c.id AS known_id
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
