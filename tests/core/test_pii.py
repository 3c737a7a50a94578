"""PII at rest (issue 15 item 7): encrypted columns, look-ups by keyed hash, key
rotation, and the proof that a database dump holds no PII in clear."""

import base64
import datetime as dt
import os
import subprocess
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from cases.access import contact_point_for_customer
from cases.models import ContactPoint, Customer
from compliance.models import ContactAttempt
from compliance.services import contact_attempt_record_external, contact_request
from core import crypto
from tests.cases.factories import ContactPointFactory, CustomerFactory

NATIONAL_ID = "310101199001011234"
PHONE = "+8613912345678"
EMAIL = "wang.xiaoming@example.cn"
ADDRESS = "上海市黄浦区南京东路100号"


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


K1, K2, HMAC = _key(), _key(), _key()
# The rotation re-encrypts every row of the database, so its keyring also holds the
# development key that rows kept from other tests (a reused database) are under.
ROTATING = f"k2:{K2},k1:{K1},{crypto.DEVELOPMENT_KEYS}"
MORNING = dt.datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _customer_with_pii() -> Customer:
    customer = CustomerFactory(national_id=NATIONAL_ID, address=ADDRESS)
    ContactPointFactory(customer=customer, value=PHONE)
    ContactPointFactory(customer=customer, channel="email", value=EMAIL)
    return customer


@pytest.mark.django_db
def test_pii_is_stored_as_ciphertext_and_reads_back_in_clear():
    customer = _customer_with_pii()
    point = customer.contact_points.get(channel="phone")

    stored = _stored("cases_customer", "national_id", customer.pk)
    assert stored.startswith("v1:dev1:") and NATIONAL_ID not in stored
    assert ADDRESS not in _stored("cases_customer", "address", customer.pk)
    assert PHONE not in _stored("cases_contactpoint", "value", point.pk)
    assert Customer.objects.get(pk=customer.pk).national_id == NATIONAL_ID
    assert ContactPoint.objects.get(pk=point.pk).value == PHONE
    assert point.value_masked == "+86139****5678"
    history = customer.history.get()
    assert history.national_id == NATIONAL_ID
    assert history.national_id_hash == customer.national_id_hash != ""


@pytest.mark.django_db
def test_equal_values_encrypt_differently_but_hash_equal():
    a = ContactPointFactory(value=PHONE)
    b = ContactPointFactory(value=PHONE)
    assert _stored("cases_contactpoint", "value", a.pk) != _stored(
        "cases_contactpoint", "value", b.pk
    )
    assert a.value_hash == b.value_hash == crypto.contact_hash(PHONE)


@pytest.mark.django_db
def test_exact_lookups_on_encrypted_fields_go_through_the_hash():
    customer = _customer_with_pii()
    assert list(Customer.objects.filter(national_id=NATIONAL_ID)) == [customer]
    assert ContactPoint.objects.filter(value__in=[PHONE, "+1"]).count() == 1
    with pytest.raises(TypeError, match="encrypted"):
        list(ContactPoint.objects.filter(value__startswith="+86"))


@pytest.mark.django_db
def test_a_contact_point_is_found_by_number_written_any_way():
    customer = _customer_with_pii()
    point = contact_point_for_customer(
        customer=customer, value="139 1234 5678", channels=("phone",), field="to"
    )
    assert point.value == PHONE


