"""Issue 21, fuzzed: whatever token or answer a stranger sends, the self-service
pages never fail (no 5xx), never tell a forged link from an expired one, and never
show the account to anyone who did not give the right answer."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.services import self_service_link_issue
from tests.calls.conftest import make_case

pytestmark = pytest.mark.django_db

TOKEN_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%")


@pytest.fixture
def link(queue):
    case = make_case(queue, reference="CASE-FUZZ", name="李雷")
    case.customer.national_id = "110101199001014321"
    case.customer.save()
    return self_service_link_issue(customer=case.customer, case=case).split(":8000")[1]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(token=st.text(TOKEN_CHARS, min_size=1, max_size=80))
def test_any_token_but_a_live_one_gets_the_one_404_page(link, token):
    client = Client()
    forged = client.get(f"/s/{token}/")
    if f"/s/{token}/" == link:
        return
    assert forged.status_code == 404
    assert "李雷" not in forged.content.decode()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(answer=st.text(TOKEN_CHARS, max_size=12))
def test_no_wrong_answer_shows_the_account(link, answer):
    from cases.models import SelfServiceLink

    SelfServiceLink.objects.update(failed_checks=0, locked_until=None)
    client = Client()
    response = client.post(link, {"answer": answer})
    assert response.status_code < 500
    if answer.strip().upper() == "4321":
        assert response.status_code == 302
    else:
        assert response.status_code in (400, 423)
        assert "1,000" not in response.content.decode()


FIELD_TEXT = st.one_of(
    st.sampled_from(["", "0", "6", "7", "-1", "18:00", "00:00", "24:00", "sms"]),
    st.text(TOKEN_CHARS, max_size=8),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(
        [
            "preferred_hours",
            "preferred_channel",
            "inconvenient_hours",
            "inconvenient_day",
            "not_at_work",
            "opt_out_sms",
            "bogus",
        ]
    ),
    channel=st.one_of(
        st.sampled_from(["sms", "email", "call", "letter", "visit"]), FIELD_TEXT
    ),
    weekday=FIELD_TEXT,
    start=FIELD_TEXT,
    end=FIELD_TEXT,
)
def test_any_contact_preference_is_recorded_or_refused_never_a_500(
    link, kind, channel, weekday, start, end
):
    from cases.models import SelfServiceLink
    from compliance.models import ContactPreference

    SelfServiceLink.objects.update(failed_checks=0, locked_until=None)
    client = Client()
    assert client.post(link, {"answer": "4321"}).status_code == 302
    before = ContactPreference.objects.count()
    response = client.post(
        link + "preference/",
        {
            "kind": kind,
            "channel": channel,
            "weekday": weekday,
            "start_time": start,
            "end_time": end,
        },
    )
    assert response.status_code in (302, 400)
    recorded = ContactPreference.objects.count() - before
    if response.status_code == 400:
        assert recorded == 0
    elif kind != "opt_out_sms":
        assert recorded == 1
