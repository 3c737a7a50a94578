"""Managing tokens and subscriptions in the Django admin."""

import pytest

from integrations.models import IntegrationToken, WebhookSubscription
from integrations.services import secret_hash, token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_an_admin_issues_a_token_in_the_admin_and_sees_the_secret_once(
    admin_client, admin_user
):
    response = admin_client.post(
        "/admin/integrations/integrationtoken/add/",
        {"name": "Agency", "user": admin_user.pk, "scopes": ["cases:read"]},
        follow=True,
    )

    assert response.status_code == 200
    token = IntegrationToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.split(": ")[-1] for m in shown if "cmi_" in m)
    assert token.secret_hash == secret_hash(secret)
    assert token.scopes == ["cases:read"] and token.created_by == admin_user
    page = admin_client.get(f"/admin/integrations/integrationtoken/{token.pk}/change/")
    assert secret not in page.content.decode()


def test_the_revoke_action_revokes(admin_client, admin_user):
    token = token_create(name="t", user=admin_user, scopes=["cases:read"]).token

    admin_client.post(
        "/admin/integrations/integrationtoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_user


def test_the_token_list_and_subscription_pages_render(admin_client, admin_user):
    token_create(name="t", user=admin_user, scopes=["cases:read"])

    assert admin_client.get("/admin/integrations/integrationtoken/").status_code == 200
    assert (
        admin_client.get("/admin/integrations/webhooksubscription/").status_code == 200
    )
    assert (
        admin_client.get("/admin/integrations/webhooksubscription/add/").status_code
        == 200
    )


def test_an_admin_subscribes_in_the_admin_without_echoing_the_secret(admin_client):
    response = admin_client.post(
        "/admin/integrations/webhooksubscription/add/",
        {
            "name": "Core",
            "url": "https://bank.example/hooks",
            "events": ["case.closed", "promise.made"],
            "secret": "",
            "active": "on",
        },
        follow=True,
    )

    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["case.closed", "promise.made"]
    assert subscription.secret.startswith("whsec_")
    page = admin_client.get(
        f"/admin/integrations/webhooksubscription/{subscription.pk}/change/"
    )
    assert subscription.secret not in page.content.decode()

    admin_client.post(
        f"/admin/integrations/webhooksubscription/{subscription.pk}/change/",
        {
            "name": "Core",
            "url": "https://bank.example/hooks",
            "events": ["case.closed"],
            "secret": "",
            "active": "on",
        },
    )
    kept = subscription.secret
    subscription.refresh_from_db()
    assert subscription.events == ["case.closed"] and subscription.secret == kept
