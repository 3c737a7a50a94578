"""Work on the demo's open cases: assignments, contact restrictions, past calls with
their ledger rows, promises and repayment plans, and a few payments today through
payment_record (which close their cases).

Past rows are written with bulk_create (no history rows, DESIGN.md section 8); the
promises, proposed plans and payments of today go through the services.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from calls.models import CallLog
from cases import services
from cases.models import (
    Case,
    ContactPoint,
    Customer,
    Loan,
    PromiseToPay,
    RepaymentPlan,
    RepaymentPlanInstalment,
)
from compliance.models import ContactAttempt, ContactRestriction

from .data import CENT, CONVERSATION_OUTCOMES, DemoRun, add_months


def assign_cases(run: DemoRun, open_cases: list[Case]) -> None:
    """Give about a fifth of the queued cases to a collector of the queue's team."""
    by_user: dict[int, list[int]] = {}
    for case in open_cases:
        if case.queue is None or run.rng.random() >= 0.2:
            continue
        user = run.rng.choice(run.team_collectors[case.queue.team_id])
        case.assigned_to = user
        by_user.setdefault(user.pk, []).append(case.pk)
    for user_id, case_ids in by_user.items():
        Case.objects.filter(pk__in=case_ids).update(assigned_to_id=user_id)


def collector_for(run: DemoRun, case: Case):
    if case.assigned_to is not None:
        return case.assigned_to
    if case.queue is not None:
        return run.rng.choice(run.team_collectors[case.queue.team_id])
    return run.users["collector"]


def seed_restrictions(run: DemoRun) -> None:
    rng = run.rng
    kinds_by_country = {
        "CN": [
            (
                ContactRestriction.Kind.DISPUTE,
                "",
                "客户对账单金额提出异议，核查中。",
            ),
            (ContactRestriction.Kind.CHANNEL_OPT_OUT, "sms", "客户回复退订短信。"),
            (ContactRestriction.Kind.VULNERABILITY, "", "客户告知正在住院治疗。"),
        ],
        "US": [
            (ContactRestriction.Kind.ATTORNEY, "", "Represented by counsel."),
            (
                ContactRestriction.Kind.CEASE_COMMUNICATION,
                "",
                "Written request to cease communication.",
            ),
        ],
        "GB": [
            (
                ContactRestriction.Kind.BREATHING_SPACE,
                "",
                "Standard breathing space (Debt Respite Scheme).",
            ),
            (ContactRestriction.Kind.VULNERABILITY, "", "Bereavement disclosed."),
        ],
    }
    restrictions = []
    customers = Customer.objects.order_by("reference").only("pk", "country")
    for customer in customers:
        if rng.random() >= 0.04:
            continue
        kind, channel, reason = rng.choice(kinds_by_country[customer.country])
        starts = run.now - dt.timedelta(days=rng.randint(1, 40))
        ends = None
        if kind == ContactRestriction.Kind.BREATHING_SPACE:
            ends = starts + dt.timedelta(days=60)
        restrictions.append(
            ContactRestriction(
                customer=customer,
                kind=kind,
                channel=channel,
                starts_at=starts,
                ends_at=ends,
                reason=reason,
                source="demo",
                recorded_by=run.users["supervisor"],
            )
        )
    ContactRestriction.objects.bulk_create(restrictions)
    run.counts["restrictions"] = len(restrictions)


