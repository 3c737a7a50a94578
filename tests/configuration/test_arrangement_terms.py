"""The arrangement terms pages and API (decision 46): every product seen in loans
with its terms, edited by admins with a reason kept in history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import ArrangementTerms
from tests.api import client_for
from tests.cases.factories import LoanFactory

pytestmark = pytest.mark.django_db

FORM = {
    "promise_max_days": "30",
    "plan_max_instalments": "24",
    "plan_max_days": "730",
    "max_first_payment_days": "30",
    "min_instalment": "200",
    "reason": "Credit policy 2026-12",
}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def products():
    LoanFactory(product="auto_loan")
    LoanFactory(product="auto_loan")
    LoanFactory(product="card")


def test_the_list_shows_every_product_in_loans_with_the_defaults(
    admin_client, products, settings
):
    settings.PROMISE_MAX_DAYS = 77

    page = admin_client.get(reverse("configuration:arrangement-terms")).text

    assert 'id="terms-auto_loan"' in page and 'id="terms-card"' in page
    row = page.split('id="terms-auto_loan"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row and "<td>77</td>" in row and "the defaults" in row


def test_an_admin_sets_a_products_terms_with_a_reason(
    admin_client, admin_user, products
):
    url = reverse("configuration:arrangement-terms-edit", args=["auto_loan"])

    response = admin_client.post(url, FORM)

    assert response.status_code == 302
    row = ArrangementTerms.objects.get(product="auto_loan")
    assert (row.plan_max_instalments, row.min_instalment) == (24, Decimal("200"))
    record = row.history.get()
    assert record.history_user == admin_user
    assert record.history_change_reason == "terms set: Credit policy 2026-12"
    page = admin_client.get(url).text
    assert "Credit policy 2026-12" in page  # the history on the page
    listing = admin_client.get(reverse("configuration:arrangement-terms")).text
    assert "its own" in listing.split('id="terms-auto_loan"')[1].split("</tr>")[0]


def test_terms_above_a_setting_are_refused_on_the_field(admin_client, products):
    url = reverse("configuration:arrangement-terms-edit", args=["card"])

    response = admin_client.post(url, {**FORM, "plan_max_instalments": "61"})

    assert response.status_code == 400
    assert "At most 60 (the PLAN_MAX_INSTALMENTS setting)." in response.text
    assert not ArrangementTerms.objects.exists()


def test_a_change_needs_a_reason(admin_client, products):
    url = reverse("configuration:arrangement-terms-edit", args=["card"])

    response = admin_client.post(url, {**FORM, "reason": ""})

    assert response.status_code == 400
    assert not ArrangementTerms.objects.exists()


def test_an_unknown_product_is_404(admin_client):
    url = reverse("configuration:arrangement-terms-edit", args=["nothing"])
    assert admin_client.get(url).status_code == 404


def test_collectors_and_supervisors_cannot_edit_terms(
    client, collector, supervisor, products
):
    url = reverse("configuration:arrangement-terms-edit", args=["card"])
    for user in (collector, supervisor):
        client.force_login(user)
        assert client.post(url, FORM).status_code == 403
    assert not ArrangementTerms.objects.exists()


# --- the API -----------------------------------------------------------------------


def test_the_api_lists_and_sets_terms(admin_user, products):
    api = client_for(admin_user)

    assert api.get("/api/v1/arrangement-terms/").json()["count"] == 0
    shown = api.get("/api/v1/arrangement-terms/auto_loan/").json()
    assert shown["own"] is False and shown["loans"] == 2

    body = {k: v for k, v in FORM.items()}
    for key in ("promise_max_days", "plan_max_instalments", "plan_max_days",
                "max_first_payment_days"):  # fmt: skip
        body[key] = int(body[key])
    response = api.put("/api/v1/arrangement-terms/card/", body, format="json")

    assert response.status_code == 200
    assert response.json()["own"] is True
    assert response.json()["min_instalment"] == "200.00"
    assert ArrangementTerms.objects.get(product="card").history.get().history_user == (
        admin_user
    )
    listed = api.get("/api/v1/arrangement-terms/?product=card").json()
    assert [row["product"] for row in listed["results"]] == ["card"]

    refused = api.put(
        "/api/v1/arrangement-terms/card/",
        {**body, "promise_max_days": 9999},
        format="json",
    )
    assert refused.status_code == 400
    assert "promise_max_days" in refused.json()["errors"]


def test_the_api_is_for_admins_only(collector, supervisor, products):
    for user in (collector, supervisor):
        assert client_for(user).get("/api/v1/arrangement-terms/").status_code == 403
