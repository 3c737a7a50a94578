"""Fifty collectors pressing "Next case" at once (PostgreSQL: SKIP LOCKED)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from calls.models import CallTask
from calls.services import call_task_claim_next
from cases.models import Case
from tests.calls.conftest import WORKING_HOURS, make_case
from tests.cases.factories import TeamFactory, UserFactory, WorkQueueFactory

COLLECTORS = 50


def race(users):
    barrier = threading.Barrier(len(users))
    claimed, errors, timings = [], [], []

    def claim(user):
        try:
            barrier.wait(timeout=30)
            started = time.perf_counter()
            task = call_task_claim_next(user=user)
            timings.append(time.perf_counter() - started)
            claimed.append((user.pk, task.pk if task else None))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return claimed, errors, timings


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("tasks", [80, 30], ids=["more-tasks", "fewer-tasks"])
def test_fifty_collectors_claiming_at_once_never_get_the_same_task(time_machine, tasks):
    time_machine.move_to(WORKING_HOURS, tick=True)
    team = TeamFactory(name="Race")
    queue = WorkQueueFactory(code="race", team=team)
    users = [
        UserFactory(username=f"racer{n}", roles=["collector"])
        for n in range(COLLECTORS)
    ]
    team.members.add(*users)
    for n in range(tasks):
        case = make_case(queue, priority=n % 7)
        CallTask.objects.create(
            case=case, queue=queue, due_at=timezone.now(), priority=case.priority
        )

    claimed, errors, timings = race(users)

    assert errors == []
    assert len(claimed) == COLLECTORS
    task_ids = [task for _, task in claimed if task is not None]
    assert len(task_ids) == len(set(task_ids)), "a task was claimed twice"
    # Every collector got one while tasks lasted (skipped rows are not lost).
    assert len(task_ids) == min(COLLECTORS, tasks)
    holders = CallTask.objects.filter(claimed_by__isnull=False)
    assert holders.count() == len(task_ids)
    assert holders.values("claimed_by").distinct().count() == len(task_ids)
    timings.sort()
    print(f"claim p95 {timings[int(len(timings) * 0.95) - 1] * 1000:.1f} ms")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_collectors_claiming_cases_without_tasks_never_get_the_same_case(
    time_machine,
):
    """The case path: no task yet, so each claim locks a case (SKIP LOCKED) and
    gives it an ad-hoc task; cases whose next action time has not come are never
    handed out, however many collectors press at once."""
    time_machine.move_to(WORKING_HOURS, tick=True)
    team = TeamFactory(name="Race")
    queue = WorkQueueFactory(code="race", team=team)
    users = [
        UserFactory(username=f"racer{n}", roles=["collector"])
        for n in range(COLLECTORS)
    ]
    team.members.add(*users)
    later = timezone.now() + dt.timedelta(hours=2)
    waiting = set()
    for n in range(40):
        case = make_case(queue, priority=n % 9)
        if n % 4 == 0:  # ten of them wait for their next action time
            Case.objects.filter(pk=case.pk).update(next_call_at=later)
            waiting.add(case.pk)

    claimed, errors, _ = race(users)

    assert errors == []
    task_ids = [task for _, task in claimed if task is not None]
    cases = list(
        CallTask.objects.filter(pk__in=task_ids).values_list("case_id", flat=True)
    )
    assert len(cases) == len(set(cases)), "a case was claimed twice"
    assert len(task_ids) == 30  # every callable case, once
    assert not waiting & set(cases)


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_task_claim_is_one_statement(collector, queue, working_hours):
    """Issue 19 item 2: pick, lock and claim in one round trip, ordered in SQL by
    the claimable index, with the next action time checked in the same statement."""
    from django.test.utils import CaptureQueriesContext

    case = make_case(queue)
    task = CallTask.objects.create(
        case=case, queue=queue, due_at=timezone.now(), priority=case.priority
    )

    with CaptureQueriesContext(connection) as queries:
        claimed = call_task_claim_next(user=collector)

    assert claimed.pk == task.pk
    [statement] = [q["sql"] for q in queries if "SKIP LOCKED" in q["sql"]]
    assert statement.startswith('UPDATE "calls_calltask"') or statement.startswith(
        "UPDATE calls_calltask"
    )
    assert "RETURNING" in statement
    assert '"cases_case"."next_call_at"' in statement
