"""The restore drill (scripts/restore-drill.sh) at small scale: dump the test
database, restore it into a new one, and find the same regulated rows there."""

import datetime as dt
import os
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from compliance.models import ContactAttempt
from compliance.services import contact_request
from tests.cases.factories import CaseFactory, ContactPointFactory, CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def drill(*args, **env):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.run(
        ["bash", "scripts/restore-drill.sh", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_restores_with_every_regulated_row():
    case = CaseFactory()
    ContactPointFactory(customer=case.customer)

    done = drill()

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok cases_case: 1 rows" in done.stdout
    assert "ok cases_contactpoint: " in done.stdout
    assert "ok migrations: all applied" in done.stdout
    assert "ok ledger_verify: ledger verified" in done.stdout
    assert done.stdout.rstrip().endswith("restore drill passed")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_that_lost_rows_fails_the_drill(tmp_path):
    """The check can fail: a dump taken before rows were added is missing them."""
    CaseFactory()
    db = connection.settings_dict
    dump = tmp_path / "old.dump"
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            f"--file={dump}",
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        ],
        check=True,
        timeout=120,
    )
    CaseFactory()  # after the backup

    done = drill(str(dump))

    assert done.returncode == 1
    assert "MISMATCH cases_case: source 2, copy 1" in done.stdout
    assert ContactAttempt.objects.count() == 0  # nothing else was touched


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_whose_ledger_was_tampered_with_fails_the_drill():
    """The drill runs ledger_verify on the copy: a decision rewritten past the
    triggers (here in the source, before the dump) fails it, naming the row."""
    customer = CustomerFactory()
    ContactPointFactory(customer=customer, value="+8613800138000")
    _, attempt = contact_request(
        customer=customer, channel="sms", at=dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)
    )
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE compliance_decision DISABLE TRIGGER ALL")
        cursor.execute(
            "UPDATE compliance_decision SET outcome = 'deny' WHERE id = %s",
            [attempt.decision_id],
        )
        cursor.execute("ALTER TABLE compliance_decision ENABLE TRIGGER ALL")

    done = drill()

    assert done.returncode == 1
    assert f"row id {attempt.decision_id} (link 1)" in done.stdout
    assert "MISMATCH ledger_verify" in done.stdout
