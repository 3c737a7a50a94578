"""Plan and exception approvals (with reasons, in history) and bulk reassignment."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, RepaymentPlan
from compliance.models import ContactRestriction
from core.errors import ApplicationError
from supervision import selectors, services
from supervision.models import Approval
from tests.api import client_for
from tests.calls.conftest import make_case

from .conftest import make_plan

pytestmark = pytest.mark.django_db


def test_approving_a_plan_activates_it_with_the_supervisor_in_history(
    client, supervisor, collector, team_case
):
    plan = make_plan(team_case, collector)
    client.force_login(supervisor)
    page = client.get(reverse("supervision:approvals"))
    assert plan.reference in page.text
    response = client.post(
        reverse("supervision:plan-decide", args=[plan.reference]),
        {"decision": "approve", "reason": "Income verified."},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.ACTIVE
    assert plan.decided_by == supervisor
    last = plan.history.first()
    assert last.history_user == supervisor
    assert last.history_change_reason == "approved: Income verified."
    history = selectors.decision_history(user=supervisor)
    assert history[0]["reference"] == plan.reference
    assert history[0]["by"] == supervisor
    page = client.get(reverse("supervision:approvals"))
    assert "Income verified." in page.text


def test_rejecting_a_plan_needs_a_reason(supervisor, collector, team_case):
    plan = make_plan(team_case, collector)
    with pytest.raises(ApplicationError) as exc:
        services.plan_decide(user=supervisor, plan=plan, approve=False, reason=" ")
    assert "reason" in exc.value.errors
    services.plan_decide(
        user=supervisor, plan=plan, approve=False, reason="Income not shown."
    )
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.REJECTED
    assert plan.history.first().history_change_reason == "rejected: Income not shown."


def test_another_teams_plan_is_404_on_page_and_api(
    client, supervisor, outsider, other_case
):
    plan = make_plan(other_case, outsider)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:plan-decide", args=[plan.reference]),
        {"decision": "approve"},
    )
    assert response.status_code == 404
    response = client_for(supervisor).post(
        f"/api/v1/approvals/plans/{plan.reference}/decide/",
        {"decision": "approve"},
        format="json",
    )
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.PROPOSED


def test_the_plan_api_lists_waiting_plans_and_decides(supervisor, collector, team_case):
    plan = make_plan(team_case, collector)
    api = client_for(supervisor)
    listed = api.get("/api/v1/approvals/plans/").json()["results"]
    assert [p["reference"] for p in listed] == [plan.reference]
    response = api.post(
        f"/api/v1/approvals/plans/{plan.reference}/decide/",
        {"decision": "reject"},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    response = api.post(
        f"/api/v1/approvals/plans/{plan.reference}/decide/",
        {"decision": "approve", "reason": "ok"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["decided_by"] == "supervisor"
    again = api.post(
        f"/api/v1/approvals/plans/{plan.reference}/decide/",
        {"decision": "approve"},
        format="json",
    )
    assert again.status_code == 409


def test_an_approved_restriction_removal_ends_the_restriction(
    supervisor, collector, team_case
):
    restriction = ContactRestriction.objects.create(
        customer=team_case.customer,
        kind=ContactRestriction.Kind.DISPUTE,
        starts_at=timezone.now() - dt.timedelta(days=3),
        reason="Disputes the fee.",
    )
    response = client_for(collector).post(
        "/api/v1/approvals/",
        {
            "case": team_case.reference,
            "kind": "restriction_removal",
            "restriction": restriction.pk,
            "reason": "Dispute resolved: fee refunded.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    reference = response.json()["reference"]
    # The requester cannot decide their own request.
    approval = Approval.objects.get(reference=reference)
    with pytest.raises(ApplicationError):
        services.approval_decide(
            user=collector, approval=approval, approve=True, reason="mine"
        )
    response = client_for(supervisor).post(
        f"/api/v1/approvals/{reference}/decide/",
        {"decision": "approve", "reason": "Refund confirmed in core banking."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    restriction.refresh_from_db()
    assert restriction.ends_at is not None
    assert restriction.history.first().history_user == supervisor
    approval.refresh_from_db()
    assert approval.history.first().history_user == supervisor
    assert approval.history.first().history_change_reason.startswith("approved")


def test_a_compliance_override_needs_evidence_and_an_expiry(collector, team_case):
    with pytest.raises(ApplicationError) as exc:
        services.approval_request(
            user=collector,
            case=team_case,
            kind="compliance_override",
            reason="Customer asked to be called at 22:30.",
            rule_code="contact_window",
        )
    assert {"evidence", "expires_at"} <= set(exc.value.errors)
    approval = services.approval_request(
        user=collector,
        case=team_case,
        kind="compliance_override",
        reason="Customer asked to be called at 22:30.",
        rule_code="contact_window",
        evidence="Recorded request in call CL-1.",
        expires_at=timezone.now() + dt.timedelta(days=2),
    )
    assert approval.status == Approval.Status.PENDING


def test_a_rejected_request_keeps_the_reason(client, supervisor, collector, team_case):
    approval = services.approval_request(
        user=collector,
        case=team_case,
        kind="compliance_override",
        reason="Evening call.",
        rule_code="contact_window",
        evidence="Asked in writing.",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    client.force_login(supervisor)
    client.post(
        reverse("supervision:approval-decide", args=[approval.reference]),
        {"decision": "reject", "reason": "Use the morning window."},
    )
    approval.refresh_from_db()
    assert approval.status == Approval.Status.REJECTED
    assert approval.decision_reason == "Use the morning window."
    statuses = [h.status for h in approval.history.order_by("history_date")]
    assert statuses == ["pending", "rejected"]


def test_bulk_reassignment_records_the_reason_in_each_cases_history(
    client, supervisor, collector, teammate, queue
):
    cases = [make_case(queue, assigned_to=collector) for _ in range(3)]
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:reassign"),
        {
            "case": [c.reference for c in cases[:2]],
            "collector": "teammate",
            "reason": "Collector on leave.",
        },
    )
    assert response.status_code == 302
    moved = Case.objects.filter(assigned_to=teammate)
    assert {c.reference for c in moved} == {c.reference for c in cases[:2]}
    for case in moved:
        last = case.history.first()
        assert last.history_user == supervisor
        assert last.history_change_reason == "reassigned: Collector on leave."
    assert Case.objects.get(pk=cases[2].pk).assigned_to == collector


def test_reassignment_refuses_collectors_outside_the_team_and_needs_a_reason(
    supervisor, collector, outsider, queue
):
    case = make_case(queue)
    with pytest.raises(ApplicationError) as exc:
        services.cases_reassign(
            user=supervisor, cases=[case], collector=outsider.username, reason="x"
        )
    assert "collector" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        services.cases_reassign(
            user=supervisor, cases=[case], collector=collector.username, reason=""
        )
    assert "reason" in exc.value.errors


def test_reassignment_api_moves_cases_to_a_queue_and_404s_foreign_cases(
    supervisor, queue, other_case
):
    case = make_case(queue, reference="CASE-Q")
    from tests.cases.factories import WorkQueueFactory

    late = WorkQueueFactory(code="late-a", name="Late A", team=queue.team)
    api = client_for(supervisor)
    response = api.post(
        "/api/v1/case-reassignments/",
        {"cases": ["CASE-Q"], "queue": "late-a", "reason": "Rebalance."},
        format="json",
    )
    assert response.status_code == 200 and response.json() == {"moved": 1}
    case.refresh_from_db()
    assert case.queue == late
    response = api.post(
        "/api/v1/case-reassignments/",
        {"cases": [other_case.reference], "queue": "late-a", "reason": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_the_reassign_page_shows_an_error_for_an_unknown_collector(
    client, supervisor, collector, queue
):
    case = make_case(queue, assigned_to=collector)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:reassign"),
        {"case": [case.reference], "collector": "nobody", "reason": "Rebalance."},
    )
    assert response.status_code == 400
    assert "collector" in response.context["form"].errors
    assert "nobody" in response.text
    assert Case.objects.get(pk=case.pk).assigned_to == collector


def test_the_reassign_page_refuses_a_collector_of_another_team(
    client, supervisor, collector, outsider, queue
):
    case = make_case(queue, assigned_to=collector)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:reassign"),
        {"case": [case.reference], "collector": "outsider", "reason": "Rebalance."},
    )
    assert response.status_code == 400
    assert "collector" in response.context["form"].errors
    assert Case.objects.get(pk=case.pk).assigned_to == collector


def test_the_reassign_page_refuses_a_queue_of_another_team(
    client, supervisor, queue, other_queue
):
    case = make_case(queue)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:reassign"),
        {"case": [case.reference], "queue": other_queue.code, "reason": "Rebalance."},
    )
    assert response.status_code == 400
    assert "queue" in response.context["form"].errors
    assert Case.objects.get(pk=case.pk).queue == queue


def test_the_reassignment_api_refuses_a_supervisor_a_queue_of_another_team(
    supervisor, queue, other_queue
):
    case = make_case(queue, reference="CASE-Q")
    response = client_for(supervisor).post(
        "/api/v1/case-reassignments/",
        {"cases": ["CASE-Q"], "queue": other_queue.code, "reason": "Rebalance."},
        format="json",
    )
    # Answered as an unknown queue is: nothing leaks about other teams.
    assert response.status_code == 404
    assert response.json()["errors"] == {
        "queue": [f"{other_queue.code} is not a queue of your teams."]
    }
    case.refresh_from_db()
    assert case.queue == queue


def test_the_reassignment_api_answers_404_naming_an_unknown_collector_or_queue(
    supervisor, queue
):
    # An unknown reference is a 404 across the API (docs/api.md), in the body too.
    case = make_case(queue, reference="CASE-Q")
    api = client_for(supervisor)
    for field, value in (("collector", "nobody"), ("queue", "nowhere")):
        response = api.post(
            "/api/v1/case-reassignments/",
            {"cases": ["CASE-Q"], field: value, "reason": "Rebalance."},
            format="json",
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert list(response.json()["errors"]) == [field]
    case.refresh_from_db()
    assert (case.queue, case.assigned_to) == (queue, None)


def test_a_reassignment_with_a_bad_choice_and_an_unknown_reference_is_a_400_naming_both(
    supervisor, queue
):
    make_case(queue, reference="CASE-Q")
    response = client_for(supervisor).post(
        "/api/v1/case-reassignments/",
        {
            "cases": ["CASE-Q"],
            "collector": "nobody",
            "unassign": True,
            "queue": "nowhere",
            "reason": "Rebalance.",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"collector", "queue"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cases": [], "queue": "Q"}, "cases"),
        ({"cases": ["CASE-Q"], "queue": "Q", "reason": "  "}, "reason"),
        ({"cases": ["CASE-Q"], "queue": "Q"}, "reason"),
    ],
)
def test_a_reassignment_without_cases_or_a_reason_is_a_400_naming_the_field(
    supervisor, queue, body, field
):
    make_case(queue, reference="CASE-Q")
    body = {"reason": "Rebalance.", **body} if field != "reason" else body
    response = client_for(supervisor).post(
        "/api/v1/case-reassignments/", body, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_an_admin_may_reassign_into_any_teams_queue_on_page_and_api(
    client, admin_user, queue, other_queue, outsider
):
    first = make_case(queue, reference="CASE-A")
    second = make_case(queue, reference="CASE-B")
    client.force_login(admin_user)
    response = client.post(
        reverse("supervision:reassign"),
        {
            "case": [first.reference],
            "queue": other_queue.code,
            "collector": "outsider",
            "reason": "Rebalance.",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.queue, first.assigned_to) == (other_queue, outsider)
    response = client_for(admin_user).post(
        "/api/v1/case-reassignments/",
        {"cases": ["CASE-B"], "queue": other_queue.code, "reason": "Rebalance."},
        format="json",
    )
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.queue == other_queue


def test_ticked_cases_stay_ticked_after_a_validation_error(
    client, supervisor, collector, queue
):
    """Issue 18, defect 10: the ticks were lost when the form came back."""
    case = make_case(queue, assigned_to=collector)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:reassign"),
        {"case": [case.reference], "collector": "nobody", "reason": "Rebalance."},
    )
    assert response.status_code == 400
    assert (
        f'value="{case.reference}" aria-label="{case.reference}" checked'
        in response.text
    )


def test_a_plan_waiting_for_approval_shows_what_it_is_judged_by(
    client, supervisor, collector, team_case, django_assert_max_num_queries
):
    """Balance, days past due, recent payments and whether the plan asks more than
    the customer has been paying (issue 18, defect 10)."""
    from decimal import Decimal

    from cases.models import Loan, Payment

    loan = Loan.objects.filter(customer=team_case.customer).first()
    for days_ago, amount in ((10, "50.00"), (40, "70.00"), (400, "999.00")):
        Payment.objects.create(
            reference=f"PAY-{days_ago}",
            loan=loan,
            amount=Decimal(amount),
            currency=loan.currency,
            received_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    plan = make_plan(team_case, collector, total="600.00")
    for _ in range(3):
        make_plan(team_case, collector)
    client.force_login(supervisor)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("supervision:approvals")).text
    row = page[page.index(f'id="plan-{plan.reference}"') :]
    row = row[: row.index("</tr>")]
    assert f"{team_case.max_days_past_due} days past due" in row
    # The payment 400 days ago is outside the 180-day history.
    assert "2 payments, 120.00, in 180 days" in row
    # 300.00 instalments against 120 / 6 = 20.00 a month paid.
    assert "Largest instalment 300.00; paid 20.00 a month on average" in row
    assert "above what they have paid" in row
