"""A small portfolio on a live policy (v1) and a draft (v2) that moves the SMS from
1 to 3 days past due: every kind of case the sweep treats differently."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from cases.models import Case, EscalationPolicy
from compliance.models import ContactRestriction
from escalation import services as policies
from escalation.services import StepInput
from tests.cases.factories import CaseFactory, ContactPointFactory, PromiseToPayFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def day(n, hour=10):
    """Day n of December 2026 at `hour` in Shanghai."""
    return dt.datetime(2026, 11, 30, hour, tzinfo=SHANGHAI) + dt.timedelta(days=n)


AT = day(5)


def ladder(sms_dpd=1, email_after=2, call_after=4, queue=""):
    return [
        StepInput(1, "SMS", "dpd", sms_dpd, "sms", template="overdue-sms"),
        StepInput(
            2, "Email", "after_previous", email_after, "email", template="overdue-email"
        ),  # fmt: skip
        StepInput(3, "Call", "after_previous", call_after, "call_task", queue=queue),
        StepInput(4, "Review", "dpd", 60, "supervisor_review"),
    ]


@pytest.fixture
def live(db, admin_user):
    EscalationPolicy.objects.all().delete()
    v1 = policies.policy_create(
        code="standard", name="Standard", steps=ladder(), user=admin_user
    )
    EscalationPolicy.objects.filter(pk=v1.pk).update(is_default=True)
    return policies.policy_activate(policy=v1, user=admin_user)


@pytest.fixture
def draft(live, admin_user):
    return policies.policy_create(
        code="standard",
        name="Standard, SMS later",
        steps=ladder(sms_dpd=3, email_after=1, call_after=3),
        user=admin_user,
    )


def _case(dpd, *, phone=True, email=True, stage=None, stage_at=None, **kw):
    case = CaseFactory(
        max_days_past_due=dpd, opened_at=day(0), stage=stage, stage_at=stage_at, **kw
    )
    if phone:
        ContactPointFactory(customer=case.customer)
    if email:
        ContactPointFactory(
            customer=case.customer,
            channel="email",
            value=f"{case.reference.lower()}@example.cn",
        )
    return case


@pytest.fixture
def portfolio(live):
    steps = {s.order: s for s in live.steps.all()}
    cases = {
        "dpd1": _case(1),
        "dpd3": _case(3),
        "dpd4": _case(4),
        "after_sms": _case(5, stage=steps[1], stage_at=day(2)),
        "after_sms_recent": _case(5, stage=steps[1], stage_at=day(4)),
        "after_email": _case(9, stage=steps[2], stage_at=day(0)),
        "ceased": _case(4),
        "promised": _case(6),
        "no_phone": _case(3, phone=False),
        "not_yet": _case(3, next_action_at=day(6)),
        "reviewable": _case(61, stage=steps[3], stage_at=day(1)),
    }
    ContactRestriction.objects.create(
        customer=cases["ceased"].customer,
        kind="cease_communication",
        starts_at=day(0),
        reason="written request",
    )
    PromiseToPayFactory(
        case=cases["promised"], due_date=day(10).date(), amount=Decimal("100")
    )
    return cases


def open_cases():
    return Case.objects.open()
