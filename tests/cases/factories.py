import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from cases import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

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
    due_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
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
