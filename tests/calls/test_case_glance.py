"""Issue 18: a case header a collector reads at a glance (owed, cure amount, bucket,
last contact, arrangement, restrictions, whether a call is allowed), the timeline
filtered by kind, and one button from a logged call to the next case."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from compliance.models import ContactRestriction
from tests.calls.conftest import NIGHT, make_case
from tests.calls.test_views import case_url, start_call
from tests.cases.factories import PaymentFactory, PromiseToPayFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def glance(page) -> str:
    text = page.content.decode()
    match = re.search(r'<dl class="glance" id="glance".*?</dl>', text, re.S)
    assert match, "the case page has no glance header"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def test_the_header_says_what_is_owed_how_late_and_that_a_call_is_allowed(web, case):
    text = glance(web.get(case_url(case)))
    assert "1,000" in text  # overdue, and the oldest instalment that cures it
    assert "Pays the oldest instalment" in text
    assert "40 days past due" in text
    assert "No call yet" in text
    assert "Allowed now" in text
    assert "Restrictions None" in text


def test_the_header_in_chinese(web, case):
    text = glance(web.get(case_url(case), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "逾期" in text and "1,000" in text
    assert "现在可以致电" in text
    assert "Allowed now" not in text and "No call yet" not in text


def test_a_promise_a_restriction_and_the_last_call_are_in_the_header(
    web, case, phone, collector
):
    PromiseToPayFactory(
        case=case, amount="500", due_date=timezone.localdate() + dt.timedelta(days=5)
    )
    start_call(web, case, phone)
    web.post(
        case_url(case, "call/log/"),
        {"outcome": "no_answer", "attitude": "unknown", "notes": ""},
    )
    ContactRestriction.objects.create(
        customer=case.customer,
        kind=ContactRestriction.Kind.DISPUTE,
        starts_at=timezone.now() - dt.timedelta(minutes=1),
        reason="customer disputes the amount",
        recorded_by=collector,
    )
    text = glance(web.get(case_url(case)))
    due = (timezone.localdate() + dt.timedelta(days=5)).strftime("%Y-%m-%d")
    assert f"Promise of 500.00 CNY by {due}" in text
    assert "No answer" in text
    assert "Dispute" in text
    assert "Not allowed" in text or "Not before" in text
    assert "Allowed now" not in text


def test_at_night_the_header_says_from_when_a_call_is_allowed(web, queue, time_machine):
    case = make_case(queue, reference="CASE-NIGHT")
    time_machine.move_to(NIGHT, tick=False)
    text = glance(web.get(case_url(case)))
    assert "Not before 12-01 08:00" in text


def test_the_amounts_stay_hidden_until_identity_is_confirmed(web, case, phone):
    start_call(web, case, phone)
    text = glance(web.get(case_url(case)))
    assert "1,000" not in text
    assert "Hidden during the call" in text
    step = web.post(
        case_url(case, "call/step/"),
        {"action": "identity_confirmed"},
        HTTP_HX_REQUEST="true",
    )
    assert "1,000" in glance(step)  # the header follows the call, out of band


def test_the_timeline_shows_one_kind_when_asked(web, case, phone):
    PaymentFactory(loan=case.customer.loans.get(), amount="12.34")
    start_call(web, case, phone)
    web.post(
        case_url(case, "call/log/"),
        {"outcome": "no_answer", "attitude": "unknown", "notes": ""},
    )
    everything = web.get(case_url(case)).content.decode()
    assert 'class="tl-call' in everything and 'class="tl-payment' in everything
    calls = web.get(case_url(case) + "?timeline=calls").content.decode()
    assert 'class="tl-call' in calls and 'class="tl-payment' not in calls
    payments = web.get(case_url(case) + "?timeline=payments").content.decode()
    assert 'class="tl-payment' in payments and 'class="tl-call' not in payments
    # Anything else is everything, never an error.
    other = web.get(case_url(case) + "?timeline=nonsense")
    assert other.status_code == 200 and 'class="tl-payment' in other.content.decode()


def test_after_logging_a_call_one_button_goes_to_the_next_case(web, case, phone, queue):
    other = make_case(queue, reference="CASE-NEXT", priority=5)
    start_call(web, case, phone)
    logged = web.post(
        case_url(case, "call/log/"),
        {"outcome": "no_answer", "attitude": "unknown", "notes": ""},
        HTTP_HX_REQUEST="true",
    )
    text = logged.content.decode()
    assert re.search(
        r'<form method="post" action="/work/next/" id="wrap-up-next">', text
    )
    nxt = web.post("/work/next/")
    assert nxt.status_code == 302 and nxt["Location"] == case_url(other)


def test_the_queue_names_an_ad_hoc_task_in_the_readers_language(
    web, case, time_machine
):
    """Issue 18, defect 8: "Task: Next case: no task yet" in the Chinese queue."""
    from calls.models import CallTask

    web.post("/work/next/")  # claims CASE-MINE with an ad-hoc task
    task = CallTask.objects.get(case=case)
    assert task.reason == "Next case: no task yet"
    CallTask.objects.filter(pk=task.pk).update(
        claimed_until=timezone.now() - dt.timedelta(minutes=1)
    )
    zh = web.get("/work/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "下一个案件：尚无任务" in zh and "no task yet" not in zh
