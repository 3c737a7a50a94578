"""Repayment plans: proposal checks, approval by the right person, settlement."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import RepaymentPlan, RepaymentPlanInstalment
from cases.services import (
    payment_record,
    plan_approve,
    plan_propose,
    plan_refresh,
    plan_reject,
)
from core.errors import ApplicationError, ConflictError
from tests.cases.factories import CaseFactory, UserFactory, loan_with_schedule

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def case(queue):
    loan = loan_with_schedule(dues=[(-40, "1000"), (-10, "1000"), (20, "1000")])
    return CaseFactory(customer=loan.customer, queue=queue)


def propose(case, **kwargs):
    kwargs.setdefault("kind", RepaymentPlan.Kind.INSTALMENTS)
    kwargs.setdefault(
        "instalments",
        [
            {"due_date": days(30), "amount": Decimal("1000")},
            {"due_date": days(10), "amount": Decimal("1000")},
        ],
    )
    kwargs.setdefault("reason", "Lost hours at work.")
    return plan_propose(case=case, **kwargs)


def test_a_plan_is_proposed_with_its_schedule_in_date_order(case, collector):
    plan = propose(case, proposed_by=collector, requested_by_customer=True)

    assert plan.status == RepaymentPlan.Status.PROPOSED
    assert plan.total_amount == Decimal("2000")
    assert plan.reference.startswith("RP-")
    assert list(plan.instalments.values_list("sequence", "due_date")) == [
        (1, days(10)),
        (2, days(30)),
    ]
    assert plan.history.get().history_user == collector


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"instalments": []}, "instalments"),
        ({"instalments": [{"due_date": days(-1), "amount": "10"}]}, "instalments"),
        ({"instalments": [{"due_date": days(5), "amount": "0"}]}, "instalments"),
        ({"instalments": [{"amount": "10"}]}, "instalments"),
        # The customer owes 3000 in all.
        ({"instalments": [{"due_date": days(5), "amount": "3000.01"}]}, "instalments"),
        ({"kind": "holiday"}, "kind"),
        (
            {
                "kind": "deferral",
                "instalments": [
                    {"due_date": days(20), "amount": "100"},
                    {"due_date": days(40), "amount": "100"},
                ],
            },
            "instalments",
        ),
        (
            {"kind": "deferral", "instalments": [{"due_date": days(0), "amount": "1"}]},
            "instalments",
        ),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(case, kwargs, field):
    with pytest.raises(ApplicationError) as excinfo:
        propose(case, **kwargs)

    assert field in excinfo.value.errors
    assert not RepaymentPlan.objects.exists()


def test_a_deferral_is_one_later_instalment(case):
    plan = propose(
        case,
        kind=RepaymentPlan.Kind.DEFERRAL,
        instalments=[{"due_date": days(30), "amount": "2000"}],
    )

    assert plan.kind == RepaymentPlan.Kind.DEFERRAL
    assert plan.instalments.count() == 1


def test_the_teams_supervisor_approves_and_the_plan_becomes_active(case, supervisor):
    plan = propose(case)

    plan_approve(plan=plan, user=supervisor, reason="Payslips seen.")

    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.ACTIVE
    assert plan.decided_by == supervisor
    assert plan.decided_at is not None
    assert plan.decision_reason == "Payslips seen."
    assert plan.history.latest().history_change_reason == "approved: Payslips seen."


def test_an_admin_may_approve_any_plan(case, admin_user):
    plan = propose(case)

    plan_approve(plan=plan, user=admin_user)

    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.ACTIVE


def test_a_collector_cannot_approve_a_plan(case, collector):
    plan = propose(case)

    with pytest.raises(ApplicationError) as excinfo:
        plan_approve(plan=plan, user=collector)

    assert excinfo.value.status == 403
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.PROPOSED


def test_another_teams_supervisor_cannot_approve(case, other_team):
    stranger = UserFactory(username="boss-b", roles=["supervisor"])
    other_team.supervisors.add(stranger)
    plan = propose(case)

    with pytest.raises(ApplicationError) as excinfo:
        plan_approve(plan=plan, user=stranger)

    assert excinfo.value.status == 403


def test_a_plan_is_decided_once(case, supervisor):
    plan = propose(case)
    plan_approve(plan=plan, user=supervisor)

    with pytest.raises(ConflictError):
        plan_approve(plan=plan, user=supervisor)
    with pytest.raises(ConflictError):
        plan_reject(plan=plan, user=supervisor, reason="Changed my mind.")


def test_a_second_plan_needs_an_explicit_supersede(case, supervisor):
    first = plan_approve(plan=propose(case), user=supervisor)
    with pytest.raises(ApplicationError) as excinfo:
        propose(case, instalments=[{"due_date": days(3), "amount": "50"}])
    assert first.reference in excinfo.value.errors["supersede"][0]

    second = propose(
        case, instalments=[{"due_date": days(3), "amount": "50"}], supersede=True
    )
    first.refresh_from_db()
    assert first.status == RepaymentPlan.Status.ACTIVE  # until the new one is

    plan_approve(plan=second, user=supervisor)
    first.refresh_from_db()
    assert first.status == RepaymentPlan.Status.CANCELLED
    assert first.history.first().history_change_reason.startswith(
        f"superseded by plan {second.reference}"
    )


def test_an_old_second_plan_without_supersede_is_refused_on_approval(case, supervisor):
    plan_approve(plan=propose(case), user=supervisor)
    # Proposed before supersede existed (no flag): one agreement at a time.
    second = propose(
        case, instalments=[{"due_date": days(3), "amount": "50"}], supersede=True
    )
    RepaymentPlan.objects.filter(pk=second.pk).update(supersedes=False)
    second.refresh_from_db()

    with pytest.raises(ConflictError):
        plan_approve(plan=second, user=supervisor)


def test_a_rejection_needs_a_reason(case, supervisor):
    plan = propose(case)

    with pytest.raises(ApplicationError) as excinfo:
        plan_reject(plan=plan, user=supervisor, reason="  ")
    assert "reason" in excinfo.value.errors

    plan_reject(plan=plan, user=supervisor, reason="Income not verified.")
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.REJECTED
    assert plan.decision_reason == "Income not verified."


def test_payments_pay_the_active_plan_oldest_instalment_first(case, supervisor):
    plan = propose(case)
    plan_approve(plan=plan, user=supervisor)
    loan = case.customer.loans.get()

    payment_record(
        reference="P-PLAN",
        loan=loan,
        amount=Decimal("1200"),
        currency="CNY",
        received_at=timezone.now(),
    )

    paid = list(plan.instalments.values_list("sequence", "paid_amount"))
    assert paid == [(1, Decimal("1000")), (2, Decimal("200"))]
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.ACTIVE


def test_refresh_breaks_a_plan_with_a_missed_instalment_and_completes_a_paid_one(
    case, supervisor
):
    missed = propose(case)
    RepaymentPlan.objects.filter(pk=missed.pk).update(
        status=RepaymentPlan.Status.ACTIVE
    )
    RepaymentPlanInstalment.objects.filter(plan=missed, sequence=1).update(
        due_date=days(-1)
    )
    # Set active by hand: nothing is superseded.
    done = propose(case, supersede=True)
    RepaymentPlan.objects.filter(pk=done.pk).update(status=RepaymentPlan.Status.ACTIVE)
    for instalment in done.instalments.all():
        instalment.paid_amount = instalment.amount
        instalment.save()
    on_track = propose(case, supersede=True)
    RepaymentPlan.objects.filter(pk=on_track.pk).update(
        status=RepaymentPlan.Status.ACTIVE
    )

    counts = plan_refresh()

    statuses = {
        plan.pk: plan.status
        for plan in RepaymentPlan.objects.filter(
            pk__in=[missed.pk, done.pk, on_track.pk]
        )
    }
    assert statuses == {
        missed.pk: RepaymentPlan.Status.BROKEN,
        done.pk: RepaymentPlan.Status.COMPLETED,
        on_track.pk: RepaymentPlan.Status.ACTIVE,
    }
    assert counts == {"broken": 1, "completed": 1}


def test_paying_every_plan_instalment_completes_the_plan_at_once(case, supervisor):
    plan = propose(case)
    plan_approve(plan=plan, user=supervisor)

    payment_record(
        reference="P-ALL",
        loan=case.customer.loans.get(),
        amount=Decimal("2000"),
        currency="CNY",
        received_at=timezone.now(),
    )

    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.COMPLETED
    assert plan.history.latest().history_change_reason == (
        "completed: all instalments paid"
    )


def test_a_plan_within_the_auto_approval_limits_is_active_at_once(case, settings):
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 3
    settings.PLAN_AUTO_APPROVE_MAX_DAYS = 60
    plan = propose(case)
    assert plan.status == RepaymentPlan.Status.ACTIVE
    assert plan.decided_by is None
    assert plan.history.first().history_change_reason == "approved: within limits"


@pytest.mark.parametrize(("max_instalments", "max_days"), [(1, 60), (3, 20), (0, 365)])
def test_a_plan_above_the_limits_waits_for_a_supervisor(
    case, settings, max_instalments, max_days
):
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = max_instalments
    settings.PLAN_AUTO_APPROVE_MAX_DAYS = max_days
    assert propose(case).status == RepaymentPlan.Status.PROPOSED


def test_a_second_small_plan_is_not_approved_over_an_active_one(case, settings):
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 3
    propose(case)
    second = propose(
        case,
        instalments=[{"due_date": days(15), "amount": Decimal("500")}],
        supersede=True,
    )
    assert second.status == RepaymentPlan.Status.PROPOSED


def test_a_plan_longer_than_sixty_instalments_is_refused(case):
    schedule = [{"due_date": days(i + 1), "amount": Decimal("1")} for i in range(61)]
    with pytest.raises(ApplicationError) as exc:
        propose(case, instalments=schedule)
    assert "At most 60 instalments" in exc.value.errors["instalments"][0]


def test_one_setting_bounds_the_plan_on_every_path(case, settings, collector):
    """PLAN_MAX_INSTALMENTS bounds the calculator's form and preview, the proposal,
    and the approval of a plan proposed before the limit was lowered."""
    from calls.forms import PlanForm
    from cases.services import plan_schedule_preview
    from tests.supervision.conftest import make_plan

    settings.PLAN_MAX_INSTALMENTS = 1
    form = PlanForm(
        {
            "kind": "instalments",
            "total": "100",
            "count": 2,
            "every_days": 30,
            "first_due_date": days(1).isoformat(),
        }
    )
    assert "count" in form.errors
    with pytest.raises(ApplicationError) as exc:
        plan_schedule_preview(
            case=case, total=Decimal("100"), count=2, first_due_date=days(1)
        )
    assert exc.value.errors["count"] == ["At most 1 instalments."]
    schedule = [{"due_date": days(i + 1), "amount": Decimal("1")} for i in range(2)]
    with pytest.raises(ApplicationError) as exc:
        plan_propose(case=case, kind="instalments", instalments=schedule, reason="")
    assert "At most 1 instalments" in exc.value.errors["instalments"][0]
    plan = make_plan(case, collector)  # two instalments, proposed earlier
    admin = UserFactory(roles=["admin"])
    with pytest.raises(ApplicationError) as exc:
        plan_approve(plan=plan, user=admin)
    assert "instalments" in exc.value.errors
    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.PROPOSED