@pytest.mark.django_db
def test_the_unique_constraint_still_holds_on_the_hash():
    from django.db import IntegrityError, transaction

    point = ContactPointFactory(value=PHONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPointFactory(customer=point.customer, value=PHONE, is_primary=False)


@pytest.mark.django_db
def test_the_attempt_ledger_keeps_the_number_encrypted_with_the_points_hash():
    customer = _customer_with_pii()
    attempt = contact_attempt_record_external(
        customer=customer,
        channel="call",
        contact_value=PHONE,
        at=timezone.now() - dt.timedelta(hours=1),
        result="no_answer",
        source="dialer",
    )
    assert PHONE not in _stored(
        "compliance_contactattempt", "contact_value", attempt.pk
    )
    attempt = ContactAttempt.objects.get(pk=attempt.pk)
    assert attempt.contact_value == PHONE
    assert (
        attempt.contact_value_hash
        == customer.contact_points.get(channel="phone").value_hash
    )


@pytest.mark.django_db
def test_rotation_moves_every_value_to_the_new_key_and_the_old_one_can_go():
    with override_settings(PII_KEYS=f"k1:{K1}", PII_HMAC_KEY=HMAC):
        customer = _customer_with_pii()
        contact_attempt_record_external(
            customer=customer,
            channel="call",
            contact_value=PHONE,
            at=timezone.now() - dt.timedelta(hours=1),
            result="no_answer",
            source="dialer",
        )
        assert (
            crypto.key_id_of(_stored("cases_customer", "national_id", customer.pk))
            == "k1"
        )

    with override_settings(
        PII_KEYS=ROTATING, PII_ACTIVE_KEY_ID="k2", PII_HMAC_KEY=HMAC
    ):
        call_command("pii_rotate_key", batch_size=2, verbosity=0)
        # Run again: nothing left to do (resumable, idempotent).
        out = StringIO()
        call_command("pii_rotate_key", stdout=out)
        assert "0 rows rewritten" in out.getvalue()

    with override_settings(PII_KEYS=f"k2:{K2}", PII_HMAC_KEY=HMAC):
        customer = Customer.objects.get(pk=customer.pk)
        assert customer.national_id == NATIONAL_ID
        assert customer.address == ADDRESS
        assert customer.history.get().national_id == NATIONAL_ID
        assert ContactAttempt.objects.get().contact_value == PHONE
        assert {p.value for p in customer.contact_points.all()} == {PHONE, EMAIL}
        assert ContactPoint.objects.filter(value=PHONE).exists()


def _ledger_ok() -> bool:
    out = StringIO()
    try:
        call_command("ledger_verify", stdout=out)
    except CommandError:
        return False
    return "ledger verified" in out.getvalue()


def _gate_ledger(customer: Customer) -> list[ContactAttempt]:
    """Three chained decisions, each with its attempt carrying the number."""
    attempts = []
    for minutes in range(3):
        _decision, attempt = contact_request(
            customer=customer, channel="sms", at=MORNING + dt.timedelta(minutes=minutes)
        )
        attempts.append(attempt)
    return attempts


@pytest.mark.django_db
def test_rotation_rewrites_the_ledgers_numbers_and_the_chain_still_verifies():
    with override_settings(PII_KEYS=f"k1:{K1}", PII_HMAC_KEY=HMAC):
        customer = _customer_with_pii()
        attempts = _gate_ledger(customer)
        assert _ledger_ok()
    with override_settings(
        PII_KEYS=ROTATING, PII_ACTIVE_KEY_ID="k2", PII_HMAC_KEY=HMAC
    ):
        call_command("pii_rotate_key", batch_size=2, verbosity=0)
    with override_settings(PII_KEYS=f"k2:{K2}", PII_HMAC_KEY=HMAC):
        for attempt in attempts:
            stored = _stored("compliance_contactattempt", "contact_value", attempt.pk)
            assert crypto.key_id_of(stored) == "k2"
            assert ContactAttempt.objects.get(pk=attempt.pk).contact_value == PHONE
        assert _ledger_ok()
        if connection.vendor == "postgresql":
            # The rotation lifted the ledger's trigger for its own statements only.
            with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
                ContactAttempt.objects.filter(pk=attempts[0].pk).update(
                    contact_value=EMAIL
                )


def _decrypt_in_place(table: str, columns: list[str], hashes: list[str]) -> None:
    """Put `table` back as it was before encryption: values in clear, hashes blank
    (past the ledger's triggers, as the rows were written before them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        pk = "history_id" if "historical" in table else "id"
        cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table}")  # noqa: S608
        for pk_value, *stored in cursor.fetchall():
            sets = ", ".join(
                [f"{c} = %s" for c in columns] + [f"{h} = ''" for h in hashes]
            )
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                [*(crypto.decrypt(v) for v in stored), pk_value],
            )
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.mark.django_db
def test_the_migrations_encrypt_rows_written_in_clear_past_the_ledger_triggers():
    from django.apps import apps

    from core.pii_store import migration_encrypt

    customer = _customer_with_pii()
    attempts = _gate_ledger(customer)
    _decrypt_in_place(
        "cases_customer",
        ["national_id", "address"],
        ["national_id_hash", "address_hash"],
    )
    _decrypt_in_place("cases_contactpoint", ["value"], ["value_hash", "value_masked"])
    _decrypt_in_place(
        "compliance_contactattempt", ["contact_value"], ["contact_value_hash"]
    )
    assert (
        _stored("compliance_contactattempt", "contact_value", attempts[0].pk) == PHONE
    )

    for app_label in ("cases", "compliance", "messaging"):
        migration_encrypt(app_label)(apps, None)

    assert (
        crypto.key_id_of(_stored("cases_customer", "national_id", customer.pk))
        == "dev1"
    )
    for attempt in attempts:
        stored = _stored("compliance_contactattempt", "contact_value", attempt.pk)
        assert PHONE not in stored and crypto.is_encrypted(stored)
        attempt = ContactAttempt.objects.get(pk=attempt.pk)
        assert attempt.contact_value_hash == crypto.contact_hash(PHONE)
    point = ContactPoint.objects.get(customer=customer, value=PHONE)
    assert point.value_masked == "+86139****5678"
    assert Customer.objects.filter(national_id=NATIONAL_ID).get() == customer
    assert _ledger_ok()


@pytest.mark.django_db
def test_a_removed_key_makes_reads_fail_loudly_not_silently():
    with override_settings(PII_KEYS=f"k1:{K1}", PII_HMAC_KEY=HMAC):
        customer = CustomerFactory(national_id=NATIONAL_ID)
    with override_settings(PII_KEYS=f"k2:{K2}", PII_HMAC_KEY=HMAC):
        with pytest.raises(crypto.PIIKeyError, match="k1"):
            Customer.objects.get(pk=customer.pk)


@pytest.mark.django_db
def test_rehash_recomputes_lookups_under_a_new_hmac_key():
    customer = _customer_with_pii()
    new_hmac = _key()
    with override_settings(PII_HMAC_KEY=new_hmac):
        assert not ContactPoint.objects.filter(value=PHONE).exists()
        call_command("pii_rotate_key", rehash=True, verbosity=0)
        assert ContactPoint.objects.get(value=PHONE).customer == customer
        assert Customer.objects.filter(national_id=NATIONAL_ID).exists()


def test_production_refuses_to_start_without_keys():
    with override_settings(PII_DEVELOPMENT_KEYS=False, PII_KEYS="", PII_HMAC_KEY=""):
        errors = [e.id for e in run_checks()]
    assert "core.E010" in errors


def test_deploy_check_refuses_the_development_keys():
    errors = [e.id for e in run_checks(include_deployment_checks=True)]
    assert "core.E011" in errors
    with override_settings(PII_KEYS=f"k1:{K1}", PII_HMAC_KEY=HMAC):
        errors = [e.id for e in run_checks(include_deployment_checks=True)]
    assert "core.E011" not in errors and "core.E010" not in errors


def test_the_hmac_key_must_differ_from_the_encryption_keys():
    with override_settings(PII_KEYS=f"k1:{K1}", PII_HMAC_KEY=K1):
        with pytest.raises(crypto.PIIKeyError, match="differ"):
            crypto.keyring()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pg_dump_of_the_pii_tables_shows_no_pii_in_clear():
    customer = _customer_with_pii()
    contact_attempt_record_external(
        customer=customer,
        channel="call",
        contact_value=PHONE,
        at=timezone.now() - dt.timedelta(hours=1),
        result="no_answer",
        source="dialer",
    )
    customer.address = ADDRESS + " 2"
    customer.save()  # a second history entry
    db = connection.settings_dict
    tables = [
        "cases_customer",
        "cases_historicalcustomer",
        "cases_contactpoint",
        "cases_historicalcontactpoint",
        "compliance_contactattempt",
        "compliance_historicalcontactattempt",
    ]
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            *[f"--table={t}" for t in tables],
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout

    assert customer.reference in dump  # the dump has the rows
    assert dump.count("v1:dev1:") >= 8
    for clear in (NATIONAL_ID, PHONE, PHONE[3:], EMAIL, ADDRESS, "南京东路"):
        assert clear not in dump, clear
