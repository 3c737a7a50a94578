import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from cases.models import Case, EscalationPolicy
from core.permissions import required_scope
from escalation import api_urls
from integrations.services import token_create
from tests.api import client_for
from tests.cases.factories import CaseFactory, UserFactory

from .conftest import AT

pytestmark = pytest.mark.django_db
URL = "/api/v1/escalation-policies/"


def body(**overrides):
    return {
        "code": "standard",
        "name": "Standard, SMS on day 3",
        "steps": [
            {
                "order": 1,
                "name": "SMS",
                "trigger": "dpd",
                "trigger_days": 3,
                "action": "sms",
                "template": "overdue-sms",
            },
            {
                "order": 2,
                "name": "Call",
                "trigger": "after_previous",
                "trigger_days": 4,
                "action": "call_task",
                "queue": "early",
            },
        ],
        **overrides,
    }


def test_an_admin_creates_a_draft_version_and_activates_it(admin_user, queue):
    api = client_for(admin_user)
    created = api.post(URL, body(), format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["version"], created.json()["status"]) == (2, "draft")
    assert created.json()["steps"][1]["queue"] == "early"

    activated = api.post(f"{URL}standard/2/activate/")
    assert activated.status_code == 200
    assert activated.json()["status"] == "active"
    assert activated.json()["is_default"] is True
    old = EscalationPolicy.objects.get(code="standard", version=1)
    assert (old.status, old.is_default) == ("retired", False)
    assert old.history.first().history_change_reason == "retired by v2"


def test_open_cases_continue_on_the_new_version_at_the_same_rung(admin_user, queue):
    old = EscalationPolicy.objects.get(code="standard", version=1)
    case = CaseFactory(stage=old.steps.get(order=1))
    api = client_for(admin_user)
    api.post(URL, body(), format="json")
    api.post(f"{URL}standard/2/activate/")
    case.refresh_from_db()
    assert case.stage.policy.version == 2
    assert case.stage.order == 1


def test_an_active_version_cannot_be_edited_or_deleted(admin_user):
    api = client_for(admin_user)
    put = api.put(f"{URL}standard/1/", body(code=None), format="json")
    assert put.status_code == 409
    assert api.delete(f"{URL}standard/1/").status_code == 409


