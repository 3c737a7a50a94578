"""Call records: scoping to the supervisor's teams, filters, automatic flags, the
recording, and reviews that open follow-ups."""

import csv
import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from calls import services as call_services
from calls.models import CallReview
from core.errors import ApplicationError
from supervision import selectors, services
from supervision.models import FollowUp
from tests.api import client_for
from tests.calls.conftest import make_case

from .conftest import make_call

pytestmark = pytest.mark.django_db

ALL_MET = dict.fromkeys(services.CRITERIA, True)


def test_a_supervisor_sees_their_teams_calls_and_not_other_teams(
    client, supervisor, collector, outsider, team_case, other_case
):
    mine = make_call(team_case, collector)
    theirs = make_call(other_case, outsider)
    client.force_login(supervisor)
    response = client.get(reverse("supervision:calls"))
    assert response.status_code == 200
    assert mine.reference in response.text
    assert theirs.reference not in response.text
    url = reverse("supervision:call-detail", args=[theirs.reference])
    assert client.get(url).status_code == 404
    url = reverse("supervision:call-recording", args=[theirs.reference])
    assert client.get(url).status_code == 404
    api = client_for(supervisor)
    assert api.get(f"/api/v1/call-records/{theirs.reference}/").status_code == 404
    refs = [c["reference"] for c in api.get("/api/v1/call-records/").json()["results"]]
    assert refs == [mine.reference]


def test_collectors_may_not_open_the_supervisor_pages(client, collector):
    client.force_login(collector)
    assert client.get(reverse("supervision:calls")).status_code == 403
    assert client_for(collector).get("/api/v1/call-records/").status_code == 403


def test_notes_failing_the_content_check_flag_the_call(
    supervisor, collector, team_case, working_hours
):
    phone = team_case.customer.contact_points.get()
    call = call_services.call_record(
        user=collector,
        case=team_case,
        contact_point=phone,
        outcome="refused",
        identity_confirmed=True,
        disclosure_made=True,
        started_at=timezone.now() - dt.timedelta(minutes=5),
        ended_at=timezone.now() - dt.timedelta(minutes=1),
        notes="Told him we will send the police to arrest him",
    )
    clean = make_call(team_case, collector)
    flagged = selectors.call_list_for_supervisor(
        user=supervisor, filters=selectors.CallFilters(flagged=True)
    )
    assert [c.reference for c in flagged] == [call.reference]
    assert selectors.call_flags(flagged[0]) == ["content_lint"]
    assert clean.reference not in {c.reference for c in flagged}


def test_a_disclosure_reported_before_identity_confirmation_is_flagged(
    supervisor, collector, team_case
):
    at = timezone.now() - dt.timedelta(hours=2)
    early = make_call(
        team_case,
        collector,
        at=at,
        disclosed_at=at + dt.timedelta(seconds=10),
        identity_confirmed_at=at + dt.timedelta(seconds=40),
    )
    in_order = make_call(
        team_case,
        collector,
        at=at,
        identity_confirmed_at=at + dt.timedelta(seconds=10),
        disclosed_at=at + dt.timedelta(seconds=40),
    )
    flagged = selectors.call_list_for_supervisor(
        user=supervisor, filters=selectors.CallFilters(flagged=True)
    )
    assert [c.reference for c in flagged] == [early.reference]
    assert selectors.call_flags(flagged[0]) == ["disclosure_before_identity"]
    record = client_for(supervisor).get(f"/api/v1/call-records/{in_order.reference}/")
    assert record.json()["flags"] == []


