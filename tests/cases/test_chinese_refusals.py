"""Refusals of promises, repayment plans and payments read in Chinese when the
language is zh-hans, in the API and on the supervisor's page (issue 18, defect 8)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api import client_for
from tests.calls.conftest import case, working_hours  # noqa: F401
from tests.supervision.conftest import make_plan, team_case  # noqa: F401

from .factories import LoanFactory
from .test_api_customers import URL as CUSTOMERS
from .test_api_customers import customer_body
from .test_api_loans import PAYMENTS, loan, payment_body  # noqa: F401

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_promise_of_nothing_is_refused_in_chinese(collector, case):  # noqa: F811
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client_for(collector).post(
        "/api/v1/promises/",
        {"case": case.reference, "amount": "0", "due_date": due},
        format="json",
        **ZH,
    )
    assert response.status_code == 400
    assert response.json()["errors"]["amount"] == ["金额必须大于零。"]


def test_a_plan_rejected_without_a_reason_is_refused_in_chinese(
    client,
    supervisor,
    collector,
    team_case,  # noqa: F811
):
    plan = make_plan(team_case, collector)
    response = client_for(supervisor).post(
        f"/api/v1/approvals/plans/{plan.reference}/decide/",
        {"decision": "reject"},
        format="json",
        **ZH,
    )
    assert response.json()["errors"]["reason"] == ["请说明驳回该还款计划的原因。"]
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:plan-decide", args=[plan.reference]),
        {"decision": "reject"},
        follow=True,
        **ZH,
    )
    assert "请说明驳回该还款计划的原因。" in response.text


def test_a_payment_in_another_currency_is_refused_in_chinese(admin_user, loan):  # noqa: F811
    response = client_for(admin_user).post(
        PAYMENTS, payment_body(currency="USD"), format="json", **ZH
    )
    assert response.status_code == 400
    assert response.json()["errors"]["currency"] == [
        "贷款 LN-PAY 的币种为 CNY，而不是 USD。"
    ]


# --- intake, contact values and references (cases.services_intake, validators,
# access; core.errors.not_found) ---


def _customer(**changes) -> dict:
    body = customer_body()
    for index, value in changes.pop("values", {}).items():
        body["contact_points"][index]["value"] = value
    return body | changes


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            _customer(values={2: "not a number"}),
            "contact_points[2].value",
            "'not a number' 不是电话号码。",
        ),
        (
            _customer(values={2: "12345"}),
            "contact_points[2].value",
            "'12345' 不是有效的电话号码。",
        ),
        (
            _customer(values={2: "+86 138-0013-8000"}),
            "contact_points[2].value",
            "与 contact_points[0] 的 phone 相同。",
        ),
    ],
)
def test_a_customer_s_bad_contact_points_are_refused_in_chinese(
    admin_user, body, field, message
):
    response = client_for(admin_user).post(CUSTOMERS, body, format="json", **ZH)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


def test_a_reused_reference_and_an_unknown_one_are_refused_in_chinese(admin_user):
    api = client_for(admin_user)
    api.post(CUSTOMERS, customer_body(), format="json")
    again = api.post(CUSTOMERS, customer_body(), format="json", **ZH)
    assert again.status_code == 409
    assert again.json()["message"] == "编号为 CUST-1 的客户已存在。"
    missing = api.get("/api/v1/loans/NOPE/", **ZH)
    assert missing.status_code == 404
    assert missing.json()["message"] == "没有编号为 'NOPE' 的贷款。"


def test_another_customer_s_loan_is_refused_in_chinese(collector, case):  # noqa: F811
    theirs = LoanFactory()
    response = client_for(collector).post(
        "/api/v1/compliance/check/",
        {
            "customer": case.customer.reference,
            "channel": "call",
            "loan": theirs.reference,
        },
        format="json",
        **ZH,
    )
    assert response.status_code == 400
    assert response.json()["errors"]["loan"] == [
        f"客户 {case.customer.reference} 没有贷款 '{theirs.reference}'。"
    ]
