# The raw SQL here interpolates only table and column names and fixed fragments built
# in this module; every value travels as a query parameter or through COPY.
# ruff: noqa: S608
"""The COPY path's writes: plain INSERT ... SELECT for the new rows and
UPDATE ... FROM for the changed ones, from the staging table."""

from __future__ import annotations

from django.db import connection
from django.db.models import NOT_PROVIDED, Model
from django.utils import timezone

from cases.models import ContactPoint, Customer, Instalment, Loan, PaymentAllocation
from core.bulk import analyze_if_large

from ..parsing import CUSTOMER_FIELDS
from .common import CUSTOMER_MODEL_FIELDS, EXISTING, FIRSTS, IDS, PAID_LOANS, STAGE


def _insert_parts(model: type[Model], exprs: dict) -> tuple[str, str, list]:
    """Column list, SELECT list and parameters for an INSERT ... SELECT into
    `model`'s table. `exprs` maps columns to SQL, or to (SQL, params); other columns
    get NULL, their database default or their model default, so a new required
    column without a default fails loudly here rather than in production."""
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
        elif f.db_default is not NOT_PROVIDED:
            # Left to the database per row (a contact point's random public id): a
            # Python default would be evaluated once for every row of the SELECT.
            continue
        elif f.has_default() or (f.blank and f.empty_strings_allowed):
            select.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
        else:
            raise RuntimeError(
                f"portfolio import cannot fill {model.__name__}.{f.name}"
            )
        columns.append(connection.ops.quote_name(f.column))
    return ", ".join(columns), ", ".join(select), params


def copy_write(cursor) -> dict:
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
    # The staged national_id and address are their keyed hashes (staging.py): the
    # comparison is hash to hash, the stored value the staged ciphertext.
    hashed = {"national_id": "national_id_hash", "address": "address_hash"}
    sets = ", ".join(
        f"{hashed.get(model_field, model_field)} = f.{column}"
        for model_field, column in zip(
            CUSTOMER_MODEL_FIELDS, CUSTOMER_FIELDS, strict=True
        )
    )
    sets += ", national_id = f.national_id_enc, address = f.address_enc"
    mine = ", ".join(f"c.{hashed.get(f, f)}" for f in CUSTOMER_MODEL_FIELDS)
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
            "national_id": "national_id_enc",
            "national_id_hash": "national_id",
            "address": "address_enc",
            "address_hash": "address",
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
               v.contact_name, s.row_no, v.position, v.sealed, v.masked
        FROM {STAGE} s
        JOIN {IDS} i ON i.reference = s.customer_reference AND i.known = %s
        CROSS JOIN LATERAL (VALUES
            ('phone', s.mobile, 'self', '', 1, s.mobile_enc, s.mobile_masked),
            ('email', s.email, 'self', '', 2, s.email_enc, s.email_masked),
            ('phone', s.contact_phone, s.contact_relationship, s.contact_name, 3,
             s.contact_phone_enc, s.contact_phone_masked)
        ) v(channel, value, relationship, contact_name, position, sealed, masked)
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
                # The staged value is the keyed hash (staging.py).
                "value": "d.sealed",
                "value_hash": "d.value",
                "value_masked": "d.masked",
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
        ON CONFLICT (customer_id, channel, value_hash) DO NOTHING
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
          AND p.value_hash = f.value AND p.relationship = 'self'
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