def test_the_list_filters_by_collector_outcome_duration_and_review_state(
    client, supervisor, collector, teammate, team_case
):
    long_call = make_call(team_case, collector, duration_seconds=600)
    short = make_call(team_case, teammate, duration_seconds=30, outcome="callback")
    missed = make_call(team_case, collector, talked=False)
    CallReview.objects.create(call=long_call, reviewer=supervisor, score=90)

    def refs(**filters):
        calls = selectors.call_list_for_supervisor(
            user=supervisor, filters=selectors.CallFilters(**filters)
        )
        return {c.reference for c in calls}

    assert refs(collector="teammate") == {short.reference}
    assert refs(outcome="callback") == {short.reference}
    assert refs(min_duration=300) == {long_call.reference}
    assert refs(right_party=False) == {missed.reference}
    assert refs(unreviewed=True) == {short.reference, missed.reference}
    response = client_for(supervisor).get("/api/v1/call-records/", {"reviewed": "true"})
    assert [c["reference"] for c in response.json()["results"]] == [long_call.reference]
    client.force_login(supervisor)
    page = client.get(reverse("supervision:calls"), {"collector": "teammate"})
    assert short.reference in page.text and long_call.reference not in page.text


def test_the_recording_plays_for_the_supervisor_only(
    client, supervisor, other_supervisor, collector, team_case, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    call = make_call(team_case, collector)
    call.recording.save("demo.wav", ContentFile(b"RIFF....WAVEfmt "), save=True)
    client.force_login(supervisor)
    page = client.get(reverse("supervision:call-detail", args=[call.reference]))
    assert b"<audio" in page.content
    response = client.get(reverse("supervision:call-recording", args=[call.reference]))
    assert response.status_code == 200
    assert (
        response["Content-Type"] == "audio/x-wav" or "wav" in response["Content-Type"]
    )
    assert b"".join(response.streaming_content).startswith(b"RIFF")
    client.force_login(other_supervisor)
    response = client.get(reverse("supervision:call-recording", args=[call.reference]))
    assert response.status_code == 404


def test_a_clean_review_scores_the_share_of_criteria_met(
    supervisor, collector, team_case
):
    call = make_call(team_case, collector)
    criteria = {**ALL_MET, "options_offered": False}
    review = services.call_review_record(
        reviewer=supervisor, call=call, criteria=criteria
    )
    assert review.score == 83
    assert not review.violation
    assert not FollowUp.objects.exists()
    assert review.history.first().history_user == supervisor


def test_a_violation_opens_a_follow_up_for_the_collector(
    client, supervisor, collector, team_case
):
    call = make_call(team_case, collector)
    client.force_login(supervisor)
    url = reverse("supervision:call-review", args=[call.reference])
    form = {name: "on" for name in services.CRITERIA}
    form.update(violation="on", comments="Raised her voice at the customer.")
    response = client.post(url, form)
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.collector == collector
    assert follow_up.call == call
    assert follow_up.review.violation is True
    assert "Raised her voice" in follow_up.reason
    assert follow_up.history.first().history_user == supervisor
    # The collector sees and acknowledges it; only a supervisor closes it.
    with pytest.raises(ApplicationError):
        services.follow_up_set_status(
            user=collector, follow_up=follow_up, status="closed"
        )
    api = client_for(collector)
    listed = api.get("/api/v1/follow-ups/").json()["results"]
    assert [f["reference"] for f in listed] == [follow_up.reference]
    response = api.post(
        f"/api/v1/follow-ups/{follow_up.reference}/status/",
        {"status": "acknowledged"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"


def test_failing_identity_before_disclosure_is_a_violation_even_unticked(
    supervisor, collector, team_case
):
    call = make_call(team_case, collector)
    criteria = {**ALL_MET, "identity_before_disclosure": False}
    with pytest.raises(ApplicationError) as exc:
        services.call_review_record(reviewer=supervisor, call=call, criteria=criteria)
    assert "comments" in exc.value.errors
    review = services.call_review_record(
        reviewer=supervisor,
        call=call,
        criteria=criteria,
        comments="Read out the balance before the date of birth check.",
    )
    assert review.violation
    assert FollowUp.objects.filter(review=review, collector=collector).exists()


def test_an_unanswered_call_is_no_violation_for_unticked_breach_criteria(
    supervisor, collector, team_case
):
    call = make_call(team_case, collector, talked=False)
    review = services.call_review_record(reviewer=supervisor, call=call, criteria={})
    assert review.score == 0 and not review.violation


def test_review_api_rejects_a_bad_score_naming_the_field(
    supervisor, collector, team_case
):
    call = make_call(team_case, collector)
    api = client_for(supervisor)
    response = api.post(
        "/api/v1/call-reviews/", {"call": call.reference, "score": 120}, format="json"
    )
    assert response.status_code == 400
    assert "score" in response.json()["errors"]
    response = api.post(
        "/api/v1/call-reviews/",
        {"call": call.reference, **ALL_MET, "comments": "Good call."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["score"] == 100


def test_review_of_another_teams_call_is_404(other_supervisor, collector, team_case):
    call = make_call(team_case, collector)
    response = client_for(other_supervisor).post(
        "/api/v1/call-reviews/", {"call": call.reference, **ALL_MET}, format="json"
    )
    assert response.status_code == 404


def test_the_weekly_qa_sample_draws_unreviewed_calls_per_collector(
    supervisor, collector, teammate, team_case
):
    now = timezone.now()
    mine = [
        make_call(team_case, collector, at=now - dt.timedelta(minutes=n))
        for n in range(6)
    ]
    theirs = [
        make_call(team_case, teammate, at=now - dt.timedelta(minutes=n))
        for n in range(2)
    ]
    CallReview.objects.create(call=mine[0], reviewer=supervisor, score=80)
    sample = selectors.qa_sample(user=supervisor, size=3)
    by_collector = {}
    for call in sample:
        by_collector.setdefault(call.collector.username, []).append(call.reference)
    assert len(by_collector["collector"]) == 3
    assert sorted(by_collector["teammate"]) == sorted(c.reference for c in theirs)
    assert mine[0].reference not in by_collector["collector"]
    # Stable within the week.
    assert [c.reference for c in selectors.qa_sample(user=supervisor, size=3)] == [
        c.reference for c in sample
    ]


def test_csv_export_of_calls_lists_the_filtered_rows(
    client, supervisor, collector, team_case, other_queue
):
    call = make_call(team_case, collector, notes_flagged=True)
    make_call(make_case(other_queue), collector)  # by a team collector: visible too
    client.force_login(supervisor)
    response = client.get(
        reverse("supervision:calls"), {"format": "csv", "flagged": "on"}
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("reference,case,collector")
    assert len(lines) == 2
    assert lines[1].startswith(f"{call.reference},CASE-TEAM,collector,")
    row = next(csv.DictReader(lines))
    assert row["flags"] == "content_lint"
    assert row["flags_label"] == "Content check"
    assert row["outcome_label"] == call.get_outcome_display()


def test_the_calls_export_names_codes_in_the_readers_language(
    client, supervisor, collector, team_case
):
    """Issue 18, defect 10: the export's codes were raw in the Chinese UI too."""
    make_call(team_case, collector, notes_flagged=True)
    client.force_login(supervisor)
    response = client.get(
        reverse("supervision:calls"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    row = next(csv.DictReader(response.content.decode("utf-8-sig").splitlines()))
    assert row["outcome"].isascii()  # the stable code stays for integrations
    assert re.search(r"[\u4e00-\u9fff]", row["outcome_label"])
    assert re.search(r"[\u4e00-\u9fff]", row["flags_label"])


def test_the_calls_export_gives_times_in_the_sites_zone_with_its_offset(
    client, supervisor, collector, team_case
):
    """Issue 18, defect 10: CSV times were UTC while the pages show Shanghai time."""
    call = make_call(team_case, collector)
    client.force_login(supervisor)
    response = client.get(reverse("supervision:calls"), {"format": "csv"})
    row = response.content.decode("utf-8-sig").strip().splitlines()[1]
    local = timezone.localtime(call.started_at)
    assert local.isoformat() in row
    assert local.isoformat().endswith("+08:00")
