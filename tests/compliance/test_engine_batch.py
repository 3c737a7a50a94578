"""The batch path (`contact_evaluate_many`) agrees exactly with the single path and
reads the database a constant number of times."""

import datetime as dt
import random

import pytest

from cases.models import ContactPoint, Customer
from compliance.models import ContactAttempt, ContactRestriction
from compliance.services import ContactProposal, contact_evaluate, contact_evaluate_many
from tests.cases.factories import LoanFactory

pytestmark = pytest.mark.django_db

BASE = dt.datetime(2026, 3, 10, 0, 0, tzinfo=dt.UTC)
PROFILES = [
    ("CN", "SH", "", ["+86138001{:05d}", "+86215555{:04d}"]),
    ("US", "CA", "", ["+1212555{:04d}", "+1213555{:04d}"]),
    ("US", "TX", "", ["+1312555{:04d}"]),
    ("US", "NY", "America/New_York", ["+1206555{:04d}"]),
    ("GB", "ENG", "", ["+44207123{:04d}"]),
    ("DE", "", "", ["+4930123{:04d}"]),
]
RESULTS = ["no_answer", "not_connected", "voicemail", "conversation", "third_party"]
KINDS = [k for k, _ in ContactRestriction.Kind.choices]


def build_portfolio(rng: random.Random, size: int) -> list[Customer]:
    """Customers with phones, third parties, emails, loans, restrictions, a ledger."""
    customers = []
    for n in range(size):
        country, region, zone, patterns = rng.choice(PROFILES)
        customer = Customer.objects.create(
            reference=f"B{n:05d}",
            full_name=f"Batch {n}",
            country=country,
            region=region,
            time_zone=zone,
        )
        points = []
        for i, pattern in enumerate(patterns):
            points.append(
                ContactPoint.objects.create(
                    customer=customer,
                    channel="phone",
                    value=pattern.format(n * 3 + i),
                    is_primary=i == 0,
                    opted_out_at=BASE if rng.random() < 0.1 else None,
                    invalid_at=BASE - dt.timedelta(days=2)
                    if rng.random() < 0.05
                    else None,
                )
            )
        if rng.random() < 0.5:
            points.append(
                ContactPoint.objects.create(
                    customer=customer,
                    channel="phone",
                    value=patterns[0].format(9000 + n),
                    relationship=rng.choice(
                        ["spouse", "emergency_contact", "employer"]
                    ),
                    refused_at=BASE if rng.random() < 0.2 else None,
                )
            )
        if rng.random() < 0.7:
            ContactPoint.objects.create(
                customer=customer,
                channel="email",
                value=f"b{n}@example.com",
                consent=rng.random() > 0.1,
            )
        loans = [LoanFactory(customer=customer) for _ in range(rng.randint(0, 2))]
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            start = BASE + dt.timedelta(hours=rng.randint(-96, 72))
            ContactRestriction.objects.create(
                customer=customer,
                kind=rng.choice(KINDS),
                channel=rng.choice(["", "", "call", "sms"]),
                loan=rng.choice([None, *loans]),
                starts_at=start,
                ends_at=rng.choice(
                    [None, start + dt.timedelta(hours=rng.randint(1, 400))]
                ),
                reason="batch test",
            )
        attempts = []
        for _ in range(rng.randint(0, 14)):
            point = rng.choice(points)
            attempts.append(
                ContactAttempt(
                    customer=customer,
                    contact_point=point,
                    contact_value=point.value,
                    third_party=point.is_third_party,
                    loan=rng.choice([None, *loans]),
                    channel=rng.choice(["call", "call", "call", "sms"]),
                    at=BASE + dt.timedelta(minutes=rng.randint(-9 * 24 * 60, 24 * 60)),
                    allowed=rng.random() > 0.1,
                    result=rng.choice([*RESULTS, "pending", "sent"]),
                    source="test",
                )
            )
        ContactAttempt.objects.bulk_create(attempts)
        customer.test_points = points
        customer.test_loans = loans
        customers.append(customer)
    return customers


def random_proposals(
    rng: random.Random, customers, count: int
) -> list[ContactProposal]:
    proposals = []
    for _ in range(count):
        customer = rng.choice(customers)
        channel = rng.choice(["call", "call", "sms", "email", "letter", "visit"])
        phones = [p for p in customer.test_points if p.channel == "phone"]
        point = (
            rng.choice([None, None, rng.choice(phones)])
            if channel in ("call", "sms")
            else None
        )
        proposals.append(
            ContactProposal(
                customer=customer,
                channel=channel,
                contact_point=point,
                purpose=rng.choice(
                    ["collection", "collection", "location", "statutory_notice"]
                ),
                loan=rng.choice([None, *customer.test_loans]),
                at=BASE + dt.timedelta(minutes=rng.randint(-2 * 24 * 60, 3 * 24 * 60)),
            )
        )
    return proposals


def single(proposal: ContactProposal):
    return contact_evaluate(
        customer=proposal.customer,
        channel=proposal.channel,
        contact_point=proposal.contact_point,
        at=proposal.at,
        purpose=proposal.purpose,
        loan=proposal.loan,
    )


def test_batch_agrees_with_single_path_on_thousands_of_random_cases():
    rng = random.Random(20260310)
    customers = build_portfolio(rng, 80)
    proposals = random_proposals(rng, customers, 3000)
    batch = contact_evaluate_many(proposals)
    outcomes = set()
    for proposal, decision in zip(proposals, batch, strict=True):
        expected = single(proposal)
        assert decision.to_dict() == expected.to_dict(), proposal
        outcomes.add(decision.outcome)
    # The generator exercises every kind of outcome, or the comparison proves little.
    assert outcomes == {"allow", "allow_with_conditions", "defer", "deny", "review"}


def test_batch_reads_the_database_a_constant_number_of_times(
    django_assert_max_num_queries,
):
    rng = random.Random(7)
    customers = build_portfolio(rng, 40)
    proposals = random_proposals(rng, customers, 2000)
    with django_assert_max_num_queries(1):
        decisions = contact_evaluate_many(proposals)
    assert len(decisions) == 2000


def test_batch_accepts_customer_ids_and_dicts(django_assert_max_num_queries):
    rng = random.Random(3)
    customers = build_portfolio(rng, 5)
    at = BASE + dt.timedelta(hours=2)
    proposals = [{"customer": c.pk, "channel": "call", "at": at} for c in customers]
    with django_assert_max_num_queries(2):
        by_id = contact_evaluate_many(proposals)
    by_object = contact_evaluate_many(
        [ContactProposal(customer=c, channel="call", at=at) for c in customers]
    )
    assert [d.to_dict() for d in by_id] == [d.to_dict() for d in by_object]


def test_empty_batch_reads_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert contact_evaluate_many([]) == []


def test_batch_split_into_chunks_agrees_with_single_path(monkeypatch):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL reads any batch in one statement")
    # SQLite binds each id: a small bind limit forces several chunks of 100 ids.
    monkeypatch.setattr(connection.features, "max_query_params", 400)
    rng = random.Random(11)
    customers = build_portfolio(rng, 230)
    proposals = random_proposals(rng, customers, 600)
    batch = contact_evaluate_many(proposals)
    for proposal, decision in zip(proposals, batch, strict=True):
        assert decision.to_dict() == single(proposal).to_dict(), proposal
