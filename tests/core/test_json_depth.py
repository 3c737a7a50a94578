"""JSON bodies nested deeper than API_MAX_JSON_DEPTH answer 400 (a body nested
100,000 deep raised RecursionError in the parser: a 500), on every API endpoint and
on the SMS provider's signed webhook."""

import json
import time

import pytest
from rest_framework.test import APIClient

from messaging.webhooks import signature_for
from tests.api import client_for

pytestmark = pytest.mark.django_db


def nested(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


def test_a_body_nested_100000_deep_is_a_400_not_a_500(admin_user):
    response = client_for(admin_user).post(
        "/api/v1/compliance/check/",
        data=b"[" * 100_000 + b"]" * 100_000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested" in response.json()["message"]


def test_a_body_just_over_the_limit_is_refused(admin_user, settings):
    settings.API_MAX_JSON_DEPTH = 32

    response = client_for(admin_user).post(
        "/api/v1/restrictions/", data=nested(33), content_type="application/json"
    )

    assert response.status_code == 400
    assert "32" in response.json()["message"]


def test_a_body_within_the_limit_reaches_the_view(admin_user):
    response = client_for(admin_user).post(
        "/api/v1/restrictions/", data=nested(5), content_type="application/json"
    )

    # Parsed, then refused by the view's own validation, naming the fields.
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_form_and_multipart_bodies_are_still_parsed(admin_user):
    response = client_for(admin_user).post(
        "/api/v1/restrictions/", {"customer": "nobody"}, format="multipart"
    )

    assert response.status_code in (400, 404)
    assert response.json()["code"] != "unsupported_media_type"


def test_a_deep_signed_sms_webhook_is_a_400():
    body = b"[" * 100_000 + b"]" * 100_000
    ts = int(time.time())

    response = APIClient().post(
        "/api/v1/webhooks/sms/",
        data=body,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature_for(body, timestamp=ts, secret="dev-webhook-secret"),
    )

    assert response.status_code == 400


def test_the_depth_counts_arrays_and_objects_alike():
    from core.parsers import JsonTooDeep, json_parse

    assert json_parse(json.dumps([[{"a": [1]}]]), max_depth=4) == [[{"a": [1]}]]
    with pytest.raises(JsonTooDeep):
        json_parse(json.dumps([[{"a": [1]}]]), max_depth=3)
