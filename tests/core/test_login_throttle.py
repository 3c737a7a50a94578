"""Password spraying: failed logins are also counted per address across usernames,
with their own higher limit (AXES_IP_FAILURE_LIMIT), besides the lockout of one
username from one address (tests/test_pages.py)."""

import pytest

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def try_login(client, username, password="wrong", ip="203.0.113.7"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    ).status_code


def test_forty_usernames_one_try_each_from_one_address_are_locked_out(client, settings):
    answers = [try_login(client, f"user{n}") for n in range(40)]

    limit = settings.AXES_IP_FAILURE_LIMIT
    assert 5 < limit < 40  # higher than one username's limit
    assert answers[: limit - 1] == [200] * (limit - 1)
    assert answers[limit - 1 :] == [429] * (40 - limit + 1)


def test_a_locked_out_address_cannot_sign_in_even_with_the_right_password(
    client, collector, settings
):
    for n in range(settings.AXES_IP_FAILURE_LIMIT):
        try_login(client, f"user{n}")

    assert try_login(client, "collector", "pass-word-123") == 429
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_affected(client, collector, settings):
    for n in range(settings.AXES_IP_FAILURE_LIMIT):
        try_login(client, f"user{n}")

    assert try_login(client, "collector", "pass-word-123", ip="198.51.100.9") == 302


def test_the_limit_is_a_setting(client, settings):
    settings.AXES_IP_FAILURE_LIMIT = 8

    answers = [try_login(client, f"user{n}") for n in range(9)]

    assert answers == [200] * 7 + [429, 429]


def test_a_successful_sign_in_does_not_clear_the_addresss_other_failures(
    client, collector, settings
):
    """A sprayer holding one real account must not reset the count by signing in."""
    limit = settings.AXES_IP_FAILURE_LIMIT
    for n in range(limit - 1):
        try_login(client, f"user{n}")
    assert try_login(client, "collector", "pass-word-123") == 302
    client.logout()

    assert try_login(client, "someone-else") == 429


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, settings):
    """LOGIN_PROXY_COUNT=1 (a TLS proxy in front): the client's X-Forwarded-For
    entries before the proxy's own are ignored, so it cannot pick its address."""
    settings.LOGIN_PROXY_COUNT = 1
    settings.AXES_IP_FAILURE_LIMIT = 3

    def spray(n, real, spoofed):
        return client.post(
            LOGIN,
            {"username": f"user{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"{spoofed}, {real}",
        ).status_code

    answers = [spray(n, "203.0.113.7", f"198.51.100.{n}") for n in range(3)]
    other_client = spray(9, "203.0.113.99", "198.51.100.1")

    assert answers == [200, 200, 429]
    assert other_client == 200
