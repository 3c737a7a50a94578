"""The signed-in landing pages: each role reaches its own page and no other, `/`
sends each role home, anonymous users go to the login page, login and logout work."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.cases.factories import CaseFactory, CustomerFactory, UserFactory

PAGES = {
    "collector": "/collector/",
    "supervisor": "/supervisor/",
    "admin": "/configuration/",
}


@pytest.fixture
def users(collector, supervisor, admin_user):
    return {"collector": collector, "supervisor": supervisor, "admin": admin_user}


@pytest.mark.django_db
@pytest.mark.parametrize("role", PAGES)
def test_each_role_page_renders_for_its_role_and_is_forbidden_to_the_others(
    client, users, role
):
    for page_role, url in PAGES.items():
        client.force_login(users[role])
        response = client.get(url)
        expected = 200 if page_role == role else 403
        assert response.status_code == expected, f"{role} on {url}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", PAGES)
def test_the_root_sends_each_role_to_its_page(client, users, role):
    client.force_login(users[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == PAGES[role]


@pytest.mark.django_db
def test_a_user_with_two_roles_lands_on_the_more_senior_page(client):
    user = UserFactory(username="both", roles=["collector", "supervisor"])
    client.force_login(user)
    assert client.get("/")["Location"] == PAGES["supervisor"]


@pytest.mark.django_db
def test_a_user_without_a_role_is_told_so(client):
    client.force_login(UserFactory(username="nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert "No role assigned" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", *PAGES.values()])
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_the_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="password"' in response.text


@pytest.mark.django_db
def test_logging_in_lands_on_the_role_page_and_logging_out_ends_the_session(
    client, collector
):
    response = client.post(
        reverse("login"),
        {"username": "collector", "password": "pass-word-123"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == PAGES["collector"]
    assert response.status_code == 200
    assert SESSION_KEY in client.session

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session
    assert client.get(PAGES["collector"]).status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_does_not_log_in(client, collector):
    response = client.post(
        reverse("login"), {"username": "collector", "password": "wrong"}
    )
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "didn" in response.text  # "Your username and password didn't match"


@pytest.mark.django_db
def test_logout_by_get_is_refused(client, collector):
    # Django 5 logs out only on POST, so a link or image tag cannot sign anyone out.
    client.force_login(collector)
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert SESSION_KEY in client.session


@pytest.mark.django_db
def test_the_collector_page_lists_only_cases_the_collector_may_see(
    client, collector, queue, other_queue
):
    mine = CaseFactory(
        reference="CASE-MINE",
        queue=queue,
        customer=CustomerFactory(full_name="王小明"),
        priority=5,
    )
    theirs = CaseFactory(
        reference="CASE-THEIRS",
        queue=other_queue,
        customer=CustomerFactory(full_name="李华"),
        priority=50,
    )
    client.force_login(collector)
    response = client.get(PAGES["collector"])
    assert response.status_code == 200
    assert mine.reference in response.text
    assert "王小明" in response.text
    assert theirs.reference not in response.text
    assert "李华" not in response.text


@pytest.mark.django_db
def test_the_collector_page_sees_cases_assigned_to_them_outside_their_queues(
    client, collector, other_queue
):
    assigned = CaseFactory(
        reference="CASE-ASSIGNED", queue=other_queue, assigned_to=collector
    )
    client.force_login(collector)
    assert assigned.reference in client.get(PAGES["collector"]).text


@pytest.mark.django_db
def test_the_collector_page_runs_a_bounded_number_of_queries(
    client, collector, queue, django_assert_max_num_queries
):
    for _ in range(25):
        CaseFactory(queue=queue)
    client.force_login(collector)
    client.get(PAGES["collector"])  # warm the session and per-process caches
    # 12, plus the callable-now candidates of the queues and of the assigned
    # cases (decision 42) and the callback diary.
    with django_assert_max_num_queries(15):
        response = client.get(PAGES["collector"])
    assert response.status_code == 200
    assert response.text.count("CASE") >= 10


@pytest.mark.django_db
def test_the_supervisor_page_shows_the_supervised_team(client, supervisor, team):
    client.force_login(supervisor)
    response = client.get(PAGES["supervisor"])
    assert team.name in response.text


@pytest.mark.django_db
def test_the_configuration_page_links_to_the_django_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.get(PAGES["admin"])
    assert reverse("admin:index") in response.text


def test_the_navigation_shows_the_links_of_the_users_roles(
    client, collector, admin_user
):
    client.force_login(collector)
    page = client.get("/collector/").content.decode()
    assert 'href="/collector/"' in page
    assert 'href="/configuration/"' not in page
    client.force_login(admin_user)
    page = client.get("/configuration/").content.decode()
    assert 'href="/configuration/"' in page
    assert 'href="/admin/"' in page


def test_repeated_failed_logins_lock_the_account_from_that_address(client, collector):
    answers = [
        client.post(
            "/accounts/login/", {"username": "collector", "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]
    # The form again with an error, until the fifth failure locks the pair out.
    assert answers == [200, 200, 200, 200, 429]
    locked = client.post(
        "/accounts/login/", {"username": "collector", "password": "pass-word-123"}
    )
    assert locked.status_code == 429
    assert "temporarily locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_carry_a_strict_content_security_policy(client, collector):
    client.force_login(collector)
    response = client.get("/collector/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    # No inline handlers for the policy to block: behaviour lives in static/js/app.js.
    assert "onchange=" not in response.content.decode()
