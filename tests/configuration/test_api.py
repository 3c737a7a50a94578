"""The configuration API: admins only, the same validation as the pages."""

import pytest

from cases.models import WorkQueue
from compliance.models import RulePack
from messaging.models import MessageTemplate
from tests.api import client_for

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/templates/", "/api/v1/rule-packs/", "/api/v1/queues/"]


@pytest.mark.parametrize("url", LISTS)
def test_collectors_and_supervisors_get_403(collector, supervisor, url):
    for user in (collector, supervisor):
        assert client_for(user).get(url).status_code == 403


def test_a_supervisor_cannot_change_a_rule_pack(supervisor):
    response = client_for(supervisor).patch(
        "/api/v1/rule-packs/cn/",
        {"parameters": {"contact_window": {"end": "23:00"}}, "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert RulePack.objects.get(code="cn").parameters["contact_window"]["end"] == (
        "22:00"
    )


@pytest.mark.parametrize("url", LISTS)
def test_admins_list_configuration(admin_user, queue, url):
    response = client_for(admin_user).get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_a_template_draft_with_an_unknown_variable_is_400_naming_the_field(
    admin_user,
):
    response = client_for(admin_user).post(
        "/api/v1/templates/",
        {"code": "t", "channel": "sms", "language": "en", "body": "{{ balance }}"},
        format="json",
    )
    assert response.status_code == 400
    assert "balance" in response.json()["errors"]["body"][0]


def test_a_template_draft_is_created_and_activated(admin_user):
    api = client_for(admin_user)
    response = api.post(
        "/api/v1/templates/",
        {"code": "t", "channel": "sms", "language": "en", "body": "Hi {{ name }}"},
        format="json",
    )
    assert (response.status_code, response.json()["status"]) == (201, "draft")
    response = api.post("/api/v1/templates/t/sms/en/1/activate/")
    assert response.json()["status"] == "active"
    assert MessageTemplate.objects.get(code="t").status == "active"


def test_a_rule_pack_cap_of_zero_is_400_naming_the_parameter(admin_user):
    pack = RulePack.objects.get(code="cn")
    caps = [{**pack.parameters["frequency_caps"][0], "max": 0}]
    response = client_for(admin_user).patch(
        "/api/v1/rule-packs/cn/",
        {"parameters": {"frequency_caps": caps}, "reason": "tighter"},
        format="json",
    )
    assert response.status_code == 400
    assert "parameters.frequency_caps.0.max" in response.json()["errors"]


def test_a_rule_pack_change_bumps_the_version(admin_user):
    before = RulePack.objects.get(code="cn").version
    response = client_for(admin_user).patch(
        "/api/v1/rule-packs/cn/",
        {"parameters": {"contact_window": {"end": "21:00"}}, "reason": "earlier"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == before + 1


def test_queues_are_created_and_changed(admin_user, team):
    api = client_for(admin_user)
    response = api.post(
        "/api/v1/queues/",
        {"code": "late", "name": "Late", "team": team.name,
         "criteria": {"buckets": ["31-60"]}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    response = api.put(
        "/api/v1/queues/late/",
        {"name": "Late arrears", "team": "No such team"},
        format="json",
    )
    assert response.status_code == 400
    assert "team" in response.json()["errors"]
    assert WorkQueue.objects.get(code="late").name == "Late"
