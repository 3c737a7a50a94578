"""The supervisor's home and smaller pages: what waits, follow-ups for collectors, the
snapshot command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from supervision import services
from supervision.models import BucketSnapshot
from tests.calls.conftest import make_case

from .conftest import make_call, make_plan

pytestmark = pytest.mark.django_db


def test_the_home_page_counts_what_waits_and_links_the_workspace(
    client, supervisor, collector, team_case, other_case, outsider
):
    make_plan(team_case, collector)
    make_plan(other_case, outsider)  # another team's: not counted
    make_call(team_case, collector, notes_flagged=True)
    client.force_login(supervisor)
    response = client.get(reverse("home-supervisor"))
    assert response.status_code == 200
    work = response.context["work"]
    assert work == {
        "plans": 1,
        "requests": 0,
        "flagged_unreviewed": 1,
        "open_follow_ups": 0,
    }
    for name in ("calls", "approvals", "dashboard", "reassign", "qa-sample"):
        assert reverse(f"supervision:{name}") in response.text


def test_a_collector_sees_only_their_own_follow_ups(
    client, supervisor, collector, teammate, team_case
):
    mine = make_call(team_case, collector)
    theirs = make_call(team_case, teammate)
    for call in (mine, theirs):
        services.call_review_record(
            reviewer=supervisor,
            call=call,
            criteria={},
            violation=True,
            comments="Rude.",
        )
    client.force_login(collector)
    page = client.get(reverse("supervision:follow-ups"))
    assert page.status_code == 200
    assert mine.reference in page.text
    assert theirs.reference not in page.text


def test_the_calls_table_answers_htmx_with_the_table_only(
    client, supervisor, collector, team_case
):
    call = make_call(team_case, collector)
    client.force_login(supervisor)
    response = client.get(reverse("supervision:calls"), headers={"HX-Request": "true"})
    assert call.reference in response.text
    assert "<html" not in response.text


def test_the_snapshot_command_records_open_cases_once_a_day(queue):
    make_case(queue)
    make_case(queue)
    out = StringIO()
    call_command("bucket_snapshot", day="2026-11-01", stdout=out)
    call_command("bucket_snapshot", day="2026-11-01", stdout=out)
    assert BucketSnapshot.objects.filter(day="2026-11-01").count() == 2
    assert "Recorded 2 case buckets." in out.getvalue()
    assert "Recorded 0 case buckets." in out.getvalue()
    call_command("bucket_snapshot", day="2026-11-02", dry_run=True, stdout=out)
    assert not BucketSnapshot.objects.filter(day="2026-11-02").exists()


def test_the_snapshot_task_is_safe_to_run_twice(queue):
    from supervision.tasks import take_bucket_snapshot

    make_case(queue)
    assert take_bucket_snapshot() == 1
    assert take_bucket_snapshot() == 0
