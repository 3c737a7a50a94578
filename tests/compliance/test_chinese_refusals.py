"""The compliance gate's refusals read in Chinese when the language is zh-hans, in
the check and contact-attempt APIs (issue 18, defect 8)."""

import pytest

from tests.api import client_for

from .test_api_contact_attempts import URL as ATTEMPTS
from .test_api_contact_attempts import attempt_body, reported_the_same_morning  # noqa: F401

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
CHECK = "/api/v1/compliance/check/"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"contact_point": "+8613900000000"}, "contact_point", "不是该客户的电话。"),
    ],
)
def test_the_check_refuses_in_chinese(collector, case, change, field, message):
    body = {"customer": case.customer.reference, "channel": "call"} | change
    response = client_for(collector).post(CHECK, body, format="json", **ZH)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"channel": "sms", "outcome": "no_answer"},
            "outcome",
            "'no_answer' 不是 sms 的有效结果：请使用 sent, failed。",
        ),
    ],
)
def test_an_external_attempt_is_refused_in_chinese(
    collector, case, change, field, message
):
    response = client_for(collector).post(
        ATTEMPTS, attempt_body(case, **change), format="json", **ZH
    )
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
