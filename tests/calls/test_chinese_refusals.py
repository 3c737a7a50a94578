"""The guided call's and the calls API's refusals read in Chinese when the language
is zh-hans (issue 18, defect 8)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from compliance.models import ContactRestriction

from .test_api import call_body
from .test_views import case_url, start_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_a_blocked_call_is_refused_with_the_gates_chinese_reason(web, case, phone):
    ContactRestriction.objects.create(
        customer=case.customer,
        kind=ContactRestriction.Kind.CEASE_COMMUNICATION,
        starts_at=timezone.now() - dt.timedelta(days=1),
        reason="Stop",
    )
    page = web.get(start_call(web, case, phone)["Location"]).text
    assert "拦截：客户已要求停止联系" in page
    assert "asked us to stop contacting them" not in page


def test_a_callback_without_a_time_is_refused_in_chinese(web, case, phone):
    start_call(web, case, phone)
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    response = web.post(
        case_url(case, "call/log/"), {"outcome": "callback", "attitude": "unknown"}
    )
    assert response.status_code == 400
    assert "请说明回电时间。" in response.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"identity_confirmed": False},
            "disclosure_made",
            "须先核实客户身份，才能谈及欠款。",
        ),
        (
            {"ended_at": "2020-01-01T00:00:00Z"},
            "ended_at",
            "通话结束时间不能早于开始时间。",
        ),
    ],
    ids=["disclosure_before_identity", "end_before_start"],
)
def test_the_calls_api_refuses_in_chinese(collector, case, changes, field, message):
    api = APIClient()
    api.force_authenticate(collector)
    response = api.post(
        "/api/v1/calls/",
        call_body(case, **changes),
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
