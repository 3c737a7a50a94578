"""Rule packs cannot be loosened below the law (#16 item 5): a draft beyond a floor
is refused unless it carries a legal-review override; the override needs a second
admin's approval before activation; the draft page and its simulation warn, in
both languages; the direct ways to change a pack (API PATCH, Django admin) refuse."""

import pytest
from django.conf import settings
from django.urls import reverse

from compliance.models import RulePack
from configuration import selectors, services
from configuration.models import RulePackDraft
from core.errors import ApplicationError, ConflictError
from tests.api import client_for
from tests.cases.factories import UserFactory

from .conftest import AT
from .test_views import rule_pack_post

pytestmark = pytest.mark.django_db

LATE = {"contact_window": {"end": "23:00"}}


@pytest.fixture
def second_admin(db):
    return UserFactory(username="admin2", roles=["admin"], is_staff=True)


def live_version() -> int:
    return RulePack.objects.get(code="cn").version


def test_a_draft_beyond_the_floor_is_refused_without_an_override(admin_user):
    with pytest.raises(ApplicationError) as caught:
        services.rule_pack_draft_create(
            code="cn", parameters=LATE, user=admin_user, reason="late calls"
        )
    assert caught.value.code == "below_legal_floor"
    assert set(caught.value.errors) == {
        "parameters.contact_window.end",
        "override_reason",
    }
    assert "22:00" in caught.value.errors["parameters.contact_window.end"][0]
    assert not RulePackDraft.objects.exists()


def test_an_override_needs_a_second_admin_before_activation(admin_user, second_admin):
    version = live_version()
    draft = services.rule_pack_draft_create(
        code="cn",
        parameters=LATE,
        user=admin_user,
        reason="late calls",
        override_reason="Counsel opinion 2026-14: agreed with each debtor",
    )
    assert [b["path"] for b in draft.floor_breaches] == ["contact_window.end"]
    assert draft.needs_override_approval
    with pytest.raises(ConflictError) as refused:
        services.rule_pack_draft_activate(draft=draft, user=admin_user)
    assert refused.value.code == "override_not_approved"
    with pytest.raises(ApplicationError) as four_eyes:
        services.rule_pack_draft_approve_override(draft=draft, user=admin_user)
    assert four_eyes.value.status == 403
    assert live_version() == version

    draft = services.rule_pack_draft_approve_override(draft=draft, user=second_admin)
    assert draft.override_approved_by == second_admin
    with pytest.raises(ConflictError):
        services.rule_pack_draft_approve_override(draft=draft, user=second_admin)
    pack = services.rule_pack_draft_activate(draft=draft, user=admin_user)
    assert pack.version == version + 1
    assert pack.parameters["contact_window"]["end"] == "23:00"
    reason = pack.history.first().history_change_reason
    assert "legal override, admin2" in reason
    reasons = [h.history_change_reason for h in draft.history.all()]
    assert "legal-review override approved" in reasons


def test_a_draft_within_the_law_needs_no_override_and_keeps_none(admin_user):
    draft = services.rule_pack_draft_create(
        code="cn",
        parameters={"contact_window": {"end": "21:00"}},
        user=admin_user,
        reason="earlier evenings",
        override_reason="not needed",
    )
    assert draft.floor_breaches == [] and draft.override_reason == ""
    with pytest.raises(ConflictError):
        services.rule_pack_draft_approve_override(draft=draft, user=admin_user)
    services.rule_pack_draft_activate(draft=draft, user=admin_user)


def test_the_simulation_of_a_draft_beyond_the_floor_says_so(
    admin_user, portfolio, live
):
    draft = services.rule_pack_draft_create(
        code="cn",
        parameters=LATE,
        user=admin_user,
        reason="late calls",
        override_reason="counsel",
    )
    result = selectors.rule_pack_simulation(draft=draft, at=AT).as_dict()
    assert [b["path"] for b in result["floor_breaches"]] == ["contact_window.end"]


