""" "Next case" hands out only cases the collector may see (issue 15, finding 6).

Claiming applies the same visibility as every other read of a case
(cases.selectors.case_visibility_filter), inside the claiming statement itself, and a
reassignment moves the case's open call tasks with it. Run on SQLite (the portable
path) and, with DATABASE_URL, on PostgreSQL (FOR UPDATE SKIP LOCKED).
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.models import CallTask
from supervision.services import cases_reassign
from tests.api import client_for
from tests.calls.conftest import make_case

pytestmark = pytest.mark.django_db


def open_task(case, *, queue=None, priority=None):
    return CallTask.objects.create(
        case=case,
        queue=queue or case.queue,
        due_at=timezone.now() - dt.timedelta(minutes=5),
        priority=case.priority if priority is None else priority,
    )


def reassign(admin_user, case, queue):
    cases_reassign(
        user=admin_user, cases=[case], reason="portfolio split", queue=queue.code
    )


def test_after_a_reassignment_the_old_teams_collector_is_not_handed_the_case(
    collector, admin_user, queue, other_queue, working_hours
):
    case = make_case(queue, reference="CASE-MOVED", name="李秘密")
    open_task(case)
    reassign(admin_user, case, other_queue)

    api = client_for(collector)
    assert api.get(f"/api/v1/cases/{case.reference}/").status_code == 404
    response = api.post("/api/v1/cases/next/")

    assert response.status_code == 204
    assert "李秘密" not in response.content.decode()
    assert CallTask.objects.get(case=case).claimed_by is None


def test_after_a_reassignment_the_new_teams_collector_gets_the_case(
    outsider, admin_user, queue, other_queue, working_hours
):
    case = make_case(queue, reference="CASE-MOVED")
    task = open_task(case)
    reassign(admin_user, case, other_queue)

    task.refresh_from_db()
    assert task.queue == other_queue
    response = client_for(outsider).post("/api/v1/cases/next/")

    assert response.status_code == 200
    assert response.json()["reference"] == case.reference
    task.refresh_from_db()
    assert (task.claimed_by, task.status) == (outsider, CallTask.Status.CLAIMED)


def test_a_reassignment_releases_a_claim_the_old_collector_held(
    collector, outsider, admin_user, queue, other_queue, working_hours
):
    case = make_case(queue, reference="CASE-MOVED")
    task = open_task(case)
    assert services.call_task_claim_next(user=collector).pk == task.pk
    reassign(admin_user, case, other_queue)

    task.refresh_from_db()
    assert (task.queue, task.claimed_by, task.status) == (
        other_queue,
        None,
        CallTask.Status.OPEN,
    )
    assert services.call_task_claim_next(user=collector) is None
    assert services.call_task_claim_next(user=outsider).pk == task.pk


def test_a_task_left_in_ones_queue_for_another_teams_case_is_never_claimed(
    collector, queue, other_queue, working_hours
):
    # However a task came to sit in the collector's queue (an old reassignment, an
    # import), the case's own visibility decides: the case is the other team's.
    theirs = make_case(other_queue, reference="CASE-THEIRS", priority=90)
    stray = open_task(theirs, queue=queue)
    mine = make_case(queue, reference="CASE-MINE", priority=10)
    own = open_task(mine)

    claimed = services.call_task_claim_next(user=collector)

    assert claimed.pk == own.pk
    stray.refresh_from_db()
    assert stray.claimed_by is None


def test_a_claim_held_on_a_case_one_can_no_longer_see_is_not_handed_back(
    collector, queue, other_queue, working_hours
):
    case = make_case(queue, reference="CASE-MOVED")
    task = open_task(case)
    assert services.call_task_claim_next(user=collector).pk == task.pk
    # The case moves without the reassignment service (e.g. an import re-queues it).
    type(case).objects.filter(pk=case.pk).update(queue=other_queue)

    assert services.call_task_claim_next(user=collector) is None


def test_the_next_case_button_does_not_open_another_teams_case(
    client, collector, admin_user, queue, other_queue, working_hours
):
    case = make_case(queue, reference="CASE-MOVED")
    open_task(case)
    reassign(admin_user, case, other_queue)
    client.force_login(collector)

    response = client.post(reverse("work-next"))

    assert response.status_code == 302
    assert response["Location"] == reverse("work-queue")


@pytest.mark.postgres
def test_on_postgresql_the_locking_claim_itself_applies_the_visibility(
    collector, queue, other_queue, working_hours
):
    theirs = make_case(other_queue, reference="CASE-THEIRS", priority=90)
    open_task(theirs, queue=queue)
    own = open_task(make_case(queue, reference="CASE-MINE", priority=10))

    with CaptureQueriesContext(connection) as queries:
        claimed = services.call_task_claim_next(user=collector)

    assert claimed.pk == own.pk
    [locking] = [q["sql"] for q in queries if "SKIP LOCKED" in q["sql"]]
    # One statement picks, checks the case's visibility and locks: no row is
    # locked (or handed out) before its case is known to be visible.
    assert '"cases_case"."queue_id" IN' in locking
    assert '"cases_case"."assigned_to_id" IN' in locking
