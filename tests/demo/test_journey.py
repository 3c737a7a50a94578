"""The journey simulation: a small run of the real system holds every invariant, and
each check does fail when the rows break it (so a clean run means something)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from calls.models import CallTask
from cases.models import Case, PromiseToPay
from demo.journey import JourneyConfig, invariants, journey_run, recorder
from escalation.models import WorkItem
from messaging.models import OutboundMessage

pytestmark = pytest.mark.django_db


def run(days=20, customers=30, **kw):
    return journey_run(JourneyConfig(days=days, customers=customers, seed=1, **kw))


@pytest.mark.slow
def test_a_small_journey_holds_every_invariant():
    result = run()
    assert [str(v) for v in result.violations] == []
    assert len(result.days) == 20
    summary = result.summary()
    # The run did something: messages left, collectors called, promises were
    # made and settled, money came in, cases closed.
    assert summary["contacts"]["sent_sms"] > 0
    assert summary["contacts"]["handed_out"] > 0
    assert summary["promises_made"] > 0
    assert summary["promises_kept"] + summary["promises_broken"] > 0
    assert Decimal(summary["collected"]) > 0
    assert summary["cases_closed"] > 0


def test_the_same_seed_gives_the_same_journey():
    with transaction.atomic():
        first = run(days=4, customers=15)
        transaction.set_rollback(True)
    second = run(days=4, customers=15)
    assert [d.contacts for d in first.days] == [d.contacts for d in second.days]
    assert first.summary()["collected"] == second.summary()["collected"]


def _corrupt_and_stop(kind):
    """A before_checks hook that breaks the rows on day 3 in the way `kind` says."""

    def hook(journey, day):
        if day != 2:
            return
        if kind == "send_without_decision":
            message = OutboundMessage.objects.filter(status="sent").last()
            OutboundMessage.objects.filter(pk=message.pk).update(
                contact_attempt=None, sent_at=journey.now
            )
        elif kind == "sent_twice":
            recorder.DELIVERED.append(recorder.DELIVERED[-1])
        elif kind == "work_item_orphan":
            case = Case.objects.open().first()
            WorkItem.objects.create(
                kind="supervisor_review",
                case=case,
                team=None,
                reason="orphan",
                due_at=journey.now,
            )
            get_user_model().objects.filter(groups__name="admin").update(
                is_active=False
            )
        elif kind == "deferral_undecided":
            OutboundMessage.objects.filter(status="sent").update(
                status="pending", send_after=journey.now - dt.timedelta(hours=5)
            )
        elif kind == "ladder_stall":
            # Back on no rung with no next time: the first rung is due and the
            # sweep has not run since.
            Case.objects.open().filter(max_days_past_due__gte=1).update(
                stage=None, next_action_at=None, stage_at=None
            )

    return hook


@pytest.mark.parametrize(
    ("kind", "reported"),
    [
        ("send_without_decision", "send_without_decision"),
        ("sent_twice", "sent_twice"),
        ("work_item_orphan", "work_item_orphan"),
        ("deferral_undecided", "deferral_undecided"),
        ("ladder_stall", "deferral_undecided"),
    ],
)
def test_each_day_check_reports_what_breaks_it(kind, reported):
    result = run(days=5, customers=15, before_checks=_corrupt_and_stop(kind))
    assert len(result.days) == 3, "the run stops after the day with a violation"
    assert {v.invariant for v in result.violations} == {reported}
    assert result.days[-1].violations


def test_the_handout_checks_catch_an_early_case_and_an_arrangement():
    run(days=2, customers=15)
    case = Case.objects.open().exclude(promises__status="pending").first()
    Case.objects.filter(pk=case.pk).update(next_call_at=None)
    now = dt.datetime(2026, 1, 6, 10, tzinfo=dt.UTC)
    task = CallTask.objects.create(case=case, reason="test", due_at=now)
    assert invariants.handout_violations(task, now=now) == []
    Case.objects.filter(pk=case.pk).update(next_call_at=now + dt.timedelta(hours=1))
    PromiseToPay.objects.create(
        case=case,
        amount=Decimal("10"),
        currency="CNY",
        due_date=now.date() + dt.timedelta(days=3),
        made_at=now - dt.timedelta(hours=1),
    )
    found = {v.invariant for v in invariants.handout_violations(task, now=now)}
    assert found == {"handout_early", "call_in_arrangement"}


def test_the_idle_check_catches_a_collector_left_with_callable_cases_waiting():
    """The 365-day run at 5,000 customers gave collectors nothing for weeks while
    callable cases waited behind held ones, and no check said so."""
    run(days=2, customers=15)
    collector = get_user_model().objects.get(username="collector")
    now = dt.datetime(2026, 1, 7, 2, tzinfo=dt.UTC)  # 10:00 in Shanghai, a Wednesday
    mine = Case.objects.open().filter(queue__team__members=collector)
    mine.update(next_call_at=None)
    found = invariants.idle_violations(collector, now=now)
    assert [v.invariant for v in found] == ["collector_idle"]
    assert "could be called" in found[0].detail
    # Nothing due: an idle collector is right.
    mine.update(next_call_at=now + dt.timedelta(hours=2))
    assert invariants.idle_violations(collector, now=now) == []
