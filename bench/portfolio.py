"""The large-portfolio generator: customers, phones, loans, instalments and a past
contact ledger, written by set-based SQL (INSERT ... SELECT generate_series) straight
into PostgreSQL, so a million loans take seconds, not an hour of ORM saves.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_bench \\
        .venv/bin/python -m bench.portfolio --loans 1000000 --attempts 10000000

Rows carry the reference prefix PF-; a rebuild deletes only those. The default shape
follows DESIGN.md section 9: 1,000,000 loans over 500,000 customers, three monthly
instalments each, about a third of loans in arrears spread over every bucket.
"""

from __future__ import annotations

import argparse
import os
import secrets
import time

PREFIX = "PF-"

# The benchmarks run with production settings, which need PII keys (core.crypto).
# Fixed ones, public like the development keys, so that every process of one suite
# run (the template's migrate, each benchmark) reads what another wrote. For
# throwaway benchmark databases only.
BENCH_PII_ENV = {
    "PII_KEYS": "bench1:YmVuY2htYXJrLXBpaS1rZXktbm90LWEtc2VjcmV0ISE=",
    "PII_HMAC_KEY": "YmVuY2htYXJrLXBpaS1obWFjLW5vdC1hLXNlY3JldCE=",
}


def pii_keys_default() -> None:
    for name, value in BENCH_PII_ENV.items():
        os.environ.setdefault(name, value)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_app.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    pii_keys_default()
    import django

    django.setup()


def pages_without_static_manifest() -> None:
    """Production settings, but pages rendered in-process need no collected static
    manifest (the benchmarks time the views, not WhiteNoise)."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


# The triggers that make the ledger and payments append-only (issue 15, finding 2).
LEDGER_TRIGGERS = (
    "compliance.Decision:decision_append_only",
    "compliance.ContactAttempt:attempt_no_delete",
    "cases.Payment:payment_no_delete",
    "cases.PaymentAllocation:allocation_append_only",
)


def points_encrypt() -> None:
    """Encrypt the contact points the generator wrote in clear (and fill their hash
    and masked columns), as the application's writes would have: PII at rest
    (core.crypto). The SQL that copies them into the ledger then copies ciphertext,
    as the sweep does."""
    from cases.models import ContactPoint
    from core.pii_store import rewrite_model

    started = time.perf_counter()
    rows = sum(rewrite_model(ContactPoint, mode="plain", batch_size=5000))
    print(f"  encrypt phones: {rows:,} rows in {time.perf_counter() - started:.1f}s")


def ledger_unprotected():
    """Lift the ledger's delete triggers for this connection: a benchmark removes
    its own generated rows between runs, on its own throwaway database. Never used
    by the product; such a database's hash chain no longer verifies."""
    import pgtrigger

    return pgtrigger.ignore(*LEDGER_TRIGGERS)


def _step(label: str, cursor, sql: str, params=()) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params)
    print(
        f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f}s"
    )


def portfolio_drop(cursor) -> None:
    """Delete the generator's rows (and what the sweep made of them) only."""
    customers = "SELECT id FROM cases_customer WHERE reference LIKE %s"
    cases = f"SELECT id FROM cases_case WHERE customer_id IN ({customers})"
    for table, where in (
        ("messaging_outboundmessage", f"customer_id IN ({customers})"),
        ("calls_calltask", f"case_id IN ({cases})"),
        ("compliance_contactattempt", f"customer_id IN ({customers})"),
        ("compliance_decision", f"customer_id IN ({customers})"),
        ("cases_case", f"customer_id IN ({customers})"),
        (
            "cases_instalment",
            "loan_id IN (SELECT id FROM cases_loan WHERE reference LIKE %s)",
        ),
        ("cases_loan", "reference LIKE %s"),
        ("cases_contactpoint", f"customer_id IN ({customers})"),
        ("cases_customer", "reference LIKE %s"),
    ):
        with ledger_unprotected():
            cursor.execute(f"DELETE FROM {table} WHERE {where}", [PREFIX + "%"])  # noqa: S608


