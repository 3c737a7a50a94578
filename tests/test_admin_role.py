"""The admin role (a staff user in the "admin" group, not a superuser) reaches the
Django admin pages the docs send it to: integration tokens and webhook subscriptions
(docs/integrations.md: admins issue tokens there), import runs, and the approvals and
follow-ups that supervisors of every team see."""

import pytest

from integrations.models import IntegrationToken

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/integrations/integrationtoken/",
    "/admin/integrations/integrationtoken/add/",
    "/admin/integrations/webhooksubscription/",
    "/admin/integrations/webhooksubscription/add/",
    "/admin/imports/importrun/",
    "/admin/supervision/approval/",
    "/admin/supervision/followup/",
]


@pytest.mark.parametrize("url", PAGES)
def test_the_admin_role_opens_the_page(client, admin_user, url):
    assert not admin_user.is_superuser
    client.force_login(admin_user)

    assert client.get(url).status_code == 200


def test_the_admin_role_issues_a_token_in_the_django_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        "/admin/integrations/integrationtoken/add/",
        {"name": "Dialer", "user": admin_user.pk, "scopes": ["cases:read"]},
    )

    assert response.status_code == 302
    assert IntegrationToken.objects.get().created_by == admin_user


@pytest.mark.parametrize(
    "url",
    ["/admin/supervision/approval/", "/admin/supervision/followup/"],
)
def test_the_admin_role_sees_approvals_and_follow_ups_without_changing_them(
    client, admin_user, url
):
    client.force_login(admin_user)
    add = url + "add/"

    assert client.get(add).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_a_supervisor_is_still_sent_to_the_admin_login(client, supervisor, url):
    client.force_login(supervisor)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
