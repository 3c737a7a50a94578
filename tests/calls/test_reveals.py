"""Revealing masked PII asks for a reason, kept on the audit row, and is limited per
user per hour (PII_REVEAL_LIMIT_PER_HOUR): beyond the limit a clear refusal naming
it, 429."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from calls import services
from calls.models import PiiReveal
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def reveal_url(case):
    return f"/cases/{case.reference}/reveal/"


# --- the service ------------------------------------------------------------------


def test_a_reveal_keeps_its_reason_on_the_audit_row(collector, case, phone):
    value = services.pii_reveal(
        user=collector,
        case=case,
        field="contact_point",
        contact_point=phone,
        reason="Customer asked to confirm the number we hold",
    )

    assert value == phone.value
    reveal = PiiReveal.objects.get()
    assert reveal.reason == "Customer asked to confirm the number we hold"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reveal_without_a_reason_is_refused_naming_the_reason(
    collector, case, reason
):
    with pytest.raises(ApplicationError) as excinfo:
        services.pii_reveal(
            user=collector, case=case, field="national_id", reason=reason
        )

    assert "reason" in excinfo.value.errors
    assert not PiiReveal.objects.exists()


@override_settings(PII_REVEAL_LIMIT_PER_HOUR=2)
def test_reveals_beyond_the_hourly_limit_are_refused_with_429(collector, case):
    for _ in range(2):
        services.pii_reveal(
            user=collector, case=case, field="national_id", reason="identity check"
        )

    with pytest.raises(ApplicationError) as excinfo:
        services.pii_reveal(
            user=collector, case=case, field="address", reason="letter returned"
        )

    assert excinfo.value.status == 429
    assert excinfo.value.code == "rate_limited"
    assert "2 reveals per hour" in excinfo.value.message
    assert PiiReveal.objects.count() == 2


@override_settings(PII_REVEAL_LIMIT_PER_HOUR=2)
def test_reveals_older_than_an_hour_and_other_users_reveals_do_not_count(
    collector, teammate, case
):
    for user in (collector, teammate, teammate):
        services.pii_reveal(
            user=user, case=case, field="national_id", reason="identity check"
        )
    PiiReveal.objects.filter(user=collector).update(
        revealed_at=timezone.now() - dt.timedelta(minutes=61)
    )

    for _ in range(2):
        services.pii_reveal(
            user=collector, case=case, field="national_id", reason="identity check"
        )

    assert PiiReveal.objects.filter(user=collector).count() == 3


# --- the case page ------------------------------------------------------------------


def test_the_reveal_button_asks_for_a_reason_first(web, case, phone):
    response = web.get(
        reveal_url(case),
        {"field": "contact_point", "contact_point": phone.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'name="reason"' in response.text
    assert f'id="pt-{phone.pk}"' in response.text
    assert phone.value not in response.text
    assert not PiiReveal.objects.exists()


def test_the_reason_form_reveals_the_value_and_records_the_reason(web, case, phone):
    response = web.post(
        reveal_url(case),
        {
            "field": "contact_point",
            "contact_point": phone.pk,
            "reason": "Customer disputes the number",
        },
        headers={"HX-Request": "true"},
    )

    assert phone.value in response.text
    assert PiiReveal.objects.get().reason == "Customer disputes the number"
    page = web.get(f"/cases/{case.reference}/").text
    assert "Customer disputes the number" in page


def test_a_reveal_without_a_reason_shows_the_form_again(web, case):
    response = web.post(
        reveal_url(case), {"field": "national_id"}, headers={"HX-Request": "true"}
    )

    assert 'name="reason"' in response.text
    assert "errorlist" in response.text
    assert case.customer.national_id not in response.text
    assert not PiiReveal.objects.exists()


def test_without_javascript_the_reason_page_then_the_case_page_with_the_value(
    web, case
):
    form = web.get(reveal_url(case), {"field": "national_id"})
    assert form.status_code == 200
    assert 'name="reason"' in form.text

    response = web.post(
        reveal_url(case), {"field": "national_id", "reason": "identity check"}
    )

    assert case.customer.national_id in response.text
    assert PiiReveal.objects.filter(field="national_id").count() == 1


@override_settings(PII_REVEAL_LIMIT_PER_HOUR=1)
def test_the_page_refuses_a_reveal_beyond_the_limit_naming_it(web, case):
    body = {"field": "national_id", "reason": "identity check"}
    web.post(reveal_url(case), body)

    response = web.post(reveal_url(case), body)

    assert response.status_code == 429
    assert "1 reveals per hour" in response.text
    assert case.customer.national_id not in response.text
    assert PiiReveal.objects.count() == 1


def test_the_reveal_form_is_in_chinese_for_a_chinese_user(web, case):
    response = web.get(
        reveal_url(case),
        {"field": "national_id"},
        headers={"HX-Request": "true", "Accept-Language": "zh-hans"},
    )

    assert "查看原因" in response.text