def portfolio_build(cursor, *, loans: int, attempts: int) -> None:
    """Build the portfolio; `today` is the database's current date."""
    customers = max(loans // 2, 1)
    print(f"building {customers:,} customers, {loans:,} loans, {attempts:,} attempts")
    portfolio_drop(cursor)
    _step(
        "customers",
        cursor,
        """
        INSERT INTO cases_customer (reference, full_name, national_id, language,
            country, region, address, time_zone, created_at, updated_at,
            national_id_hash, address_hash)
        SELECT %s || g, '客户' || g, '', 'zh-hans', 'CN', 'SH', '', '', now(), now(),
            '', ''
        FROM generate_series(1, %s) g
        """,
        [PREFIX, customers],
    )
    _step(
        "phones",
        cursor,
        """
        INSERT INTO cases_contactpoint (customer_id, channel, value, relationship,
            contact_name, is_primary, consent, created_at, invalid_reason,
            value_hash, value_masked)
        SELECT id, 'phone', '+86139' || lpad((id %% 100000000)::text, 8, '0'), 'self',
            '', true, true, now(), '', '', ''
        FROM cases_customer WHERE reference LIKE %s
        """,
        [PREFIX + "%"],
    )
    points_encrypt()
    # Loan k belongs to customer k / 2; its first instalment fell due `lag` days ago,
    # where lag spreads loans over current (future due dates) and every bucket.
    _step(
        "loans",
        cursor,
        """
        INSERT INTO cases_loan (reference, customer_id, product, currency, principal,
            outstanding_balance, overdue_amount, days_past_due, bucket, status,
            created_at, updated_at)
        SELECT %s || g, c.id, 'personal_loan', 'CNY', 3000, 3000, 0, 0, '', 'active',
            now(), now()
        FROM generate_series(1, %s) g
        JOIN cases_customer c ON c.reference = %s || ((g + 1) / 2)
        """,
        [PREFIX, loans, PREFIX],
    )
    _step(
        "instalments",
        cursor,
        """
        INSERT INTO cases_instalment (loan_id, sequence, due_date, amount_due,
            amount_paid)
        SELECT l.id, s, current_date - lag.d::int + (s - 1) * 30, 1000, 0
        FROM cases_loan l
        CROSS JOIN generate_series(1, 3) s
        CROSS JOIN LATERAL (SELECT CASE WHEN l.id %% 3 = 0
                                        THEN 1 + (l.id / 3) %% 150
                                        ELSE -30 END AS d) lag
        WHERE l.reference LIKE %s
        """,
        [PREFIX + "%"],
    )
    if attempts:
        cursor.execute(
            "SELECT min(cp.id) FROM cases_contactpoint cp JOIN cases_customer c "
            "ON c.id = cp.customer_id WHERE c.reference LIKE %s",
            [PREFIX + "%"],
        )
        first_point = cursor.fetchone()[0]
        # Phones were inserted in one statement, so their ids are consecutive.
        _step(
            "ledger",
            cursor,
            """
            INSERT INTO compliance_contactattempt (customer_id, contact_point_id,
                contact_value, contact_value_hash, third_party, channel, purpose, at,
                allowed, result, completed_at, source)
            SELECT cp.customer_id, cp.id, cp.value, cp.value_hash, false,
                CASE WHEN g %% 3 = 0 THEN 'sms' ELSE 'call' END, 'collection',
                now() - ((g %% 90) || ' days')::interval
                      - ((g %% 600) || ' minutes')::interval,
                true,
                CASE WHEN g %% 3 = 0 THEN 'sent' WHEN g %% 3 = 1 THEN 'no_answer'
                     ELSE 'conversation' END,
                now(), 'bench'
            FROM generate_series(1, %s) g
            JOIN cases_contactpoint cp ON cp.id = %s + (g %% %s)
            """,
            [attempts, first_point, customers],
        )
    cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=10_000_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database (see the docstring)."
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        portfolio_build(cursor, loans=args.loans, attempts=args.attempts)
    print(f"built in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
