"""Skip, release and take over on the case page; the holder shown; waiting rows and
the callback diary on the queue page (decisions 42 and 43). Through the HTTP client."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from calls import services
from calls.models import CallLog
from cases.models import Case
from cases.services import promise_record
from tests.calls.conftest import WORKING_HOURS, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def claimed(user, queue, reference="CASE-HELD"):
    case = make_case(queue, reference=reference, priority=50)
    task = services.call_task_claim_next(user=user)
    assert task.case_id == case.pk
    return case


def test_the_case_page_offers_skip_and_release_to_the_holder(
    web, collector, queue, working_hours
):
    case = claimed(collector, queue)
    page = web.get(f"/cases/{case.reference}/").text
    assert 'id="claim-actions"' in page
    assert f"/cases/{case.reference}/skip/" in page
    assert f"/cases/{case.reference}/release/" in page


def test_skipping_without_a_reason_is_a_400_naming_the_field(
    web, collector, queue, working_hours
):
    case = claimed(collector, queue)
    response = web.post(f"/cases/{case.reference}/skip/", {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert services.case_claim(case=case).claimed_by == collector


def test_skipping_goes_back_to_the_queue_and_shows_on_the_timeline(
    web, collector, queue, working_hours
):
    case = claimed(collector, queue)
    response = web.post(
        f"/cases/{case.reference}/skip/", {"reason": "customer at work until 18:00"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/work/"
    assert services.case_claim(case=case) is None
    page = web.get(f"/cases/{case.reference}/").text
    assert "Skipped by collector" in page
    assert "customer at work until 18:00" in page
    assert 'id="next-call"' in page


def test_releasing_gives_the_case_back(web, collector, queue, working_hours):
    case = claimed(collector, queue)
    response = web.post(f"/cases/{case.reference}/release/")
    assert response.status_code == 302
    assert services.case_claim(case=case) is None


def test_another_collector_sees_the_holder_and_cannot_start_a_call(
    collector, teammate, queue, working_hours
):
    case = claimed(collector, queue)
    web = signed_in(teammate)
    page = web.get(f"/cases/{case.reference}/").text
    assert 'id="claim-holder"' in page
    assert "collector is working on this case until" in page
    assert "call-button" not in page  # no "Start call" while another holds it
    assert 'id="take-over"' not in page  # collectors cannot take over

    phone = case.customer.contact_points.get()
    response = web.post(
        f"/cases/{case.reference}/call/start/", {"contact_point": phone.pk}, follow=True
    )
    assert "only they may call it now" in response.text
    assert not case.customer.contact_attempts.filter(actor=teammate).exists()


def test_a_collector_may_not_post_a_take_over(
    collector, teammate, queue, working_hours
):
    case = claimed(collector, queue)
    response = signed_in(teammate).post(
        f"/cases/{case.reference}/take-over/", {"reason": "mine now"}
    )
    assert response.status_code == 403
    assert services.case_claim(case=case).claimed_by == collector


def test_a_supervisor_takes_over_with_a_reason(
    collector, supervisor, queue, working_hours
):
    case = claimed(collector, queue)
    web = signed_in(supervisor)
    assert 'id="take-over"' in web.get(f"/cases/{case.reference}/").text
    assert (
        web.post(f"/cases/{case.reference}/take-over/", {"reason": ""}).status_code
        == 400
    )

    response = web.post(
        f"/cases/{case.reference}/take-over/", {"reason": "complaint escalated"}
    )

    assert response.status_code == 302
    assert services.case_claim(case=case).claimed_by == supervisor
    page = signed_in(collector).get(f"/cases/{case.reference}/").text
    assert "supervisor is working on this case" in page


def test_the_queue_shows_a_held_case_as_waiting_not_callable(web, queue, working_hours):
    case = make_case(queue, reference="CASE-PROMISED")
    promise_record(
        case=case,
        amount=Decimal("100"),
        due_date=WORKING_HOURS.date() + dt.timedelta(days=2),
    )
    page = web.get("/work/").text
    row = page[page.index("CASE-PROMISED") :]
    row = row[: row.index("</tr>")]
    assert "Waiting until" in row
    assert "Promise to pay pending" in row
    assert "May call now" not in row


def test_the_queue_page_has_the_callback_diary(web, collector, queue, working_hours):
    case = make_case(queue, reference="CASE-CALLBACK")
    at = WORKING_HOURS + dt.timedelta(hours=4)
    phone = case.customer.contact_points.get()
    _, attempt = services.call_start(user=collector, case=case, contact_point=phone)
    services.call_log(
        user=collector,
        case=case,
        attempt=attempt,
        outcome=CallLog.Outcome.CALLBACK,
        identity_confirmed=True,
        disclosure_made=False,
        started_at=timezone.now() - dt.timedelta(minutes=1),
        ended_at=timezone.now(),
        callback_at=at,
    )
    page = web.get("/work/").text
    diary = page[page.index('id="callback-diary"') :]
    diary = diary[: diary.index("</section>")]
    assert "CASE-CALLBACK" in diary
    assert "14:00" in diary  # 10:00 + 4 h, Shanghai time
    assert Case.objects.get(pk=case.pk).next_call_at == at


def test_the_queue_page_in_chinese_says_why_a_case_waits(web, queue, working_hours):
    case = make_case(queue, reference="CASE-ZH")
    promise_record(
        case=case,
        amount=Decimal("100"),
        due_date=WORKING_HOURS.date() + dt.timedelta(days=2),
    )
    page = web.get("/work/", headers={"Accept-Language": "zh-hans"}).text
    assert "等待至" in page
    assert "今天的回电" in page
