"""The supervisor's refusals read in Chinese when the language is zh-hans, on the
pages and in the API (issue 18, defect 8)."""

import pytest
from django.urls import reverse

from supervision import services
from supervision.models import FollowUp
from tests.api import client_for
from tests.calls.conftest import make_case

from .conftest import make_call

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_the_reassignment_api_refuses_in_chinese(supervisor, queue):
    api = client_for(supervisor)
    response = api.post(
        "/api/v1/case-reassignments/",
        {"cases": [], "queue": queue.code, "reason": ""},
        format="json",
        **ZH,
    )
    assert response.status_code == 400
    assert response.json()["message"] == "输入无效。"
    assert response.json()["errors"] == {
        "cases": ["请至少选择一个案件。"],
        "reason": ["请说明转移这些案件的原因。"],
    }
    make_case(queue, reference="CASE-Q")
    response = api.post(
        "/api/v1/case-reassignments/",
        {"cases": ["CASE-Q"], "collector": "nobody", "reason": "Rebalance."},
        format="json",
        **ZH,
    )
    assert response.json()["errors"] == {"collector": ["nobody 不是您团队的催收员。"]}


def test_the_reassign_page_refuses_in_chinese(client, supervisor, collector, queue):
    case = make_case(queue, assigned_to=collector)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:reassign"), {"case": [case.reference], "reason": ""}, **ZH
    )
    assert response.status_code == 400
    assert "请说明转移这些案件的原因。" in response.text
    assert "请选择催收员或工作队列。" in response.text


def test_a_violation_without_a_comment_is_refused_in_chinese(
    client, supervisor, collector, team_case
):
    call = make_call(team_case, collector)
    client.force_login(supervisor)
    url = reverse("supervision:call-review", args=[call.reference])
    response = client.post(url, {"violation": "on", "comments": ""}, **ZH)
    assert response.status_code == 400
    assert "请描述违规情况：催收员将据此整改。" in response.text


def test_a_collector_closing_a_follow_up_is_refused_in_chinese(
    supervisor, collector, team_case
):
    call = make_call(team_case, collector)
    review = services.call_review_record(
        reviewer=supervisor,
        call=call,
        criteria={},
        violation=True,
        comments="Raised her voice.",
    )
    follow_up = FollowUp.objects.get(review=review)
    response = client_for(collector).post(
        f"/api/v1/follow-ups/{follow_up.reference}/status/",
        {"status": "closed"},
        format="json",
        **ZH,
    )
    assert response.status_code == 403
    assert response.json()["message"] == "只有主管可以关闭整改任务。"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/call-records/NOPE/", "没有编号为 'NOPE' 的通话记录。"),
        ("/api/v1/approvals/plans/NOPE/decide/", "没有编号为 'NOPE' 的还款计划。"),
    ],
)
def test_an_unknown_reference_is_not_found_in_chinese(supervisor, url, message):
    api = client_for(supervisor)
    response = (
        api.get(url, **ZH)
        if "decide" not in url
        else api.post(url, {"decision": "approve"}, format="json", **ZH)
    )
    assert response.status_code == 404
    assert response.json()["message"] == message
