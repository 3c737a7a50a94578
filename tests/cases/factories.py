import datetime as dt
import functools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from cases import models


@functools.cache
def _password_hash() -> str:
    # Hashed once: PBKDF2 is slow by design, and every persona shares the password.
    return make_password("pass-word-123")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: _password_hash())

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Team

    name = factory.Sequence(lambda n: f"Team {n}")


class WorkQueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.WorkQueue

    code = factory.Sequence(lambda n: f"queue-{n}")
    name = factory.Sequence(lambda n: f"Queue {n}")
    team = factory.SubFactory(TeamFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Customer

    reference = factory.Sequence(lambda n: f"C{n:07d}")
    full_name = factory.Sequence(lambda n: f"Customer {n}")
    national_id = factory.Sequence(lambda n: f"11010119900101{n:04d}")
    country = "CN"
    region = "SH"
    language = "zh-hans"


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ContactPoint

    customer = factory.SubFactory(CustomerFactory)
    channel = models.ContactPoint.Channel.PHONE
    value = factory.Sequence(lambda n: f"+861380013{n % 10000:04d}")
    relationship = models.ContactPoint.Relationship.SELF
    is_primary = True


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Loan

    reference = factory.Sequence(lambda n: f"L{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    product = "personal_loan"
    currency = "CNY"
    principal = Decimal("12000.00")
    outstanding_balance = Decimal("12000.00")


class InstalmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Instalment

    loan = factory.SubFactory(LoanFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    due_date = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=10)
    )
    amount_due = Decimal("1000.00")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Case

    reference = factory.Sequence(lambda n: f"CASE{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    opened_at = factory.LazyFunction(timezone.now)
    overdue_amount = Decimal("1000.00")
    max_days_past_due = 10
    bucket = "1-30"


class PaymentFactory(factory.django.DjangoModelFactory):
    """A bare payment row (no allocation): for tests of what reads payments."""

    class Meta:
        model = models.Payment

    reference = factory.Sequence(lambda n: f"PAY{n:07d}")
    loan = factory.SubFactory(LoanFactory)
    amount = Decimal("100.00")
    currency = "CNY"
    received_at = factory.LazyFunction(timezone.now)


class PromiseToPayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PromiseToPay

    case = factory.SubFactory(CaseFactory)
    amount = Decimal("500.00")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    made_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))


def loan_with_schedule(
    *, customer=None, dues: list[tuple[int, str]], today: dt.date | None = None, **kw
) -> models.Loan:
    """A loan whose instalments fall due `offset` days from `today` (negative: past),
    each for `amount`; the balance is what the schedule leaves unpaid."""
    today = today or timezone.localdate()
    total = sum((Decimal(amount) for _, amount in dues), Decimal("0"))
    kw.setdefault("principal", total)
    kw.setdefault("outstanding_balance", total)
    if customer is not None:
        kw["customer"] = customer
    loan = LoanFactory(**kw)
    for sequence, (offset, amount) in enumerate(dues, start=1):
        InstalmentFactory(
            loan=loan,
            sequence=sequence,
            due_date=today + dt.timedelta(days=offset),
            amount_due=Decimal(amount),
        )
    return loan
