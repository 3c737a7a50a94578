"""The restore drill (scripts/restore-drill.sh) at small scale: dump the test
database, restore it into a new one, and find the same regulated rows there."""

import os
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from compliance.models import ContactAttempt
from tests.cases.factories import CaseFactory, ContactPointFactory

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
