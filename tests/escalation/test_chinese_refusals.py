"""Escalation policy refusals read in Chinese when the language is zh-hans (issue
18, defect 8)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from escalation import work_items
from escalation.models import WorkItem
from tests.api import client_for
from tests.cases.factories import CaseFactory, ContactPointFactory, LoanFactory

from .test_api import URL, body

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_bad_steps_are_refused_in_chinese(admin_user):
    step = {
        "order": 1,
        "name": "Email",
        "trigger": "after_previous",
        "trigger_days": 0,
        "action": "email",
        "template": "",
        "queue": "nowhere",
    }
    response = client_for(admin_user).post(URL, body(steps=[step]), format="json", **ZH)
    assert response.status_code == 400
    assert response.json()["message"] == "升级策略的步骤无效。"
    errors = response.json()["errors"]
    assert errors["steps[0].trigger"] == ["第一个升级步骤须按逾期天数触发。"]
    assert errors["steps[0].template"] == ["发送消息的升级步骤须指定模板。"]
    assert errors["steps[0].queue"] == ["没有工作队列 'nowhere'。"]


def test_an_active_version_is_not_edited_and_says_so_in_chinese(admin_user):
    response = client_for(admin_user).put(
        f"{URL}standard/1/", body(code=None), format="json", **ZH
    )
    assert response.status_code == 409
    assert response.json()["message"] == "版本 1 为「生效中」：如需修改，请创建新版本。"


# --- work items: reviews, legal cases, write-offs, settlements --------------------


@pytest.fixture
def case(queue):
    case = CaseFactory(queue=queue, max_days_past_due=61)
    ContactPointFactory(customer=case.customer, value="+8613800138030")
    LoanFactory(customer=case.customer)  # a balance of 12,000
    return case


@pytest.fixture
def review(case):
    return work_items.work_item_open(
        case=case, kind=WorkItem.Kind.SUPERVISOR_REVIEW, reason="Supervisor review"
    )


def _far() -> str:
    return (timezone.localdate() + dt.timedelta(days=400)).isoformat()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"decision": "hold", "notes": "x"}, "hold_until", "请填写暂停的结束日期。"),
        (
            {"decision": "hold", "notes": "x", "hold_until": _far()},
            "hold_until",
            "暂停结束日期须晚于今天，且在 180 天以内。",
        ),
        ({"decision": "write_off", "notes": "x"}, "amount", "请填写金额。"),
        ({"decision": "refer_legal"}, "notes", "请说明原因。"),
        (
            {"decision": "write_off", "notes": "x", "amount": "99999"},
            "amount",
            "核销金额不能超过未偿余额（12000.00 CNY）。",
        ),
    ],
)
def test_a_review_decision_is_refused_in_chinese(
    review, supervisor, body, field, message
):
    response = client_for(supervisor).post(
        f"/api/v1/work-items/{review.reference}/decide/", body, format="json", **ZH
    )
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


def test_a_decided_review_and_a_collector_are_refused_in_chinese(
    review, supervisor, collector
):
    url = f"/api/v1/work-items/{review.reference}/decide/"
    client_for(supervisor).post(url, {"decision": "continue"}, format="json")
    again = client_for(supervisor).post(
        url, {"decision": "continue"}, format="json", **ZH
    )
    assert again.status_code == 409
    assert again.json()["message"] == "此待办事项的状态为「已完成」。"
    response = client_for(collector).get("/api/v1/work-items/", **ZH)
    assert response.json()["message"] == "只有主管和管理员可以处理待办事项。"


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (
            {"legal-legal_firm": ""},
            "请至少填写律师事务所、法院案号、日期、费用或备注中的一项。",
        ),
        (
            {"legal-filed_on": "2026-03-02", "legal-hearing_on": "2026-03-01"},
            "开庭日期不能早于立案日期。",
        ),
    ],
)
def test_the_legal_case_page_refuses_in_chinese(
    client, review, supervisor, post, message
):
    legal = work_items.review_decide(
        item=review, user=supervisor, decision="refer_legal", notes="no contact"
    )
    client.force_login(supervisor)
    url = reverse("supervision:legal-case", args=[legal.reference])
    response = client.post(url, post, **ZH)
    assert response.status_code == 400
    assert message in response.text


def test_a_write_off_is_refused_in_chinese_on_the_page_and_in_the_api(
    client, case, supervisor
):
    item = work_items.work_item_open(
        case=case,
        kind=WorkItem.Kind.WRITE_OFF,
        reason="deceased",
        user=supervisor,
        amount=Decimal("1000"),
    )
    client.force_login(supervisor)
    url = reverse("supervision:work-item", args=[item.reference])
    response = client.post(
        url, {"answer-answer": "approve", "answer-notes": "ok"}, **ZH
    )
    assert "须由其他主管或管理员批准。" in response.text
    response = client_for(supervisor).post(
        f"/api/v1/work-items/{item.reference}/answer/",
        {"answer": "record", "notes": "x"},
        format="json",
        **ZH,
    )
    assert response.json()["message"] == "核销申请只能批准或驳回。"


def test_a_settlement_above_the_proposer_s_authority_is_refused_in_chinese(
    case, supervisor
):
    # Half the balance forgiven: above a supervisor's own settlement authority.
    item = work_items.settlement_propose(
        case=case,
        user=supervisor,
        amount="6000",
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    url = f"/api/v1/work-items/{item.reference}/answer/"
    api = client_for(supervisor)
    approve = api.post(url, {"answer": "approve", "notes": "ok"}, format="json", **ZH)
    assert approve.json()["message"] == "须由提出人以外的人批准。"
    tell = api.post(
        url, {"answer": "communicate", "via": "letter"}, format="json", **ZH
    )
    assert tell.json()["message"] == "只有已获批准的和解方案才能告知客户。"