def test_bad_steps_get_errors_naming_the_step_and_field(admin_user):
    bad = body(
        steps=[
            {
                "order": 1,
                "name": "Email",
                "trigger": "after_previous",
                "trigger_days": 0,
                "action": "email",
                "template": "",
            },
            {
                "order": 2,
                "name": "SMS",
                "trigger": "dpd",
                "trigger_days": 5,
                "action": "sms",
                "template": "no-such-template",
                "queue": "nowhere",
            },
        ]
    )
    response = client_for(admin_user).post(URL, bad, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {
        "steps[0].trigger",
        "steps[0].trigger_days",
        "steps[0].template",
        "steps[1].template",
        "steps[1].queue",
    } <= set(errors)
    assert EscalationPolicy.objects.count() == 1


def test_dpd_triggers_must_rise_with_order(admin_user):
    bad = body(
        steps=[
            {
                "order": 1,
                "name": "SMS",
                "trigger": "dpd",
                "trigger_days": 10,
                "action": "sms",
                "template": "overdue-sms",
            },
            {
                "order": 2,
                "name": "Review",
                "trigger": "dpd",
                "trigger_days": 5,
                "action": "supervisor_review",
            },
        ]
    )
    response = client_for(admin_user).post(URL, bad, format="json")
    assert response.json()["errors"]["steps[1].trigger_days"]


def test_collectors_and_supervisors_may_not_touch_policies(collector, supervisor):
    for user in (collector, supervisor):
        api = client_for(user)
        assert api.get(URL).status_code == 403
        assert api.post(URL, body(), format="json").status_code == 403
    assert not Case.objects.exists()


def test_simulate_and_rollback_over_the_api(admin_user, portfolio, draft):
    api = client_for(admin_user)
    response = api.get(
        f"/api/v1/escalation-policies/standard/{draft.version}/simulate/",
        {"at": AT.isoformat()},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["active_version"] == 1
    totals = {row["kind"]: row for row in body["totals"]}
    assert totals["sms"]["difference"] == -1
    api.post(f"/api/v1/escalation-policies/standard/{draft.version}/activate/")
    response = api.post("/api/v1/escalation-policies/standard/rollback/")
    assert (response.status_code, response.json()["version"]) == (200, 3)
    assert EscalationPolicy.objects.get(code="standard", status="active").version == 3


def test_rollback_without_an_earlier_version_is_409(admin_user, live):
    response = client_for(admin_user).post(
        "/api/v1/escalation-policies/standard/rollback/"
    )
    assert response.status_code == 409


@override_settings(CONFIGURATION_ACTIVATION_APPROVAL=True)
def test_activation_over_the_api_needs_a_second_admin(admin_user, draft):
    api = client_for(admin_user)
    activate = "/api/v1/escalation-policies/standard/2/activate/"
    assert api.post(activate).status_code == 409
    response = api.post("/api/v1/escalation-policies/standard/2/request-activation/")
    assert response.status_code == 200
    assert api.post(activate).status_code == 409
    second = UserFactory(username="admin2", roles=["admin"])
    response = client_for(second).post(activate)
    assert (response.status_code, response.json()["status"]) == (200, "active")


def test_every_policy_endpoint_declares_the_scope_a_token_needs():
    for pattern in api_urls.urlpatterns:
        view = pattern.callback.view_class
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                scope = required_scope(view, method)
                if pattern.name.startswith("work-item"):
                    # Work items are for supervisors in person: closed to tokens
                    # until a scope is decided for them (record 41).
                    assert scope is None, pattern.name
                else:
                    assert scope in ("policies:read", "policies:write"), pattern.name


def test_a_token_simulates_with_policies_read_and_rolls_back_only_with_write(
    admin_user, portfolio, draft
):
    def bearer(*scopes):
        token = token_create(name="ops", user=admin_user, scopes=list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.secret}")
        return client

    reader = bearer("policies:read")
    simulate = f"{URL}standard/{draft.version}/simulate/"
    assert reader.get(simulate, {"at": AT.isoformat()}).status_code == 200
    response = reader.post(f"{URL}standard/rollback/")
    assert response.status_code == 403
    assert "policies:write" in response.json()["message"]
    writer = bearer("policies:write")
    assert writer.post(f"{URL}standard/{draft.version}/activate/").status_code == 200
    assert writer.post(f"{URL}standard/rollback/").status_code == 200


def test_a_step_sets_what_it_does_when_its_channel_is_unusable(admin_user):
    steps = [
        {
            "order": 1,
            "name": "Email",
            "trigger": "dpd",
            "trigger_days": 1,
            "action": "email",
            "template": "overdue-email",
            "on_unusable": "substitute",
            "substitute_action": "sms",
            "substitute_template": "overdue-sms",
        },
        {
            "order": 2,
            "name": "Call",
            "trigger": "dpd",
            "trigger_days": 5,
            "action": "call_task",
            "on_unusable": "wait",
        },
    ]
    response = client_for(admin_user).post(URL, body(steps=steps), format="json")
    assert response.status_code == 201, response.json()
    policy = EscalationPolicy.objects.get(code="standard", status="draft")
    email, call = policy.steps.all()
    assert (email.on_unusable, email.substitute_action) == ("substitute", "sms")
    assert email.substitute_template_code == "overdue-sms"
    assert call.on_unusable == "wait"
    assert response.json()["steps"][0]["substitute_template"] == "overdue-sms"


def test_a_substitute_needs_another_channel_and_its_template(admin_user):
    steps = [
        {
            "order": 1,
            "name": "Email",
            "trigger": "dpd",
            "trigger_days": 1,
            "action": "email",
            "template": "overdue-email",
            "on_unusable": "substitute",
            "substitute_action": "email",
        },
        {
            "order": 2,
            "name": "SMS",
            "trigger": "dpd",
            "trigger_days": 2,
            "action": "sms",
            "template": "overdue-sms",
            "on_unusable": "substitute",
            "substitute_action": "letter",
        },
        {
            "order": 3,
            "name": "Review",
            "trigger": "dpd",
            "trigger_days": 60,
            "action": "supervisor_review",
            "on_unusable": "substitute",
            "substitute_action": "sms",
        },
    ]
    response = client_for(admin_user).post(URL, body(steps=steps), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {
        "steps[0].substitute_action",
        "steps[1].substitute_template",
        "steps[2].on_unusable",
    } <= set(errors)
