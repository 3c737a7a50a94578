"""The collector's pages: queue, next case, case page, guided call, promise, plan,
restriction. Through the HTTP client, as a collector would use them."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import CallLog, CallTask, PiiReveal
from cases.models import PromiseToPay, RepaymentPlan
from compliance.models import ContactAttempt, ContactRestriction
from tests.calls.conftest import NIGHT, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def case_url(case, suffix=""):
    return f"/cases/{case.reference}/{suffix}"


def start_call(web, case, phone):
    return web.post(case_url(case, "call/start/"), {"contact_point": phone.pk})


# --- queue -------------------------------------------------------------------------


def test_the_queue_lists_my_cases_with_reasons_and_not_other_teams(
    web, case, other_queue
):
    make_case(other_queue, reference="CASE-THEIRS", name="李华")

    page = web.get("/work/").text

    assert "CASE-MINE" in page
    assert "CASE-THEIRS" not in page
    assert "40 days past due" in page
    assert "Never reached" in page
    assert "May call now" in page


def test_the_queue_shows_when_a_blocked_case_may_be_called(web, queue, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    make_case(queue, reference="CASE-NIGHT")

    page = web.get("/work/").text

    assert "Blocked until 12-01 08:00" in page


def test_the_queue_puts_callable_cases_first(web, queue, working_hours):
    blocked = make_case(queue, reference="CASE-BLOCKED", priority=99)
    ContactRestriction.objects.create(
        customer=blocked.customer,
        kind=ContactRestriction.Kind.DISPUTE,
        starts_at=timezone.now() - dt.timedelta(days=1),
        reason="Disputed",
    )
    make_case(queue, reference="CASE-FREE", priority=1)

    page = web.get("/work/").text

    assert page.index("CASE-FREE") < page.index("CASE-BLOCKED")


def test_the_queue_searches_by_name_account_and_masked_phone(web, queue, working_hours):
    wang = make_case(
        queue, reference="CASE-WANG", name="王小明", phone="+8613811112222"
    )
    make_case(queue, reference="CASE-LI", name="李雷", phone="+8613933334444")
    account = wang.customer.loans.get().reference

    for q in ("王小明", account, "+86138****2222", "2222"):
        # Posted: the term never goes into a URL (tests/calls/test_queue_search.py).
        page = web.get(web.post("/work/", {"q": q})["Location"]).text
        assert "CASE-WANG" in page, q
        assert "CASE-LI" not in page, q


def test_the_queue_filters_by_bucket(web, case):
    assert "CASE-MINE" in web.get("/work/", {"bucket": "31-60"}).text
    assert "CASE-MINE" not in web.get("/work/", {"bucket": "1-30"}).text


def test_the_queue_runs_a_bounded_number_of_queries(
    web, queue, working_hours, django_assert_max_num_queries
):
    for _ in range(30):
        make_case(queue)
    web.get("/work/")
    # 12, plus the callable-now candidates of the queues and of the assigned
    # cases (decision 42) and the callback diary.
    with django_assert_max_num_queries(15):
        response = web.get("/work/")
    assert response.text.count("/cases/CASE") >= 25


def test_an_htmx_filter_returns_only_the_table(web, case):
    response = web.post("/work/", {"q": "王"}, headers={"HX-Request": "true"})
    assert 'id="queue-table"' in response.text
    assert "<html" not in response.text


# --- next case ---------------------------------------------------------------------


def test_next_case_claims_and_opens_the_case_page(web, case, collector):
    response = web.post("/work/next/")

    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert CallTask.objects.get(case=case).claimed_by == collector


def test_next_case_with_nothing_callable_says_so(web, queue, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    make_case(queue)
    response = web.post("/work/next/", follow=True)
    assert "Nothing in your queues may be called now." in response.text


# --- case page ---------------------------------------------------------------------


def test_another_teams_case_page_is_404(web, other_queue, working_hours):
    theirs = make_case(other_queue, reference="CASE-THEIRS")
    assert web.get(case_url(theirs)).status_code == 404
    assert web.post(case_url(theirs, "call/start/"), {}).status_code == 404
    assert web.get(case_url(theirs, "promise/")).status_code == 404


def test_the_case_page_masks_pii_and_shows_the_gate_banner(web, case, phone):
    page = web.get(case_url(case)).text

    assert phone.value not in page
    assert phone.value[:6] + "****" + phone.value[-4:] in page
    assert case.customer.national_id not in page
    assert "May call until 22:00" in page
    assert "0 of 6 unanswered calls on this number today" in page


def test_the_banner_says_when_calling_is_blocked(web, case, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    page = web.get(case_url(case)).text
    assert "Blocked until" in page
    assert "Start call" not in page


def test_revealing_a_number_shows_it_and_audits_who_saw_it(web, case, phone, collector):
    response = web.post(
        case_url(case, "reveal/"),
        {"field": "contact_point", "contact_point": phone.pk, "reason": "confirm"},
        headers={"HX-Request": "true"},
    )
    assert phone.value in response.text
    assert PiiReveal.objects.get().user == collector


def test_revealing_without_javascript_renders_the_page_with_the_value(web, case):
    response = web.post(
        case_url(case, "reveal/"), {"field": "national_id", "reason": "identity"}
    )
    assert case.customer.national_id in response.text
    assert PiiReveal.objects.filter(field="national_id").count() == 1


# --- guided call -------------------------------------------------------------------


def test_the_debt_is_hidden_until_identity_is_confirmed(web, case, phone):
    start_call(web, case, phone)

    page = web.get(case_url(case)).text
    assert "Call in progress" in page
    assert "Hidden during the call until identity is confirmed." in page
    assert "Overdue: <strong>" not in page
    assert 'value="promise_to_pay"' not in page  # no conversation outcome yet

    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    page = web.get(case_url(case)).text
    assert "Overdue: <strong>1,000" in page


def test_a_third_party_gets_only_the_permitted_message(web, case, phone):
    start_call(web, case, phone)
    web.post(case_url(case, "call/step/"), {"action": "third_party"})

    page = web.get(case_url(case)).text
    assert "Could you please ask them to call us back" in page
    assert "Overdue: <strong>" not in page
    assert '<option value="third_party"' in page
    assert 'value="promise_to_pay"' not in page


def test_a_blocked_contact_point_cannot_be_called(web, case, phone):
    ContactRestriction.objects.create(
        customer=case.customer,
        kind=ContactRestriction.Kind.CEASE_COMMUNICATION,
        starts_at=timezone.now() - dt.timedelta(days=1),
        reason="Stop",
    )
    response = start_call(web, case, phone)
    page = web.get(response["Location"]).text

    assert "asked us to stop contacting them" in page
    assert "Call in progress" not in page
    assert ContactAttempt.objects.get().result == ContactAttempt.Result.BLOCKED


def test_a_call_with_a_promise_lands_on_the_timeline_via_htmx(web, case, phone):
    start_call(web, case, phone)
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    web.post(case_url(case, "call/step/"), {"action": "resolve"})
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()

    response = web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "promise_to_pay",
            "attitude": "cooperative",
            "notes": "Will pay on payday.",
            "promise_amount": "600",
            "promise_due_date": due,
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'id="timeline"' in response.text
    assert "Promise to pay 600.00 CNY" in response.text
    assert 'hx-swap-oob="true"' in response.text
    call = CallLog.objects.get()
    assert call.identity_confirmed and call.disclosure_made
    assert PromiseToPay.objects.get().call == call


def test_logging_without_javascript_redirects_to_the_case(web, case, phone):
    start_call(web, case, phone)
    response = web.post(
        case_url(case, "call/log/"), {"outcome": "no_answer", "attitude": "unknown"}
    )
    assert response.status_code == 302
    call = CallLog.objects.get()
    assert not call.identity_confirmed and not call.disclosure_made


def test_an_invalid_promise_in_a_call_is_shown_and_nothing_is_logged(web, case, phone):
    start_call(web, case, phone)
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    response = web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "promise_to_pay",
            "attitude": "cooperative",
            "promise_amount": "600",
            "promise_due_date": past,
        },
    )

    assert response.status_code == 400
    assert "is in the past" in response.text
    assert not CallLog.objects.exists()
    assert ContactAttempt.objects.get().result == ContactAttempt.Result.PENDING


# --- promise, plan, restriction ----------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "days", "message"),
    [
        ("500", -1, "is in the past"),
        ("99999", 3, "above the balance"),
        ("0", 3, "greater than zero"),
    ],
)
def test_promise_validation_errors_are_shown(web, case, amount, days, message):
    due = (timezone.localdate() + dt.timedelta(days=days)).isoformat()
    response = web.post(case_url(case, "promise/"), {"amount": amount, "due_date": due})
    assert response.status_code == 400
    assert message in response.text
    assert not PromiseToPay.objects.exists()


def test_a_promise_is_recorded_from_its_form(web, case):
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = web.post(case_url(case, "promise/"), {"amount": "300", "due_date": due})
    assert response.status_code == 302
    assert PromiseToPay.objects.get().amount == 300


def plan_post(**kwargs):
    data = {
        "kind": "instalments",
        "total": "1500",
        "count": "3",
        "first_due_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "every_days": "30",
        "reason": "Reduced income",
    }
    data.update(kwargs)
    return data


def test_the_plan_calculator_previews_the_schedule(web, case):
    response = web.post(case_url(case, "plan/"), plan_post(total="1000", preview="1"))
    assert response.status_code == 200
    assert "333.33" in response.text and "333.34" in response.text
    assert not RepaymentPlan.objects.exists()


def test_a_plan_is_proposed_from_the_calculator(web, case):
    response = web.post(case_url(case, "plan/"), plan_post(propose="1"))
    assert response.status_code == 302
    plan = RepaymentPlan.objects.get()
    assert plan.instalments.count() == 3
    assert plan.status == RepaymentPlan.Status.PROPOSED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_due_date": "2020-01-01"}, "is in the past"),
        ({"total": "99999"}, "above the balance"),
        ({"count": "0"}, "greater than or equal to 1"),
    ],
    ids=["past", "above-balance", "zero-instalments"],
)
def test_plan_validation_errors_are_shown(web, case, changes, message):
    response = web.post(case_url(case, "plan/"), plan_post(propose="1", **changes))
    assert response.status_code == 400
    assert message in response.text
    assert not RepaymentPlan.objects.exists()


def test_a_dispute_recorded_on_the_case_page_blocks_calls(web, case):
    response = web.post(
        case_url(case, "restriction/"),
        {"kind": "dispute", "reason": "Customer says the loan is not theirs"},
    )
    assert response.status_code == 302
    assert ContactRestriction.objects.get().recorded_by.username == "collector"
    assert "the debt is disputed" in web.get(case_url(case)).text


def test_a_wrong_number_recorded_on_the_case_page_marks_it_invalid(web, case, phone):
    response = web.post(
        case_url(case, "restriction/"),
        {"kind": "wrong_number", "contact_point": phone.pk, "reason": "Not them"},
    )
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.invalid_at is not None


def test_an_opt_out_without_channel_or_number_is_refused(web, case):
    response = web.post(
        case_url(case, "restriction/"), {"kind": "channel_opt_out", "reason": "x"}
    )
    assert response.status_code == 400
    assert "channel" in response.text


def test_the_workspace_speaks_chinese(web, case):
    web.cookies["django_language"] = "zh-hans"

    queue = web.get("/work/").text
    assert "下一个案件" in queue
    assert "逾期40天" in queue

    page = web.get(case_url(case)).text
    assert "时间线" in page
    assert "可致电至22:00" in page
    assert "该号码今天未接通0次（上限6次）" in page


def test_a_recording_can_be_attached_to_a_call(web, case, phone, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    start_call(web, case, phone)
    recording = SimpleUploadedFile("call.mp3", b"ID3fake", content_type="audio/mpeg")
    response = web.post(
        case_url(case, "call/log/"),
        {"outcome": "voicemail", "attitude": "unknown", "recording": recording},
    )
    assert response.status_code == 302
    # Recordings live in their own storage, outside the media folder (issue 15).
    call = CallLog.objects.get()
    assert call.recording.path.startswith(str(tmp_path / "recordings"))
    assert call.recording_content_type == "audio/mpeg"


def test_the_queue_filters_by_task_status(web, queue, working_hours):
    with_callback = make_case(queue, reference="CASE-CALLBACK")
    CallTask.objects.create(
        case=with_callback,
        queue=queue,
        due_at=timezone.now() - dt.timedelta(minutes=1),
        reason="Callback requested in call CL1",
    )
    make_case(queue, reference="CASE-QUIET")

    callback = web.get("/work/", {"status": "callback"}).text
    no_task = web.get("/work/", {"status": "no_task"}).text

    assert "CASE-CALLBACK" in callback and "CASE-QUIET" not in callback
    assert "Callback due" in callback
    assert "CASE-QUIET" in no_task and "CASE-CALLBACK" not in no_task


def test_an_agreed_plan_opens_the_plan_calculator_after_the_call(web, case, phone):
    start_call(web, case, phone)
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    data = {"outcome": "plan_agreed", "attitude": "cooperative"}

    response = web.post(
        case_url(case, "call/log/"), data, headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == case_url(case, "plan/")
