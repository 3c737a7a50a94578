"""Arrangements within limits (decision 46): per-product terms, the strictest of a
case's products, one check for promise, preview and proposal, explicit supersede,
and no arrangement under a cease request."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import ArrangementTerms, PromiseToPay, RepaymentPlan
from cases.services import (
    arrangement_terms,
    arrangement_terms_save,
    plan_approve,
    plan_propose,
    plan_schedule_preview,
    promise_record,
)
from core.errors import ApplicationError, ConflictError
from tests.cases.factories import CaseFactory, UserFactory, loan_with_schedule
from tests.compliance.factories import ContactRestrictionFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def case(queue):
    loan = loan_with_schedule(
        dues=[(-40, "1000"), (-10, "1000"), (20, "1000")], product="auto_loan"
    )
    return CaseFactory(customer=loan.customer, queue=queue)


@pytest.fixture
def admin():
    return UserFactory(roles=["admin"])


def terms(product="auto_loan", **values):
    base = {
        "promise_max_days": 30,
        "plan_max_instalments": 6,
        "plan_max_days": 200,
        "max_first_payment_days": 20,
        "min_instalment": Decimal("100"),
    }
    base.update(values)
    return ArrangementTerms.objects.create(product=product, **base)


def monthly(count, *, first=10, amount="100"):
    return [
        {"due_date": days(first + 30 * n), "amount": Decimal(amount)}
        for n in range(count)
    ]


# --- the terms ---------------------------------------------------------------------


def test_a_product_without_terms_has_the_settings(case, settings):
    settings.PROMISE_MAX_DAYS = 45
    settings.PLAN_MAX_FIRST_PAYMENT_DAYS = 15

    got = arrangement_terms(case=case)

    assert got.promise_max_days == 45
    assert got.max_first_payment_days == 15
    assert got.products == ("auto_loan",)


def test_a_case_with_two_products_has_the_strictest_terms(case):
    terms("auto_loan", promise_max_days=60, min_instalment=Decimal("50"))
    terms("card", promise_max_days=20, plan_max_instalments=12, min_instalment=80)
    loan_with_schedule(customer=case.customer, dues=[(-5, "100")], product="card")

    got = arrangement_terms(case=case)

    assert got.promise_max_days == 20
    assert got.plan_max_instalments == 6
    assert got.min_instalment == Decimal("80")  # the largest smallest instalment
    assert got.products == ("auto_loan", "card")


def test_a_product_without_a_row_counts_with_the_defaults(case, settings):
    settings.PROMISE_MAX_DAYS = 40
    terms("auto_loan", promise_max_days=35)
    loan_with_schedule(customer=case.customer, dues=[(-5, "100")], product="card")
    settings.PROMISE_MAX_DAYS = 30  # the card's default is now the strictest

    assert arrangement_terms(case=case).promise_max_days == 30


def test_terms_are_saved_with_the_reason_and_the_admin_in_history(admin):
    row = arrangement_terms_save(
        product="auto_loan",
        user=admin,
        reason="Credit policy 2026-12",
        promise_max_days=30,
        plan_max_instalments=24,
        plan_max_days=730,
        max_first_payment_days=30,
        min_instalment="200",
    )

    record = row.history.get()
    assert record.history_user == admin
    assert record.history_change_reason == "terms set: Credit policy 2026-12"
    assert row.min_instalment == Decimal("200")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"promise_max_days": 91}, "promise_max_days"),
        ({"plan_max_instalments": 61}, "plan_max_instalments"),
        ({"plan_max_days": 0}, "plan_max_days"),
        ({"min_instalment": "-1"}, "min_instalment"),
        ({"max_first_payment_days": "soon"}, "max_first_payment_days"),
        ({"reason": " "}, "reason"),
    ],
)
def test_terms_beyond_a_ceiling_or_malformed_are_refused_on_the_field(
    admin, values, field
):
    args = {
        "product": "auto_loan",
        "user": admin,
        "reason": "why",
        "promise_max_days": 30,
        "plan_max_instalments": 24,
        "plan_max_days": 730,
        "max_first_payment_days": 30,
        "min_instalment": "0",
        **values,
    }
    with pytest.raises(ApplicationError) as excinfo:
        arrangement_terms_save(**args)

    assert field in excinfo.value.errors
    assert not ArrangementTerms.objects.exists()


# --- promises ----------------------------------------------------------------------


def test_a_promise_beyond_the_products_horizon_is_refused_naming_it(case):
    terms(promise_max_days=30)

    with pytest.raises(ApplicationError) as excinfo:
        promise_record(case=case, amount=Decimal("100"), due_date=days(31))

    message = excinfo.value.errors["due_date"][0]
    assert "within 30 days" in message and "auto_loan" in message
    assert "deferral" in message
    promise_record(case=case, amount=Decimal("100"), due_date=days(30))


def test_a_second_promise_needs_supersede_and_cancels_the_first(case, collector):
    first = promise_record(case=case, amount=Decimal("100"), due_date=days(5))

    with pytest.raises(ApplicationError) as excinfo:
        promise_record(case=case, amount=Decimal("200"), due_date=days(9))
    assert "supersede" in excinfo.value.errors
    assert PromiseToPay.objects.count() == 1

    second = promise_record(
        case=case,
        amount=Decimal("200"),
        due_date=days(9),
        created_by=collector,
        supersede=True,
        supersede_reason="customer paid day moved",
    )
    first.refresh_from_db()
    assert first.status == PromiseToPay.Status.CANCELLED
    assert first.resolved_at is not None
    record = first.history.first()
    assert record.history_change_reason == (
        f"superseded by promise {second.pk}: customer paid day moved"
    )
    assert record.history_user == collector
    assert second.status == PromiseToPay.Status.PENDING


def test_a_promise_supersedes_a_pending_plan(case):
    plan = plan_propose(
        case=case, kind="instalments", instalments=monthly(2), reason="r"
    )

    promise_record(case=case, amount=Decimal("100"), due_date=days(5), supersede=True)

    plan.refresh_from_db()
    assert plan.status == RepaymentPlan.Status.CANCELLED


# --- plans -------------------------------------------------------------------------


def test_a_plan_within_the_terms_follows_the_usual_flow(case, settings):
    terms()
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 6

    plan = plan_propose(
        case=case, kind="instalments", instalments=monthly(3), reason=""
    )

    assert plan.outside_terms == ""
    assert plan.status == RepaymentPlan.Status.ACTIVE


@pytest.mark.parametrize(
    ("schedule", "why"),
    [
        (monthly(7), "7 instalments, above the 6 of auto_loan"),
        (monthly(2, first=25), "first payment"),
        (monthly(2, first=10) + [{"due_date": days(250), "amount": "100"}], "ends"),
        (monthly(3, amount="50"), "below the 100.00 of auto_loan"),
    ],
)
def test_a_plan_beyond_the_terms_needs_a_reason_and_waits_for_a_supervisor(
    case, settings, schedule, why
):
    terms()
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 60
    settings.PLAN_AUTO_APPROVE_MAX_DAYS = 1000

    with pytest.raises(ApplicationError) as excinfo:
        plan_propose(case=case, kind="instalments", instalments=schedule, reason=" ")
    assert why in excinfo.value.errors["reason"][0]

    plan = plan_propose(
        case=case, kind="instalments", instalments=schedule, reason="Seasonal work."
    )
    assert plan.status == RepaymentPlan.Status.PROPOSED
    assert why in plan.outside_terms
    assert "outside the terms" in plan.history.first().history_change_reason

    plan = plan_approve(plan=plan, user=UserFactory(roles=["admin"]))
    assert plan.status == RepaymentPlan.Status.ACTIVE


def test_the_last_instalment_may_be_below_the_smallest(case):
    terms()
    schedule = monthly(2) + [{"due_date": days(70), "amount": Decimal("1")}]

    plan = plan_propose(case=case, kind="instalments", instalments=schedule, reason="")

    assert plan.outside_terms == ""


def test_beyond_the_ceiling_a_plan_is_refused_not_sent_to_approval(case, settings):
    settings.PLAN_MAX_INSTALMENTS = 6
    with pytest.raises(ApplicationError) as excinfo:
        plan_propose(
            case=case, kind="instalments", instalments=monthly(7), reason="please"
        )
    assert "At most 6 instalments" in excinfo.value.errors["instalments"][0]


def test_a_superseding_plan_replaces_the_promise_only_once_active(case, supervisor):
    promise = promise_record(case=case, amount=Decimal("100"), due_date=days(5))
    with pytest.raises(ApplicationError) as excinfo:
        plan_propose(case=case, kind="instalments", instalments=monthly(2), reason="")
    assert "supersede" in excinfo.value.errors

    plan = plan_propose(
        case=case,
        kind="instalments",
        instalments=monthly(2),
        reason="Longer plan",
        supersede=True,
    )
    promise.refresh_from_db()
    assert promise.status == PromiseToPay.Status.PENDING

    plan_approve(plan=plan, user=UserFactory(roles=["admin"]))
    promise.refresh_from_db()
    assert promise.status == PromiseToPay.Status.CANCELLED
    assert promise.history.first().history_change_reason == (
        f"superseded by plan {plan.reference}: Longer plan"
    )


# --- preview = proposal ------------------------------------------------------------


def test_the_preview_reports_what_the_proposal_would(case):
    terms()
    preview = plan_schedule_preview(
        case=case,
        total=Decimal("700"),
        count=7,
        first_due_date=days(10),
        reason="Seasonal work.",
    )
    plan = plan_propose(
        case=case,
        kind="instalments",
        instalments=list(preview),
        reason="Seasonal work.",
    )
    assert preview.outside_terms == plan.outside_terms.splitlines()

    # Now a plan is in force: the preview refuses as the proposal does.
    with pytest.raises(ApplicationError) as preview_error:
        plan_schedule_preview(
            case=case, total=Decimal("300"), count=3, first_due_date=days(10)
        )
    with pytest.raises(ApplicationError) as propose_error:
        plan_propose(case=case, kind="instalments", instalments=monthly(3), reason="")
    assert set(preview_error.value.errors) == set(propose_error.value.errors)
    assert "supersede" in preview_error.value.errors


def test_the_preview_of_a_plan_beyond_the_terms_asks_for_the_reason(case):
    terms()
    with pytest.raises(ApplicationError) as excinfo:
        plan_schedule_preview(
            case=case, total=Decimal("700"), count=7, first_due_date=days(10)
        )
    assert "reason" in excinfo.value.errors


# --- cease communication -----------------------------------------------------------


def test_no_promise_or_plan_under_a_cease_request(case):
    ContactRestrictionFactory(customer=case.customer)

    for attempt in (
        lambda: promise_record(case=case, amount=Decimal("100"), due_date=days(5)),
        lambda: plan_propose(
            case=case, kind="instalments", instalments=monthly(2), reason=""
        ),
        lambda: plan_schedule_preview(
            case=case, total=Decimal("200"), count=2, first_due_date=days(10)
        ),
    ):
        with pytest.raises(ConflictError) as excinfo:
            attempt()
        assert excinfo.value.code == "cease_communication"
        assert "case" in excinfo.value.errors
    assert not PromiseToPay.objects.exists() and not RepaymentPlan.objects.exists()


def test_an_ended_cease_request_no_longer_stops_a_promise(case):
    ContactRestrictionFactory(
        customer=case.customer,
        starts_at=timezone.now() - dt.timedelta(days=5),
        ends_at=timezone.now() - dt.timedelta(days=1),
    )

    promise_record(case=case, amount=Decimal("100"), due_date=days(5))
