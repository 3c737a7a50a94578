"""Sessions end after SESSION_IDLE_MINUTES without a request (30) and
SESSION_MAX_HOURS after sign-in (12) whatever the activity: a collector's unlocked
screen in a branch does not stay signed in to debtors' data."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def signed_in(client, collector, time_machine):
    time_machine.move_to(START, tick=False)
    response = client.post(
        "/accounts/login/", {"username": "collector", "password": "pass-word-123"}
    )
    assert response.status_code == 302, response.content
    assert client.get("/work/").status_code == 200
    return client


def at(time_machine, minutes: float) -> None:
    time_machine.move_to(START + dt.timedelta(minutes=minutes), tick=False)


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        "/accounts/login/"
    )


def test_a_session_idle_longer_than_the_timeout_is_signed_out(signed_in, time_machine):
    at(time_machine, 31)

    response = signed_in.get("/work/")

    assert signed_out(response)
    assert "_auth_user_id" not in signed_in.session
    page = signed_in.get(response["Location"]).content.decode()
    assert "30 minutes" in page  # the login page says why


def test_a_session_used_within_the_timeout_stays_signed_in(signed_in, time_machine):
    for minutes in (29, 58, 87, 116):
        at(time_machine, minutes)
        assert signed_in.get("/work/").status_code == 200


def test_a_busy_session_still_ends_at_its_absolute_lifetime(signed_in, time_machine):
    minutes = 0
    while minutes < 12 * 60 - 20:
        minutes += 20
        at(time_machine, minutes)
        assert signed_in.get("/work/").status_code == 200, minutes

    at(time_machine, 12 * 60 + 1)
    response = signed_in.get("/work/")

    assert signed_out(response)
    assert "12 hours" in signed_in.get(response["Location"]).content.decode()


def test_the_timeouts_are_settings(signed_in, time_machine, settings):
    settings.SESSION_IDLE_MINUTES = 5

    at(time_machine, 6)

    assert signed_out(signed_in.get("/work/"))


def test_an_idle_htmx_request_is_sent_to_the_login_page(signed_in, time_machine):
    at(time_machine, 31)

    response = signed_in.get(
        "/work/",
        {"q": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/work/"},
    )

    assert response["HX-Redirect"].startswith("/accounts/login/?next=/work/")


def test_an_idle_session_on_the_api_is_refused(signed_in, time_machine):
    at(time_machine, 31)

    response = signed_in.get("/api/v1/cases/")

    assert response.status_code in (401, 403)


def test_a_session_started_before_the_timeouts_existed_gets_its_clock(
    client, collector, time_machine
):
    from core.middleware import SESSION_SEEN, SESSION_STARTED

    time_machine.move_to(START, tick=False)
    client.force_login(collector)
    session = client.session
    del session[SESSION_STARTED], session[SESSION_SEEN]  # as before the time-outs
    session.save()

    at(time_machine, 40)
    assert client.get("/work/").status_code == 200  # the clock starts now
    at(time_machine, 60)
    assert client.get("/work/").status_code == 200
    at(time_machine, 91)
    assert signed_out(client.get("/work/"))


def test_a_forced_login_counts_from_the_sign_in(client, collector, time_machine):
    time_machine.move_to(START, tick=False)
    client.force_login(collector)

    at(time_machine, 31)

    assert signed_out(client.get("/work/"))
