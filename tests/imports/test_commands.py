"""The import_portfolio and import_payments commands."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Customer, Payment
from imports.models import ImportRun

from .helpers import csv_bytes, loan_row, payment_row, payments_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(tmp_path):
    def write(data: bytes, name: str = "file.csv") -> str:
        path = Path(tmp_path) / name
        path.write_bytes(data)
        return str(path)

    return write


def test_import_portfolio_loads_the_file_and_prints_the_report(write, capsys):
    call_command("import_portfolio", write(csv_bytes([loan_row()])))

    out = capsys.readouterr()
    assert "portfolio completed: 1 row(s) read, 1 loaded, 0 rejected" in out.out
    assert "customers_created: 1" in out.out
    assert "1 rows read" in out.err  # progress on stderr
    assert Customer.objects.get().full_name == "王小明"
    assert ImportRun.objects.get().actor_name.startswith("os:")


def test_import_portfolio_fails_with_the_row_errors_and_writes_nothing(write, capsys):
    path = write(csv_bytes([loan_row(), loan_row(loan_reference="L-2", mobile="1")]))

    with pytest.raises(CommandError, match="rejected, nothing written"):
        call_command("import_portfolio", path)

    assert "row 3, mobile: '1' is not a valid phone number." in capsys.readouterr().out
    assert not Customer.objects.exists()


def test_import_portfolio_partial_and_dry_run(write):
    path = write(csv_bytes([loan_row(), loan_row(loan_reference="L-2", mobile="1")]))

    call_command("import_portfolio", path, "--dry-run", "--partial")
    assert not Customer.objects.exists()
    call_command("import_portfolio", path, "--partial")
    assert Customer.objects.count() == 1


def test_import_payments_is_idempotent(write, admin_user):
    call_command("import_portfolio", write(csv_bytes([loan_row()]), "p.csv"))
    path = write(payments_bytes([payment_row()]))

    call_command("import_payments", path, "--user", "admin")
    call_command("import_payments", path)

    assert Payment.objects.count() == 1
    assert Payment.objects.get().recorded_by == admin_user


def test_a_missing_file_or_user_is_a_command_error(write):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_portfolio", "/nonexistent.csv")
    with pytest.raises(CommandError, match="no such user"):
        call_command("import_payments", write(b"x"), "--user", "nobody")
