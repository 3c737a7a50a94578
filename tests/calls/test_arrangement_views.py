"""The promise and plan pages, the guided call and the API under arrangement terms,
supersede and cease (decision 46); skip and release over the API (decision 43).
Through the HTTP client."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calls import services
from cases.models import ArrangementTerms, Case, PromiseToPay, RepaymentPlan
from cases.services import promise_record
from tests.calls.conftest import make_case
from tests.compliance.factories import ContactRestrictionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


@pytest.fixture
def api(collector):
    client = APIClient()
    client.force_authenticate(collector)
    return client


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def personal_terms(**values):
    base = {
        "promise_max_days": 30,
        "plan_max_instalments": 3,
        "plan_max_days": 200,
        "max_first_payment_days": 20,
        "min_instalment": Decimal("0"),
    }
    return ArrangementTerms.objects.create(
        product="personal_loan", **{**base, **values}
    )


# --- the case page and the guided call under a cease request -----------------------


def test_a_ceased_case_offers_no_promise_or_plan(web, case):
    page = web.get(f"/cases/{case.reference}/").text
    assert f"/cases/{case.reference}/promise/" in page

    ContactRestrictionFactory(customer=case.customer)

    page = web.get(f"/cases/{case.reference}/").text
    assert f"/cases/{case.reference}/promise/" not in page
    assert f"/cases/{case.reference}/plan/" not in page
    assert 'id="no-arrangements"' in page
    promise_page = web.get(f"/cases/{case.reference}/promise/").text
    assert (
        'id="ceased"' in promise_page
        and "<form" not in promise_page.split('id="ceased"')[1].split("</main>")[0]
    )


def test_a_posted_promise_on_a_ceased_case_is_refused_with_409(web, case):
    ContactRestrictionFactory(customer=case.customer)

    response = web.post(
        f"/cases/{case.reference}/promise/", {"amount": "100", "due_date": days(5)}
    )

    assert response.status_code == 409
    assert not PromiseToPay.objects.exists()


def test_the_guided_call_offers_no_promise_outcome_when_ceased(case):
    from calls.forms import CallOutcomeForm

    open_form = CallOutcomeForm(stage="resolve")
    ceased_form = CallOutcomeForm(stage="resolve", ceased=True)

    assert "promise_to_pay" in dict(open_form.fields["outcome"].choices)
    assert "promise_to_pay" not in dict(ceased_form.fields["outcome"].choices)
    assert "plan_agreed" not in dict(ceased_form.fields["outcome"].choices)
    assert "promise_amount" not in ceased_form.fields
    assert "callback_at" in ceased_form.fields


# --- supersede on the pages --------------------------------------------------------


def test_the_promise_page_shows_the_arrangement_in_force_and_needs_supersede(web, case):
    old = promise_record(
        case=case,
        amount=Decimal("100"),
        due_date=(timezone.localdate() + dt.timedelta(days=3)),
    )
    page = web.get(f"/cases/{case.reference}/promise/").text
    assert 'id="in-force"' in page and 'name="supersede"' in page

    refused = web.post(
        f"/cases/{case.reference}/promise/", {"amount": "200", "due_date": days(7)}
    )
    assert refused.status_code == 400
    assert "supersedes it" in refused.text

    done = web.post(
        f"/cases/{case.reference}/promise/",
        {
            "amount": "200",
            "due_date": days(7),
            "supersede": "on",
            "supersede_reason": "new pay day",
        },
    )
    assert done.status_code == 302
    old.refresh_from_db()
    assert old.status == PromiseToPay.Status.CANCELLED


def test_the_guided_call_promise_needs_supersede_too(case):
    from calls.forms import CallOutcomeForm

    promise_record(case=case, amount=Decimal("100"), due_date=timezone.localdate())
    form = CallOutcomeForm(stage="resolve", in_force=["promise"], ceased=False)
    assert "promise_supersede" in form.fields


# --- the plan calculator: preview = proposal -------------------------------------


def plan_post(**values):
    body = {
        "kind": "instalments",
        "total": "1000",
        "count": "4",
        "first_due_date": days(10),
        "every_days": "30",
        "reason": "",
    }
    body.update(values)
    return body


def test_the_preview_of_a_plan_beyond_the_terms_asks_for_the_reason(web, case):
    personal_terms()

    preview = web.post(f"/cases/{case.reference}/plan/", plan_post(preview="1"))
    assert preview.status_code == 400
    assert "outside the terms" in preview.text
    assert 'aria-label="Schedule preview"' not in preview.text

    with_reason = web.post(
        f"/cases/{case.reference}/plan/",
        plan_post(preview="1", reason="Seasonal income."),
    )
    assert with_reason.status_code == 200
    assert 'id="outside-terms"' in with_reason.text
    assert "4 instalments, above the 3 of personal_loan" in with_reason.text

    proposed = web.post(
        f"/cases/{case.reference}/plan/",
        plan_post(propose="1", reason="Seasonal income."),
    )
    assert proposed.status_code == 302
    plan = RepaymentPlan.objects.get()
    assert plan.status == RepaymentPlan.Status.PROPOSED
    assert "above the 3 of personal_loan" in plan.outside_terms


def test_the_supervisor_sees_why_a_plan_is_outside_the_terms(web, case, supervisor):
    from django.test import Client

    personal_terms()
    web.post(
        f"/cases/{case.reference}/plan/",
        plan_post(propose="1", reason="Seasonal income."),
    )
    client = Client()
    client.force_login(supervisor)
    page = client.get("/supervisor/approvals/").text
    assert "Outside the terms:" in page
    assert "above the 3 of personal_loan" in page


# --- the API -----------------------------------------------------------------------


def test_the_api_refuses_a_promise_beyond_the_horizon_naming_the_field(api, case):
    personal_terms()

    response = api.post(
        "/api/v1/promises/",
        {"case": case.reference, "amount": "100", "due_date": days(31)},
        format="json",
    )

    assert response.status_code == 400
    assert "within 30 days" in response.json()["errors"]["due_date"][0]


def test_the_api_answers_409_for_a_ceased_customer(api, case):
    ContactRestrictionFactory(customer=case.customer)

    response = api.post(
        "/api/v1/repayment-plans/",
        {
            "case": case.reference,
            "kind": "instalments",
            "instalments": [{"due_date": days(10), "amount": "100"}],
        },
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "cease_communication"


def test_the_api_plan_lists_where_it_is_outside_the_terms(api, case):
    personal_terms(plan_max_instalments=1)
    body = {
        "case": case.reference,
        "kind": "instalments",
        "instalments": [
            {"due_date": days(10), "amount": "100"},
            {"due_date": days(40), "amount": "100"},
        ],
        "reason": "Two pay days.",
    }

    response = api.post("/api/v1/repayment-plans/", body, format="json")

    assert response.status_code == 201
    assert response.json()["outside_terms"] == [
        "2 instalments, above the 1 of personal_loan"
    ]
    assert response.json()["status"] == "proposed"

    again = api.post("/api/v1/repayment-plans/", body, format="json")
    assert again.status_code == 400
    assert "supersede" in again.json()["errors"]
    superseding = api.post(
        "/api/v1/repayment-plans/", {**body, "supersede": True}, format="json"
    )
    assert superseding.status_code == 201
    assert superseding.json()["supersedes"] is True


def test_skip_over_the_api_needs_a_reason_and_holds_the_case(
    api, collector, queue, working_hours
):
    case = make_case(queue, reference="CASE-HELD", priority=50)
    assert services.call_task_claim_next(user=collector).case_id == case.pk

    missing = api.post(f"/api/v1/cases/{case.reference}/skip/", {}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["errors"]

    done = api.post(
        f"/api/v1/cases/{case.reference}/skip/",
        {"reason": "at work until 18:00"},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["reference"] == case.reference
    case.refresh_from_db()
    assert case.next_call_reason == Case.NextCall.SKIPPED
    assert case.next_call_at > timezone.now()
    assert case.history.first().history_change_reason == (
        "skipped: at work until 18:00"
    )

    again = api.post(
        f"/api/v1/cases/{case.reference}/skip/", {"reason": "x"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "not_claimed"


def test_release_over_the_api_gives_the_case_back(api, collector, queue, working_hours):
    case = make_case(queue, reference="CASE-HELD", priority=50)
    task = services.call_task_claim_next(user=collector)

    response = api.post(f"/api/v1/cases/{case.reference}/release/")

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.claimed_by is None
    assert api.post(f"/api/v1/cases/{case.reference}/release/").status_code == 409


def test_skip_of_a_case_you_may_not_see_is_404(queue, working_hours, outsider):
    case = make_case(queue, reference="CASE-HELD")
    client = APIClient()
    client.force_authenticate(outsider)

    response = client.post(
        f"/api/v1/cases/{case.reference}/skip/", {"reason": "x"}, format="json"
    )

    assert response.status_code in (403, 404)
