"""Template validation and webhook refusals read in Chinese when the language is
zh-hans: on the template pages and in the webhook's API answers (issue 18, defect 8)."""

import json
import time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from messaging.webhooks import signature_for

from .test_webhooks import URL

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ secret }}", "未知变量：secret。允许的变量："),
        (
            "{{ name|nosuch }}",
            "模板语法错误：Invalid filter: &#x27;nosuch&#x27;。允许的过滤器：",
        ),
    ],
)
def test_a_bad_template_is_refused_in_chinese(admin_client, body, message):
    response = admin_client.post(
        reverse("configuration:template-create"),
        {"code": "x", "channel": "sms", "language": "en", "body": body},
        **ZH,
    )
    assert message in response.content.decode()


def _post(raw: bytes, *, secret="dev-webhook-secret"):
    signature = signature_for(raw, timestamp=int(time.time()), secret=secret)
    return APIClient().post(
        URL,
        data=raw,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature,
        **ZH,
    )


@pytest.mark.parametrize(
    ("raw", "secret", "status", "message", "errors"),
    [
        (b"{}", "wrong", 403, "签名无效。", {}),
        (b"not json", "dev-webhook-secret", 400, "请求体不是 JSON。", {}),
        (
            json.dumps({"type": "bogus", "id": "ev-1"}).encode(),
            "dev-webhook-secret",
            400,
            "Webhook 请求体无效。",
            {"type": ["请使用 delivery 或 inbound。"]},
        ),
    ],
)
def test_a_refused_webhook_answers_in_chinese(raw, secret, status, message, errors):
    response = _post(raw, secret=secret)
    assert response.status_code == status
    assert response.json()["message"] == message
    assert response.json()["errors"] == errors
