"""Four eyes on repayment plans: whoever proposed a plan may not approve it
(PLAN_FOUR_EYES, on by default), as nobody decides their own exception request."""

import pytest
from django.urls import reverse

from cases.models import RepaymentPlan
from core.errors import ApplicationError
from supervision import services
from tests.api import client_for

from .conftest import make_plan

pytestmark = pytest.mark.django_db


def test_a_supervisor_may_not_approve_their_own_plan(supervisor, team_case):
    plan = make_plan(team_case, supervisor)

    with pytest.raises(ApplicationError) as refused:
        services.plan_decide(user=supervisor, plan=plan, approve=True, reason="ok")

    assert refused.value.status == 403
    assert "proposed" in refused.value.message
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.PROPOSED


def test_the_api_answers_403_naming_why(supervisor, team_case):
    plan = make_plan(team_case, supervisor)

    response = client_for(supervisor).post(
        f"/api/v1/approvals/plans/{plan.reference}/decide/",
        {"decision": "approve", "reason": "ok"},
        format="json",
    )

    assert response.status_code == 403
    assert "proposed this plan" in response.json()["message"]
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.PROPOSED


def test_another_supervisor_approves_it(supervisor, team, team_case):
    from tests.cases.factories import UserFactory

    plan = make_plan(team_case, supervisor)
    second = UserFactory(username="second", roles=["supervisor"])
    team.supervisors.add(second)

    services.plan_decide(user=second, plan=plan, approve=True, reason="ok")

    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.ACTIVE
    assert plan.decided_by == second


def test_the_proposer_may_still_withdraw_it_by_rejecting(supervisor, team_case):
    plan = make_plan(team_case, supervisor)

    services.plan_decide(
        user=supervisor, plan=plan, approve=False, reason="Customer changed mind."
    )

    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.REJECTED


def test_the_approvals_page_shows_an_own_plan_without_the_approve_button(
    client, supervisor, collector, team_case
):
    own = make_plan(team_case, supervisor)
    theirs = make_plan(team_case, collector)
    client.force_login(supervisor)

    page = client.get(reverse("supervision:approvals")).content.decode()

    own_row = page.split(f'id="plan-{own.reference}"')[1].split("</tr>")[0]
    their_row = page.split(f'id="plan-{theirs.reference}"')[1].split("</tr>")[0]
    assert "proposed by you" in own_row
    assert 'value="approve"' not in own_row
    assert 'value="reject"' in own_row
    assert 'value="approve"' in their_row


def test_the_page_refuses_a_forged_approval_of_an_own_plan(
    client, supervisor, team_case
):
    plan = make_plan(team_case, supervisor)
    client.force_login(supervisor)

    response = client.post(
        reverse("supervision:plan-decide", args=[plan.reference]),
        {"decision": "approve", "reason": "ok"},
        follow=True,
    )

    assert "proposed this plan" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.PROPOSED


def test_the_rule_can_be_switched_off(settings, supervisor, team_case):
    settings.PLAN_FOUR_EYES = False
    plan = make_plan(team_case, supervisor)

    services.plan_decide(user=supervisor, plan=plan, approve=True, reason="ok")

    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.ACTIVE
