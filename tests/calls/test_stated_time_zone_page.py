"""The collector records the time zone the customer gave from the case page."""

import pytest
from django.utils import translation

from cases.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def test_the_case_page_links_the_form_and_it_records_the_zone(web, case):
    page = web.get(f"/cases/{case.reference}/").text
    assert f"/cases/{case.reference}/time-zone/" in page
    form = web.get(f"/cases/{case.reference}/time-zone/")
    assert form.status_code == 200 and "America/Los_Angeles" in form.text
    done = web.post(
        f"/cases/{case.reference}/time-zone/",
        {"time_zone": "America/Los_Angeles", "reason": "Moved to LA last month"},
    )
    assert done.status_code == 302
    customer = Customer.objects.get(pk=case.customer.pk)
    assert customer.stated_time_zone == "America/Los_Angeles"
    assert customer.history.first().history_change_reason.endswith("last month")


def test_a_missing_reason_is_refused_on_the_field(web, case):
    response = web.post(
        f"/cases/{case.reference}/time-zone/", {"time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 400
    assert "This field is required" in response.text
    assert Customer.objects.get(pk=case.customer.pk).stated_time_zone == ""


def test_the_page_speaks_chinese(web, case):
    with translation.override("zh-hans"):
        web.cookies["django_language"] = "zh-hans"
        page = web.get(
            f"/cases/{case.reference}/time-zone/", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).text
    assert "记录客户所在地（时区）" in page


def test_another_teams_collector_gets_404(client, outsider, case):
    client.force_login(outsider)
    assert client.get(f"/cases/{case.reference}/time-zone/").status_code == 404
