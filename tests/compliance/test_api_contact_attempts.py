"""/api/v1/contact-attempts/: external attempts recorded, the ledger filtered."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from compliance.models import ContactAttempt
from tests.api import client_for
from tests.cases.factories import CaseFactory, LoanFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contact-attempts/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def reported_the_same_morning(time_machine):
    """The attempts below happened on 2026-03-02 and are reported that morning: the
    API refuses attempts in the future or weeks old (test_external_attempt_bounds)."""
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False)


def attempt_body(case, **overrides) -> dict:
    body = {
        "customer": case.customer.reference,
        "channel": "call",
        "contact_point": "13800138000",
        "at": "2026-03-02T09:00:00+08:00",
        "outcome": "no_answer",
        "source": "dialer-x",
    }
    return body | overrides


def test_an_external_attempt_is_recorded_in_the_ledger(admin_user, case):
    loan = LoanFactory(customer=case.customer)

    response = client_for(admin_user).post(
        URL, attempt_body(case, loan=loan.reference), format="json"
    )

    assert response.status_code == 201, response.json()
    payload = response.json()
    assert payload["outcome"] == "no_answer"
    assert payload["source"] == "dialer-x"
    assert payload["loan"] == loan.reference
    assert payload["contact_point"] == "+86138****8000"
    assert payload["allowed"] is True
    assert payload["decision"] is None
    attempt = ContactAttempt.objects.get()
    assert attempt.contact_point.value == "+8613800138000"
    assert attempt.at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert attempt.actor == admin_user


def test_external_attempts_count_toward_the_daily_cap(collector, case):
    client = client_for(collector)
    for minute in range(0, 60, 10):
        at = dt.datetime(2026, 3, 2, 9, minute, tzinfo=SHANGHAI).isoformat()
        response = client.post(URL, attempt_body(case, at=at), format="json")
        assert response.status_code == 201

    decision = client.post(
        "/api/v1/compliance/check/",
        {
            "customer": case.customer.reference,
            "channel": "call",
            "contact_point": "+8613800138000",
            "at": "2026-03-02T10:00:00+08:00",
        },
        format="json",
    ).json()

    # cn: at most 6 unanswered attempts per contact point per day (CN.ATT6).
    assert decision["allowed"] is False
    assert "frequency_cap" in [r["code"] for r in decision["reasons"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "exploded"}, "outcome"),
        ({"channel": "sms", "outcome": "no_answer"}, "outcome"),
        ({"contact_point": "12"}, "contact_point"),
        ({"at": "noon"}, "at"),
        ({"source": ""}, "source"),
        ({"loan": "NOPE"}, "loan"),
    ],
)
def test_bad_attempt_input_names_the_field(collector, case, change, field):
    response = client_for(collector).post(
        URL, attempt_body(case, **change), format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not ContactAttempt.objects.exists()


def test_recording_for_a_customer_outside_ones_cases_is_404(collector, other_queue):
    theirs = CaseFactory(queue=other_queue)

    response = client_for(collector).post(URL, attempt_body(theirs), format="json")

    assert response.status_code == 404
    assert not ContactAttempt.objects.exists()


def make_attempt(case, **kwargs) -> ContactAttempt:
    values = {
        "customer": case.customer,
        "case": case,
        "channel": "call",
        "at": dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),
        "allowed": True,
        "result": "no_answer",
        "contact_value": "+8613800138000",
    } | kwargs
    return ContactAttempt.objects.create(**values)


def test_the_ledger_filters_by_customer_case_channel_outcome_and_time(
    collector, case, queue
):
    other_case = CaseFactory(queue=queue)
    call = make_attempt(case)
    sms = make_attempt(
        case,
        channel="sms",
        result="sent",
        at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI),
    )
    talk = make_attempt(other_case, result="conversation")
    client = client_for(collector)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {call.pk, sms.pk, talk.pk}
    assert ids(customer=case.customer.reference) == {call.pk, sms.pk}
    assert ids(case=other_case.reference) == {talk.pk}
    assert ids(channel="sms") == {sms.pk}
    assert ids(outcome="conversation") == {talk.pk}
    assert ids(result="no_answer") == {call.pk}
    assert ids(at_after="2026-03-03T00:00:00+08:00") == {sms.pk}
    assert ids(at_before="2026-03-02T23:59:59+08:00") == {call.pk, talk.pk}


def test_a_bad_filter_value_is_400_naming_it(collector, case):
    response = client_for(collector).get(URL, {"channel": "fax"})

    assert response.status_code == 400
    assert "channel" in response.json()["errors"]


def test_the_ledger_shows_only_customers_one_may_see(collector, case, other_queue):
    mine = make_attempt(case)
    make_attempt(CaseFactory(queue=other_queue))

    response = client_for(collector).get(URL)

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_the_ledger_list_uses_a_bounded_number_of_queries(
    admin_user, case, django_assert_max_num_queries
):
    for hour in range(8, 18):
        make_attempt(case, at=dt.datetime(2026, 3, 2, hour, tzinfo=SHANGHAI))
    client = client_for(admin_user)

    with django_assert_max_num_queries(4):
        response = client.get(URL)

    assert response.json()["count"] == 10
