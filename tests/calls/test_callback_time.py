"""Issue 17 item 4: a callback at 23:30 was accepted silently. A callback time the
gate's time-of-day rules forbid is refused on the field, with the gate's reason."""

import datetime as dt

import pytest

from calls.models import CallLog, CallTask
from tests.calls.conftest import SHANGHAI
from tests.calls.test_views import case_url, start_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def _log_callback(web, case, phone, at):
    start_call(web, case, phone)
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    return web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "callback",
            "attitude": "cooperative",
            "callback_at": at.strftime("%Y-%m-%dT%H:%M"),
        },
    )


def test_a_callback_outside_the_window_is_refused_with_the_gates_reason(
    web, case, phone, working_hours
):
    tomorrow = working_hours.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    late = dt.datetime.combine(tomorrow, dt.time(23, 30), tzinfo=SHANGHAI)
    response = _log_callback(web, case, phone, late)
    assert response.status_code == 400
    assert "outside the permitted window" in response.text
    assert not CallLog.objects.exists()


def test_a_callback_inside_the_window_is_scheduled(web, case, phone, working_hours):
    tomorrow = working_hours.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    morning = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=SHANGHAI)
    response = _log_callback(web, case, phone, morning)
    assert response.status_code == 302
    assert CallLog.objects.get().callback_at == morning
    assert CallTask.objects.filter(due_at=morning).exists()
