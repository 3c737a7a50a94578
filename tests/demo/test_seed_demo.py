"""seed_demo: a small portfolio that covers every bucket, reproducibly."""

import datetime as dt
from io import StringIO

import phonenumbers
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from cases.models import Case, ContactPoint, Customer, Loan
from core.roles import Role, user_roles
from tests.cases.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    options.setdefault("customers", 15)
    options.setdefault("verbosity", 1)
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot(seed_value: int):
    """What seed_demo writes for a seed, then rolled back."""
    with transaction.atomic():
        seed(seed=seed_value, verbosity=0)
        customers = list(
            Customer.objects.order_by("reference").values_list(
                "reference", "full_name", "national_id", "region"
            )
        )
        loans = list(
            Loan.objects.order_by("reference").values_list(
                "reference", "principal", "days_past_due"
            )
        )
        transaction.set_rollback(True)
    return customers, loans


def test_it_populates_every_bucket_and_queues_every_case():
    output = seed(customers=12)

    buckets = set(
        Loan.objects.filter(status=Loan.Status.ACTIVE).values_list("bucket", flat=True)
    )
    assert {"", "1-30", "31-60", "61-90", "90+"} <= buckets
    open_cases = Case.objects.open()
    assert set(open_cases.values_list("bucket", flat=True)) >= {
        "1-30",
        "31-60",
        "61-90",
        "90+",
    }
    assert not open_cases.filter(queue__isnull=True).exists()
    assert Customer.objects.count() == 12
    assert "demo-pass-2026" in output


def test_it_creates_the_demo_users_with_their_roles():
    seed(customers=6)

    User = get_user_model()
    expected = {
        "collector": Role.COLLECTOR,
        "collector2": Role.COLLECTOR,
        "collector3": Role.COLLECTOR,
        "supervisor": Role.SUPERVISOR,
        "admin": Role.ADMIN,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password("demo-pass-2026")
        assert role in user_roles(user)
    assert User.objects.get(username="admin").is_staff
    supervisor = User.objects.get(username="supervisor")
    collector3 = User.objects.get(username="collector3")
    assert (
        supervisor.supervised_teams.get().members.filter(username="collector").exists()
    )
    assert collector3.teams.get().name == "Beijing B"


def test_every_phone_number_is_valid_and_foreign_customers_have_their_zone():
    seed(customers=20)

    phones = ContactPoint.objects.filter(channel=ContactPoint.Channel.PHONE)
    for value in phones.values_list("value", flat=True):
        assert phonenumbers.is_valid_number(phonenumbers.parse(value)), value
    us = Customer.objects.filter(country="US").first()
    uk = Customer.objects.filter(country="GB").first()
    assert us.time_zone.startswith("America/")
    # Values are encrypted at rest: compared in Python, not in SQL.
    assert any(p.value.startswith("+1") for p in us.contact_points.all())
    assert uk.time_zone == "Europe/London"
    assert any(p.value.startswith("+44") for p in uk.contact_points.all())
    assert ContactPoint.objects.exclude(relationship="self").exists()


def test_the_same_seed_gives_the_same_portfolio():
    first = snapshot(7)
    again = snapshot(7)
    other = snapshot(8)

    assert first == again
    assert first[0] != other[0]


def test_if_empty_leaves_an_existing_database_alone():
    CustomerFactory()

    output = seed(if_empty=True)

    assert Customer.objects.count() == 1
    assert "nothing seeded" in output


def test_without_if_empty_it_refuses_to_seed_over_data():
    CustomerFactory()

    with pytest.raises(CommandError):
        seed()


def test_a_dry_run_writes_nothing():
    output = seed(dry_run=True)

    assert "Would seed 15 customers" in output
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "hour_in_shanghai",
    # Just after midnight: the ladder's history had the day's call tasks come due
    # later that morning and logged their calls then, hours in the future (CI at
    # 00:12 Shanghai); the middle of the afternoon.
    [0, 15],
)
def test_the_demo_has_kept_promises_and_no_call_in_the_future(
    time_machine, hour_in_shanghai
):
    """The dashboard's kept rate is not 0 % on the demo, and every call happened."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from calls.models import CallLog
    from cases.models import PromiseToPay

    shanghai = ZoneInfo("Asia/Shanghai")
    time_machine.move_to(
        dt.datetime(2026, 12, 8, hour_in_shanghai, 12, tzinfo=shanghai), tick=False
    )
    call_command("seed_demo", verbosity=0)
    assert PromiseToPay.objects.filter(status=PromiseToPay.Status.KEPT).exists()
    assert not CallLog.objects.filter(started_at__gt=timezone.now()).exists()


def test_the_demo_blocks_carry_the_gates_own_words_in_both_languages():
    """Issue 18: the case timeline showed a blocked attempt's raw code."""
    from compliance.models import Decision

    call_command("seed_demo", verbosity=0)
    blocked = Decision.objects.filter(allowed=False, reasons__0__rule__startswith="cn.")
    assert blocked.exists()
    for decision in blocked:
        reason = decision.reasons[0]
        assert reason["message"] != reason["code"]
        assert reason["message_zh"] and reason["message_zh"] != reason["code"]
        assert "{" not in reason["message"] + reason["message_zh"]