def seed_calls(run: DemoRun, open_cases: list[Case]) -> None:
    """Past calls with their ledger rows, in the customer's daytime."""
    rng = run.rng
    phones = {}
    for point in ContactPoint.objects.filter(
        channel=ContactPoint.Channel.PHONE,
        relationship=ContactPoint.Relationship.SELF,
        invalid_at__isnull=True,
    ):
        phones.setdefault(point.customer_id, point)
    attempts, calls = [], []
    for case in open_cases:
        point = phones.get(case.customer_id)
        if point is None or rng.random() >= 0.45:
            continue
        zone = ZoneInfo(case.customer.time_zone or "Asia/Shanghai")
        days = sorted(rng.sample(range(1, 15), rng.randint(1, 3)), reverse=True)
        for days_ago in days:
            local_day = run.today - dt.timedelta(days=days_ago)
            started = dt.datetime.combine(
                local_day,
                dt.time(rng.randint(9, 19), rng.randint(0, 59)),
                tzinfo=zone,
            )
            # "Yesterday" in Shanghai can still be tomorrow's morning in a zone far
            # west: a demo call is never in the future.
            while started > run.now - dt.timedelta(minutes=30):
                started -= dt.timedelta(days=1)
            collector = collector_for(run, case)
            if rng.random() < 0.5:
                result = ContactAttempt.Result.NO_ANSWER
                outcome, attitude = (
                    CallLog.Outcome.NO_ANSWER,
                    CallLog.Attitude.UNKNOWN,
                )
                notes, seconds, talked = "", rng.randint(15, 40), False
            else:
                result = ContactAttempt.Result.CONVERSATION
                outcome, attitude, notes = rng.choice(CONVERSATION_OUTCOMES)
                seconds, talked = rng.randint(60, 600), True
            ended = started + dt.timedelta(seconds=seconds)
            attempt = ContactAttempt(
                customer_id=case.customer_id,
                case=case,
                contact_point=point,
                contact_value=point.value,
                channel="call",
                at=started,
                allowed=True,
                result=result,
                completed_at=ended,
                source="demo",
                actor=collector,
            )
            attempts.append(attempt)
            calls.append(
                CallLog(
                    reference=f"CALL-{len(calls) + 1:07d}",
                    case=case,
                    collector=collector,
                    contact_point=point,
                    contact_attempt=attempt,
                    started_at=started,
                    ended_at=ended,
                    duration_seconds=seconds if talked else 0,
                    outcome=outcome,
                    right_party_contact=talked,
                    identity_confirmed=talked,
                    disclosure_made=talked,
                    attitude=attitude,
                    notes=notes,
                )
            )
    ContactAttempt.objects.bulk_create(attempts, batch_size=2000)
    CallLog.objects.bulk_create(calls, batch_size=2000)
    last_contact = (
        ContactAttempt.objects.filter(
            case=OuterRef("pk"), result=ContactAttempt.Result.CONVERSATION
        )
        .values("case")
        .annotate(last=Max("at"))
        .values("last")
    )
    Case.objects.open().update(last_contact_at=Subquery(last_contact))
    run.counts["calls"] = len(calls)


