"""Work items: a supervisor's review decisions, the legal case a referral becomes,
write-off approval, and who can see and complete each kind."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.models import CallTask
from cases.models import Case
from compliance.models import ContactRestriction
from compliance.services import contact_evaluate
from core.errors import ApplicationError
from escalation import selectors
from escalation import work_items as services
from escalation.models import WorkItem
from tests.cases.factories import (
    CaseFactory,
    ContactPointFactory,
    LoanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Kind = WorkItem.Kind


@pytest.fixture
def case(queue):
    case = CaseFactory(queue=queue, max_days_past_due=61)
    ContactPointFactory(customer=case.customer, value="+8613800138030")
    LoanFactory(customer=case.customer)  # a balance of 12,000
    return case


@pytest.fixture
def review(case):
    return services.work_item_open(
        case=case, kind=Kind.SUPERVISOR_REVIEW, reason="Supervisor review: 60 DPD"
    )


def test_a_review_is_owned_by_the_team_of_the_case_s_queue(review, team):
    assert review.team == team
    assert review.state == "open"
    assert review.reference.startswith("WI-")


def test_continue_closes_the_review_and_lets_the_ladder_go_on(review, supervisor):
    Case.objects.filter(pk=review.case_id).update(
        next_action_at=timezone.now() + dt.timedelta(days=3)
    )
    services.review_decide(item=review, user=supervisor, decision="continue")
    review.refresh_from_db()
    assert (review.state, review.outcome, review.decided_by) == (
        "done",
        "continue",
        supervisor,
    )
    assert Case.objects.get(pk=review.case_id).next_action_at is None
    assert review.history.first().history_user == supervisor


def test_hold_pauses_the_case_until_the_date(review, supervisor):
    until = timezone.localdate() + dt.timedelta(days=14)
    services.review_decide(
        item=review,
        user=supervisor,
        decision="hold",
        hold_until=until,
        notes="customer in hospital",
    )
    case = Case.objects.get(pk=review.case_id)
    assert timezone.localtime(case.next_action_at).date() == until
    assert case.history.first().history_change_reason.startswith("review: held")


def test_hold_needs_a_date_in_range_and_a_reason(review, supervisor):
    with pytest.raises(ApplicationError) as exc:
        services.review_decide(item=review, user=supervisor, decision="hold", notes="x")
    assert "hold_until" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        services.review_decide(
            item=review,
            user=supervisor,
            decision="hold",
            notes="x",
            hold_until=timezone.localdate() + dt.timedelta(days=400),
        )
    assert "hold_until" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        services.review_decide(item=review, user=supervisor, decision="nonsense")
    assert "decision" in exc.value.errors


def test_refer_to_legal_opens_a_legal_item_with_a_legal_hold(review, supervisor):
    legal = services.review_decide(
        item=review, user=supervisor, decision="refer_legal", notes="no contact"
    )
    assert legal.kind == "legal_referral"
    assert legal.parent == review
    assert legal.hold.kind == ContactRestriction.Kind.LEGAL_HOLD
    assert legal.hold.recorded_by == supervisor
    decision = contact_evaluate(customer=review.case.customer, channel="call")
    assert not decision.allowed and "legal_hold" in decision.codes
    case = Case.objects.get(pk=review.case_id)
    assert case.next_call_reason == Case.NextCall.GATE
    assert case.next_call_at > timezone.now() + dt.timedelta(days=29)


def test_a_legal_case_records_firm_court_dates_costs_and_outcome(review, supervisor):
    legal = services.review_decide(
        item=review, user=supervisor, decision="refer_legal", notes="no contact"
    )
    filed = timezone.localdate()
    services.legal_case_update(
        item=legal,
        user=supervisor,
        legal_firm="Fangda Partners",
        court_reference="(2026)沪0101民初123号",
        filed_on=filed,
        hearing_on=filed + dt.timedelta(days=30),
        legal_costs=Decimal("3500.00"),
    )
    legal.refresh_from_db()
    assert (legal.state, legal.legal_firm, legal.legal_costs) == (
        "in_progress",
        "Fangda Partners",
        Decimal("3500.00"),
    )
    services.legal_case_close(
        item=legal,
        user=supervisor,
        outcome="judgment",
        notes="judgment for the bank",
        lift_hold=True,
    )
    legal.refresh_from_db()
    assert (legal.state, legal.outcome) == ("done", "judgment")
    assert legal.hold.ends_at is not None
    assert contact_evaluate(customer=review.case.customer, channel="call").codes != [
        "legal_hold"
    ]


def test_a_hearing_before_the_filing_is_refused(review, supervisor):
    legal = services.review_decide(
        item=review, user=supervisor, decision="refer_legal", notes="no contact"
    )
    with pytest.raises(ApplicationError) as exc:
        services.legal_case_update(
            item=legal,
            user=supervisor,
            filed_on=timezone.localdate(),
            hearing_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "hearing_on" in exc.value.errors


def test_a_settlement_decision_proposes_an_offer_with_a_deadline(review, supervisor):
    deadline = timezone.localdate() + dt.timedelta(days=14)
    with pytest.raises(ApplicationError) as exc:
        services.review_decide(
            item=review, user=supervisor, decision="settlement", amount=Decimal("9000")
        )
    assert "deadline" in exc.value.errors
    item = services.review_decide(
        item=review,
        user=supervisor,
        decision="settlement",
        amount=Decimal("9000"),
        deadline=deadline,
    )
    assert (item.kind, item.amount) == ("settlement_offer", Decimal("9000.00"))
    # 3,000 forgiven of 12,000 (25%): within a supervisor's default authority.
    assert item.settlement.state == "approved"
    assert item.settlement.discount_percent == Decimal("25.0")


def test_a_write_off_is_approved_by_someone_else(review, supervisor, admin_user):
    request = services.review_decide(
        item=review,
        user=supervisor,
        decision="write_off",
        amount=Decimal("1200"),
        notes="deceased, no estate",
    )
    assert request.kind == "write_off"
    with pytest.raises(ApplicationError) as exc:
        services.write_off_decide(
            item=request, user=supervisor, approve=True, notes="ok"
        )
    assert exc.value.status == 409
    services.write_off_decide(item=request, user=admin_user, approve=True, notes="ok")
    case = Case.objects.get(pk=review.case_id)
    assert (case.status, case.close_reason) == ("closed", "written_off")


def test_a_collector_or_another_team_s_supervisor_cannot_complete_it(
    review, collector, other_team
):
    stranger = UserFactory(username="stranger", roles=["supervisor"])
    other_team.supervisors.add(stranger)
    for user in (collector, stranger):
        assert not selectors.work_items_for_user(user=user).exists()
        with pytest.raises(ApplicationError) as exc:
            services.review_decide(item=review, user=user, decision="continue")
        assert exc.value.status == 403


def test_a_decided_review_cannot_be_decided_again(review, supervisor):
    services.review_decide(item=review, user=supervisor, decision="continue")
    with pytest.raises(ApplicationError) as exc:
        services.review_decide(item=review, user=supervisor, decision="continue")
    assert exc.value.status == 409


@pytest.mark.parametrize("kind", WorkItem.Kind.values)
@pytest.mark.parametrize("owned", [True, False])
def test_every_open_work_item_is_visible_to_someone_who_can_complete_it(
    kind, owned, case, supervisor, admin_user, other_queue
):
    if not owned:
        # A case in a queue of no team: admins own its items.
        other_queue.team = None
        other_queue.save()
        case.queue = other_queue
        case.save()
    requester = supervisor if kind == "write_off" else None
    item = services.work_item_open(
        case=case, kind=kind, reason="something to decide", user=requester
    )
    completers = selectors.work_item_completers(item=item)
    assert completers
    for user in completers:
        assert item in selectors.work_items_for_user(user=user)
        assert services.work_item_can_complete(user=user, item=item)
    if owned and kind != "write_off":
        assert supervisor in completers


def test_open_review_tasks_become_work_items_in_the_data_migration(case, queue):
    """The data migration's function, run over a task as the old sweep made it."""
    import importlib

    from django.apps import apps

    from cases.models import EscalationPolicy

    migration = importlib.import_module(
        "escalation.migrations.0002_call_tasks_to_work_items"
    )
    step = EscalationPolicy.objects.get(code="standard", status="active").steps.get(
        action="legal_referral"
    )
    task = CallTask.objects.create(
        case=case,
        queue=queue,
        step=step,
        reason="Legal referral: Legal referral",
        due_at=timezone.now(),
        priority=250,
        idempotency_key=f"esc:{case.pk}:{step.pk}",
    )
    migration.forwards(apps, None)
    task.refresh_from_db()
    assert task.status == "cancelled"
    [item] = WorkItem.objects.filter(case=case)
    assert (item.kind, item.idempotency_key, item.team_id) == (
        "legal_referral",
        task.idempotency_key,
        queue.team_id,
    )
    assert item.hold.kind == "legal_hold"


