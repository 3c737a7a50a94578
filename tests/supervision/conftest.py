"""A small constructed team for the supervisor's pages: calls made directly as rows
(the collector workspace's services are tested elsewhere), at known times."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.models import CallLog
from cases.models import RepaymentPlan, RepaymentPlanInstalment
from tests.calls.conftest import make_case, working_hours  # noqa: F401
from tests.cases.factories import UserFactory

_counter = iter(range(1, 1_000_000))


def make_call(case, collector, *, at=None, **fields) -> CallLog:
    """A logged call on `case` by `collector`: a conversation by default."""
    at = at or timezone.now() - dt.timedelta(hours=1)
    talked = fields.pop("talked", True)
    defaults = {
        "outcome": CallLog.Outcome.OTHER if talked else CallLog.Outcome.NO_ANSWER,
        "right_party_contact": talked,
        "identity_confirmed": talked,
        "disclosure_made": talked,
        "duration_seconds": 120 if talked else 0,
        "attitude": CallLog.Attitude.COOPERATIVE,
        "notes": "Discussed the arrears.",
    }
    defaults.update(fields)
    return CallLog.objects.create(
        reference=f"CL-T{next(_counter):06d}",
        case=case,
        collector=collector,
        contact_point=case.customer.contact_points.first(),
        started_at=at,
        ended_at=at + dt.timedelta(seconds=defaults["duration_seconds"]),
        **defaults,
    )


def make_plan(case, proposed_by, *, status="proposed", total="600.00", **fields):
    plan = RepaymentPlan.objects.create(
        reference=f"RP-T{next(_counter):06d}",
        case=case,
        kind=RepaymentPlan.Kind.INSTALMENTS,
        status=status,
        total_amount=Decimal(total),
        reason="Lost job; two instalments.",
        proposed_by=proposed_by,
        **fields,
    )
    today = timezone.localdate()
    for n in (1, 2):
        RepaymentPlanInstalment.objects.create(
            plan=plan,
            sequence=n,
            due_date=today + dt.timedelta(days=30 * n),
            amount=Decimal(total) / 2,
        )
    return plan


@pytest.fixture(autouse=True)
def no_dashboard_cache(settings):
    """Figures computed afresh in every test (the cache has its own test)."""
    settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def team_case(queue):
    return make_case(queue, reference="CASE-TEAM")


@pytest.fixture
def other_case(other_queue):
    return make_case(other_queue, reference="CASE-OTHER")


@pytest.fixture
def other_supervisor(other_team):
    user = UserFactory(username="other-supervisor", roles=["supervisor"])
    other_team.supervisors.add(user)
    return user