def seed_promises_and_plans(run: DemoRun, open_cases: list[Case]) -> None:
    rng = run.rng
    broken, active_plans, plan_rows = [], [], []
    proposed = pending = 0
    # No promise or plan for a customer who asked us to cease communication
    # (decision 46): the services refuse them. The draws stay in the same order.
    ceased = {case.pk for case in open_cases if services.cease_in_force(case)}
    for case in open_cases:
        roll = rng.random()
        collector = collector_for(run, case)
        overdue = case.overdue_amount
        if roll < 0.12:
            # A promise to come, through the service (validated, with history).
            due = run.today + dt.timedelta(days=rng.randint(1, 14))
            if case.pk in ceased:
                continue
            services.promise_record(
                case=case, amount=overdue, due_date=due, created_by=collector
            )
            pending += 1
        elif roll < 0.20:
            due = run.today - dt.timedelta(days=rng.randint(1, 20))
            broken.append(
                PromiseToPay(
                    case=case,
                    amount=(overdue / 2).quantize(CENT),
                    currency=case.currency,
                    due_date=due,
                    status=PromiseToPay.Status.BROKEN,
                    made_at=timezone.make_aware(
                        dt.datetime.combine(due - dt.timedelta(days=7), dt.time(10))
                    ),
                    resolved_at=timezone.make_aware(
                        dt.datetime.combine(due + dt.timedelta(days=1), dt.time(2))
                    ),
                    created_by=collector,
                )
            )
        elif roll < 0.25 and case.max_days_past_due > 30:
            # An agreed plan: the overdue amount over three to six months.
            parts = rng.randint(3, 6)
            share = (overdue / parts).quantize(CENT)
            plan = RepaymentPlan(
                reference=f"RP-DEMO{len(active_plans) + 1:05d}",
                case=case,
                kind=RepaymentPlan.Kind.INSTALMENTS,
                status=RepaymentPlan.Status.ACTIVE,
                total_amount=overdue,
                currency=case.currency,
                reason="客户收入下降，申请分期偿还逾期款项。",
                requested_by_customer=True,
                proposed_by=collector,
                decided_by=run.users["supervisor"],
                decided_at=run.now - dt.timedelta(days=rng.randint(1, 10)),
                decision_reason="Income verified.",
            )
            active_plans.append(plan)
            first = run.today + dt.timedelta(days=rng.randint(3, 25))
            for sequence in range(1, parts + 1):
                amount = share if sequence < parts else overdue - share * (parts - 1)
                plan_rows.append(
                    RepaymentPlanInstalment(
                        plan=plan,
                        sequence=sequence,
                        due_date=add_months(first, sequence - 1),
                        amount=amount,
                    )
                )
        elif roll < 0.29:
            # Waiting for the supervisor: instalments or a one-off deferral.
            if rng.random() < 0.5:
                kind = RepaymentPlan.Kind.DEFERRAL
                schedule = [
                    {
                        "due_date": run.today + dt.timedelta(days=30),
                        "amount": overdue,
                    }
                ]
                reason = "Customer between jobs; asks to defer one month."
            else:
                kind = RepaymentPlan.Kind.INSTALMENTS
                half = (overdue / 2).quantize(CENT)
                schedule = [
                    {
                        "due_date": run.today + dt.timedelta(days=14),
                        "amount": half,
                    },
                    {
                        "due_date": run.today + dt.timedelta(days=44),
                        "amount": overdue - half,
                    },
                ]
                reason = "客户申请两期还清逾期金额。"
            if case.pk in ceased:
                continue
            services.plan_propose(
                case=case,
                kind=kind,
                instalments=schedule,
                reason=reason,
                proposed_by=collector,
                requested_by_customer=True,
            )
            proposed += 1
    PromiseToPay.objects.bulk_create(broken)
    RepaymentPlan.objects.bulk_create(active_plans)
    RepaymentPlanInstalment.objects.bulk_create(plan_rows)
    run.counts.update(
        {
            "pending promises": pending,
            "broken promises": len(broken),
            "active plans": len(active_plans),
            "proposed plans": proposed,
        }
    )


def seed_live_payments(run: DemoRun, open_cases: list[Case]) -> None:
    """A few customers pay their arrears today, through payment_record: their cases
    close (cured, or paid when nothing is owed), promises are kept."""
    rng = run.rng
    recorded = 0
    promised = set(
        PromiseToPay.objects.filter(
            case__in=open_cases, status=PromiseToPay.Status.PENDING
        ).values_list("case_id", flat=True)
    )
    for case in open_cases:
        # Some who promised keep their word today (the dashboard's kept rate is not
        # 0 %); their payment comes after the promise, as a kept promise's must.
        kept = case.pk in promised
        if rng.random() >= (0.4 if kept else 0.05):
            continue
        loans = Loan.objects.filter(
            customer_id=case.customer_id,
            status=Loan.Status.ACTIVE,
            overdue_amount__gt=0,
        ).order_by("reference")
        for loan in loans:
            recorded += 1
            amount = loan.overdue_amount
            if rng.random() < 0.2:
                amount = loan.outstanding_balance  # settles the whole loan
            services.payment_record(
                reference=f"DEMO-{run.today:%Y%m%d}-{recorded:05d}",
                loan=loan,
                amount=amount,
                currency=loan.currency,
                received_at=timezone.now()
                if kept
                else run.now - dt.timedelta(minutes=rng.randint(5, 600)),
            )
    run.counts["payments today"] = recorded
    run.counts["promises kept"] = PromiseToPay.objects.filter(
        case__in=open_cases, status=PromiseToPay.Status.KEPT
    ).count()