# --- over the API ---------------------------------------------------------------


def test_a_supervisor_lists_and_decides_a_review_over_the_api(review, supervisor):
    from tests.api import client_for

    api = client_for(supervisor)
    listed = api.get("/api/v1/work-items/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["reference"] for r in rows] == [review.reference]
    url = f"/api/v1/work-items/{review.reference}/decide/"
    bad = api.post(url, {"decision": "hold"}, format="json")
    assert bad.status_code == 400
    assert "hold_until" in bad.json()["errors"]
    response = api.post(
        url, {"decision": "refer_legal", "notes": "unreachable"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["hold_active"]) == ("legal_referral", True)
    legal = body["reference"]
    response = api.post(
        f"/api/v1/work-items/{legal}/legal/",
        {"legal_firm": "Fangda", "court_reference": "X-1", "legal_costs": "900.00"},
        format="json",
    )
    assert response.json()["state"] == "in_progress"


def test_collectors_get_403_and_other_teams_404_over_the_api(
    review, collector, other_team
):
    from tests.api import client_for

    assert client_for(collector).get("/api/v1/work-items/").status_code == 403
    stranger = UserFactory(username="stranger", roles=["supervisor"])
    other_team.supervisors.add(stranger)
    response = client_for(stranger).get(f"/api/v1/work-items/{review.reference}/")
    assert response.status_code == 404