# --- API ---


def test_the_api_refuses_a_breach_then_takes_an_override(admin_user, second_admin):
    api = client_for(admin_user)
    url = reverse("api:rule-pack-drafts", args=["cn"])
    refused = api.post(url, {"parameters": LATE, "reason": "late"}, format="json")
    assert refused.status_code == 400
    assert "parameters.contact_window.end" in refused.json()["errors"]
    made = api.post(
        url,
        {"parameters": LATE, "reason": "late", "override_reason": "counsel"},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["floor_breaches"][0]["path"] == "contact_window.end"
    assert body["floor_breaches"][0]["citation"]
    assert body["override_approved_by"] is None
    number = body["number"]
    activate = reverse("api:rule-pack-draft-activate", args=["cn", number])
    approve = reverse("api:rule-pack-draft-approve-override", args=["cn", number])
    assert api.post(activate).status_code == 409
    assert api.post(approve).status_code == 403
    approved = client_for(second_admin).post(approve)
    assert approved.status_code == 200
    assert approved.json()["override_approved_by"] == "admin2"
    assert api.post(activate).status_code == 200


def test_the_direct_patch_refuses_a_breach(admin_user):
    version = live_version()
    response = client_for(admin_user).patch(
        reverse("api:rule-pack-detail", args=["cn"]),
        {
            "parameters": {"frequency_caps": []},
            "reason": "no caps",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "parameters.frequency_caps[unanswered_per_point]" in errors
    assert "parameters.frequency_caps[conversations_per_debtor]" in errors
    assert live_version() == version


# --- pages ---


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_form_names_the_field_and_asks_for_the_override(admin_client):
    pack = RulePack.objects.get(code="cn")
    url = reverse("configuration:rule-pack", args=["cn"])
    response = admin_client.post(url, rule_pack_post(pack, window_end="23:00"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "22:00" in str(form.errors["window_end"])
    assert "override_reason" in form.errors
    assert not RulePackDraft.objects.exists()

    response = admin_client.post(
        url, rule_pack_post(pack, window_end="23:00", override_reason="counsel")
    )
    draft = RulePackDraft.objects.get()
    assert response.url == reverse("configuration:rule-pack-draft", args=["cn", 1])
    page = admin_client.get(response.url).content.decode()
    assert 'id="floor-breaches"' in page and "contact_window.end" in page
    assert 'id="override-pending"' in page
    # The author sees no approve button, and activation is disabled.
    assert 'id="approve-override"' not in page
    assert 'id="activate" disabled' in page
    assert draft.needs_override_approval


def test_a_second_admin_approves_from_the_page_in_chinese(
    admin_user, second_admin, client
):
    draft = services.rule_pack_draft_create(
        code="cn",
        parameters=LATE,
        user=admin_user,
        reason="late calls",
        override_reason="counsel",
    )
    client.force_login(second_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page_url = reverse("configuration:rule-pack-draft", args=["cn", draft.number])
    page = client.get(page_url).content.decode()
    assert "超出法定底线" in page  # "Beyond the legal floor"
    assert "法律允许的最晚联系时间为 22:00" in page  # the breach, in Chinese
    assert 'id="approve-override"' in page
    response = client.post(
        reverse(
            "configuration:rule-pack-draft-approve-override",
            args=["cn", draft.number],
        )
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.override_approved_by == second_admin
    page = client.get(page_url).content.decode()
    assert 'id="override-approved"' in page
    assert 'id="activate" disabled' not in page


def test_the_django_admin_refuses_a_breach(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    pack = RulePack.objects.get(code="cn")
    response = client.post(
        reverse("admin:compliance_rulepack_change", args=[pack.pk]),
        {"parameters": '{"contact_window": {"end": "23:00"}}', "change_reason": "x"},
    )
    assert response.status_code == 200
    assert "contact_window.end" in response.content.decode()
    assert live_version() == pack.version
