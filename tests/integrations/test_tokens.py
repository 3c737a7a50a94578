"""Integration tokens: issued once, scoped, revocable, throttled, last use recorded."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from core.permissions import TokenHasScope
from integrations import services
from integrations.models import IntegrationToken
from tests.api import client_for
from tests.cases.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def issue(user, *scopes, **kwargs) -> str:
    return services.token_create(
        name="core banking", user=user, scopes=list(scopes), **kwargs
    ).secret


# --------------------------------------------------------------------------------------
# Issuing through the admin API
# --------------------------------------------------------------------------------------


def test_an_admin_issues_a_token_and_sees_the_secret_only_once(admin_user):
    client = APIClient()
    client.force_login(admin_user)

    response = client.post(
        "/api/v1/integration-tokens/",
        {"name": "Core banking", "scopes": ["cases:read", "payments:write"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    secret = body["token"]
    assert secret.startswith("cmi_" + body["prefix"] + "_")
    assert body["scopes"] == ["cases:read", "payments:write"]
    assert body["user"] == "admin" and body["active"] is True
    token = IntegrationToken.objects.get(prefix=body["prefix"])
    assert secret not in token.secret_hash  # only the hash is kept
    assert token.secret_hash == services.secret_hash(secret)
    listed = client.get("/api/v1/integration-tokens/").json()["results"]
    assert [t["prefix"] for t in listed] == [body["prefix"]]
    assert "token" not in listed[0]
    detail = client.get(f"/api/v1/integration-tokens/{body['prefix']}/").json()
    assert "token" not in detail


def test_a_token_may_act_as_another_user_with_that_users_role(admin_user, collector):
    client = client_for(admin_user)

    response = client.post(
        "/api/v1/integration-tokens/",
        {"name": "Dialer", "scopes": ["cases:read"], "user": "collector"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["user"] == "collector"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["cases:destroy"]}, "scopes[0]"),
        ({"scopes": ["cases:read"]}, "name"),
        ({"name": "x", "scopes": ["cases:read"], "rate": "fast"}, "rate"),
    ],
)
def test_a_bad_token_request_names_the_field(admin_user, body, field):
    response = client_for(admin_user).post(
        "/api/v1/integration-tokens/", body, format="json"
    )

    error = assert_error_body(response, 400)
    assert field in error["errors"], error


@pytest.mark.parametrize("username", ["nobody", "inactive"])
def test_a_token_for_an_unknown_or_inactive_user_is_a_404_naming_the_field(
    admin_user, username
):
    # An unknown reference is a 404 across the API (docs/api.md), whether it is in
    # the path or the body.
    UserFactory(username="inactive", is_active=False)
    response = client_for(admin_user).post(
        "/api/v1/integration-tokens/",
        {"name": "x", "scopes": ["cases:read"], "user": username},
        format="json",
    )

    error = assert_error_body(response, 404)
    assert error["errors"] == {"user": [f"No active user with reference '{username}'."]}
    assert not IntegrationToken.objects.exists()


def test_an_expiry_in_the_past_is_refused(admin_user):
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = client_for(admin_user).post(
        "/api/v1/integration-tokens/",
        {"name": "x", "scopes": ["cases:read"], "expires_at": past},
        format="json",
    )

    assert "expires_at" in assert_error_body(response, 400)["errors"]


def test_only_admins_issue_tokens(supervisor):
    response = client_for(supervisor).post(
        "/api/v1/integration-tokens/",
        {"name": "x", "scopes": ["cases:read"]},
        format="json",
    )

    assert_error_body(response, 403)
    assert not IntegrationToken.objects.exists()


def test_a_token_cannot_issue_tokens_even_an_admins(admin_user):
    secret = issue(admin_user, *services.SCOPES)

    response = bearer(secret).post(
        "/api/v1/integration-tokens/",
        {"name": "escalate", "scopes": ["cases:read"]},
        format="json",
    )

    assert_error_body(response, 403)
    assert IntegrationToken.objects.count() == 1


def test_a_drf_token_cannot_issue_tokens_either(admin_user):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}"
    )

    response = client.post(
        "/api/v1/integration-tokens/",
        {"name": "escalate", "scopes": ["cases:read"]},
        format="json",
    )

    assert_error_body(response, 403)


# --------------------------------------------------------------------------------------
# Scopes
# --------------------------------------------------------------------------------------


def test_a_token_with_the_scope_reads_cases(admin_user):
    case = CaseFactory()
    secret = issue(admin_user, "cases:read")

    response = bearer(secret).get("/api/v1/cases/")

    assert response.status_code == 200, response.json()
    assert [c["reference"] for c in response.json()["results"]] == [case.reference]


def test_a_token_without_the_scope_gets_403_naming_it(admin_user):
    secret = issue(admin_user, "cases:read")

    response = bearer(secret).post(
        "/api/v1/payments/",
        {
            "reference": "P1",
            "loan": "L1",
            "amount": "1",
            "currency": "CNY",
            "received_at": timezone.now().isoformat(),
        },
        format="json",
    )

    body = assert_error_body(response, 403)
    assert "payments:write" in body["message"]
    assert body["code"] == "permission_denied"


def test_the_scope_is_per_method(admin_user):
    secret = issue(admin_user, "customers:read")
    client = bearer(secret)

    assert client.get("/api/v1/customers/").status_code == 200
    response = client.post(
        "/api/v1/customers/", {"reference": "X", "full_name": "Y"}, format="json"
    )
    assert "customers:write" in assert_error_body(response, 403)["message"]


def test_a_scope_does_not_lift_the_role_rules_of_the_tokens_user(collector):
    secret = issue(collector, "customers:write")

    response = bearer(secret).post(
        "/api/v1/customers/",
        {"reference": "TOK-2", "full_name": "Nope", "country": "CN"},
        format="json",
    )

    assert_error_body(response, 403)


def test_a_token_sees_only_what_its_user_may_see(collector, queue, other_queue):
    mine = CaseFactory(queue=queue)
    CaseFactory(queue=other_queue)
    secret = issue(collector, "cases:read")

    response = bearer(secret).get("/api/v1/cases/")

    assert [c["reference"] for c in response.json()["results"]] == [mine.reference]


def test_a_view_that_declares_no_scope_refuses_tokens(admin_user):
    issued = services.token_create(name="t", user=admin_user, scopes=["cases:read"])
    request = Request(RequestFactory().get("/"))
    request.user, request.auth = admin_user, issued.token

    class Undeclared:
        pass

    permission = TokenHasScope()
    assert permission.has_permission(request, Undeclared()) is False
    assert "not open to integration tokens" in str(permission.message)


def test_session_users_are_not_scoped(admin_user):
    client = APIClient()
    client.force_login(admin_user)

    assert client.get("/api/v1/escalation-policies/").status_code == 200


# --------------------------------------------------------------------------------------
# Authentication failures, revocation, expiry, last use
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "not-a-token",
        "cmi_abcdefabcdef_" + "x" * 43,  # well formed, unknown
        "cmi_short_x",
    ],
)
def test_a_wrong_token_is_401_with_a_bearer_challenge(value):
    response = bearer(value).get("/api/v1/cases/")

    body = assert_error_body(response, 401)
    assert body["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_with_a_real_prefix_is_refused(admin_user):
    secret = issue(admin_user, "cases:read")
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")

    assert_error_body(bearer(forged).get("/api/v1/cases/"), 401)


def test_anonymous_callers_get_401_with_the_error_body():
    response = APIClient().get("/api/v1/cases/")

    assert assert_error_body(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working_at_once(admin_user):
    issued = services.token_create(name="t", user=admin_user, scopes=["cases:read"])
    client = bearer(issued.secret)
    assert client.get("/api/v1/cases/").status_code == 200

    response = client_for(admin_user).post(
        f"/api/v1/integration-tokens/{issued.token.prefix}/revoke/"
    )

    assert response.status_code == 200
    assert response.json()["revoked_at"] and response.json()["active"] is False
    body = assert_error_body(client.get("/api/v1/cases/"), 401)
    assert "revoked" in body["message"]
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == admin_user
    assert issued.token.history.first().history_change_reason == "revoked"


def test_revoking_twice_is_a_conflict(admin_user):
    issued = services.token_create(name="t", user=admin_user, scopes=["cases:read"])
    url = f"/api/v1/integration-tokens/{issued.token.prefix}/revoke/"
    client = client_for(admin_user)
    client.post(url)

    body = assert_error_body(client.post(url), 409)
    assert body["code"] == "already_revoked"


def test_an_unknown_token_reference_is_404(admin_user):
    response = client_for(admin_user).post("/api/v1/integration-tokens/nope/revoke/")

    assert_error_body(response, 404)


def test_an_expired_token_is_refused(admin_user, time_machine):
    issued = services.token_create(
        name="t",
        user=admin_user,
        scopes=["cases:read"],
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert bearer(issued.secret).get("/api/v1/cases/").status_code == 200

    time_machine.move_to(timezone.now() + dt.timedelta(hours=2))

    body = assert_error_body(bearer(issued.secret).get("/api/v1/cases/"), 401)
    assert "expired" in body["message"]


def test_a_token_of_a_deactivated_user_is_refused(collector):
    secret = issue(collector, "cases:read")
    collector.is_active = False
    collector.save()

    assert_error_body(bearer(secret).get("/api/v1/cases/"), 401)


def test_last_use_is_recorded_at_most_once_a_minute(admin_user, time_machine):
    issued = services.token_create(name="t", user=admin_user, scopes=["cases:read"])
    token = issued.token
    assert token.last_used_at is None
    client = bearer(issued.secret)

    time_machine.move_to(timezone.now(), tick=False)
    client.get("/api/v1/cases/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    time_machine.shift(dt.timedelta(seconds=30))
    client.get("/api/v1/cases/")
    token.refresh_from_db()
    assert token.last_used_at == first

    time_machine.shift(dt.timedelta(seconds=31))
    client.get("/api/v1/cases/")
    token.refresh_from_db()
    assert token.last_used_at > first
    # Touching writes no history row (only issue and revoke do).
    assert token.history.count() == 1


# --------------------------------------------------------------------------------------
# Throttling
# --------------------------------------------------------------------------------------


def test_a_token_over_its_rate_gets_429_with_the_error_body(admin_user):
    secret = issue(admin_user, "cases:read", rate="3/min")
    client = bearer(secret)

    statuses = [client.get("/api/v1/cases/").status_code for _ in range(3)]
    response = client.get("/api/v1/cases/")

    assert statuses == [200, 200, 200]
    body = assert_error_body(response, 429)
    assert body["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_the_rate_is_counted_per_token(admin_user):
    first = bearer(issue(admin_user, "cases:read", rate="1/min"))
    second = bearer(issue(admin_user, "cases:read", rate="1/min"))

    assert first.get("/api/v1/cases/").status_code == 200
    assert first.get("/api/v1/cases/").status_code == 429
    assert second.get("/api/v1/cases/").status_code == 200


def test_the_default_rate_applies_to_tokens_without_one(admin_user, settings):
    settings.INTEGRATION_TOKEN_RATE = "2/min"
    client = bearer(issue(admin_user, "cases:read"))

    assert [client.get("/api/v1/cases/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


def test_sessions_are_not_throttled_per_token(admin_user, settings):
    settings.INTEGRATION_TOKEN_RATE = "1/min"
    client = APIClient()
    client.force_login(admin_user)

    assert {client.get("/api/v1/cases/").status_code for _ in range(3)} == {200}


# --------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------


def test_the_schema_documents_the_bearer_scheme_and_each_operations_scope(
    admin_user,
):
    schema = client_for(admin_user).get("/api/schema/", {"format": "json"}).json()

    scheme = schema["components"]["securitySchemes"]["integrationToken"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    cases = schema["paths"]["/api/v1/cases/"]["get"]
    assert {"integrationToken": ["cases:read"]} in cases["security"]
    assert {"401", "403", "429"} <= set(cases["responses"])
    payments = schema["paths"]["/api/v1/payments/"]["post"]
    assert {"integrationToken": ["payments:write"]} in payments["security"]
    issue_op = schema["paths"]["/api/v1/integration-tokens/"]["post"]
    assert not any("integrationToken" in s for s in issue_op["security"])


def test_a_bad_default_rate_stops_start_up_naming_the_variable():
    result = subprocess.run(
        [sys.executable, "-c", "import collections_app.settings"],
        env={**os.environ, "DEBUG": "1", "INTEGRATION_TOKEN_RATE": "fast"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "INTEGRATION_TOKEN_RATE='fast'" in result.stderr
