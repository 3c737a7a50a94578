"""The journey simulation: the real system, day by day, with simulated debtors and
collectors, on whatever database the connection points at (the command gives it a
throwaway one).

Each simulated day (times in the project's zone, Asia/Shanghai):

- 05:00 debtors pay: instalments of customers who pay on time, and the debtors whose
  behaviour or kept promise says today (`payment_record`);
- 05:30 the daily jobs: `delinquency_refresh`, `promise_refresh`, `plan_refresh`;
- 09:00, 13:00, 18:00 the escalation sweep (`escalation_sweep`) and the dispatcher
  (`outbox_dispatch_many`, until it runs dry) into the recording backend; a debtor a
  message reaches may answer it (an SMS STOP through `webhook_receive`);
- 10:00-16:30 collectors press "Next case" (`call_task_claim_next`), start the call
  through the gate (`call_start`) and log what the debtor says
  (`call_log_with_promise`), or skip (`case_skip`) a case they cannot dial;
- 21:00 the invariants (`invariants.day_violations`) and the day's figures.

The clock: services that take the time are given it (`at`, `now`, `today`); the rest
read `timezone.now()`, so the whole run is inside `time_machine.travel` and the
clock is moved between steps (docs/decisions.md, record 49).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, F, Sum
from django.test.utils import override_settings
from django.utils import timezone

from calls.models import CallLog
from calls.services import (
    call_log_with_promise,
    call_queue_recheck,
    call_start,
    call_task_claim_next,
)
from calls.services.claims import case_skip
from cases import services as case_services
from cases.models import (
    Case,
    ContactPoint,
    Customer,
    Instalment,
    Loan,
    PromiseToPay,
)
from compliance.models import Decision
from compliance.restrictions import restriction_create
from core.errors import ApplicationError
from demo import portfolio
from demo.data import DemoRun
from escalation.sweep import escalation_sweep
from messaging.services import outbox
from messaging.webhooks import webhook_receive

from . import invariants, recorder
from .behaviours import Answer, Debtor, behaviour_draw

Outcome = CallLog.Outcome
SWEEP_TIMES = (dt.time(9), dt.time(13), dt.time(18))
CALL_ROUNDS = (dt.time(10), dt.time(11), dt.time(14), dt.time(15, 30))
# Of the customers with no overdue loan at the start, these slip into arrears.
SLIP_RATE = 0.15
START = dt.date(2026, 1, 5)


@dataclass
class JourneyConfig:
    days: int = 120
    customers: int = 300
    seed: int = 1
    start: dt.date = START
    # "Next case" presses per simulated day, over all collectors (default: one for
    # every ten customers, at least 12 and at most 24: a press costs the real
    # claim, gate, call and log, ~0.15 s, and the run must stay in minutes).
    presses: int | None = None
    # Called after each day's work, before the checks (tests inject violations).
    before_checks: Callable | None = None

    @property
    def presses_per_day(self) -> int:
        return (
            self.presses
            if self.presses is not None
            else min(24, max(12, self.customers // 10))
        )


@dataclass
class Day:
    day: int
    date: dt.date
    open_by_rung: dict[str, int]
    open_by_bucket: dict[str, int]
    contacts: dict[str, int]
    blocks: dict[str, int]
    promises_kept: int
    promises_broken: int
    promises_made: int
    collected: Decimal
    closed: int
    violations: list[str] = field(default_factory=list)


@dataclass
class JourneyResult:
    config: JourneyConfig
    days: list[Day] = field(default_factory=list)
    violations: list[invariants.Violation] = field(default_factory=list)
    behaviours: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> dict:
        total = Counter()
        blocks = Counter()
        for d in self.days:
            total.update(d.contacts)
            blocks.update(d.blocks)
        last = self.days[-1] if self.days else None
        return {
            "days": len(self.days),
            "customers": self.config.customers,
            "seed": self.config.seed,
            "violations": len(self.violations),
            "contacts": dict(sorted(total.items())),
            "blocks": dict(blocks.most_common(8)),
            "promises_made": sum(d.promises_made for d in self.days),
            "promises_kept": sum(d.promises_kept for d in self.days),
            "promises_broken": sum(d.promises_broken for d in self.days),
            "collected": str(sum((d.collected for d in self.days), Decimal("0.00"))),
            "cases_closed": sum(d.closed for d in self.days),
            "open_cases_end": sum(last.open_by_rung.values()) if last else 0,
            "open_by_rung_end": last.open_by_rung if last else {},
            "open_by_bucket_end": last.open_by_bucket if last else {},
            "behaviours": self.behaviours,
            "seconds": round(self.seconds, 1),
        }


def _at(date: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=timezone.get_default_timezone())


class Journey:
    """One run. `clock` moves the time-machine traveller."""

    def __init__(self, config: JourneyConfig, clock, say=None):
        self.config = config
        self.clock = clock
        self.say = say or (lambda line: None)
        self.rng = random.Random(config.seed)
        self.debtors: dict[int, Debtor] = {}
        self.on_time: set[int] = set()
        self.now = _at(config.start, dt.time(5))
        self.result = JourneyResult(config)
        self.delivered_seen = 0
        self.contacts = Counter()
        self.press_count = 0

    # -- the clock -----------------------------------------------------------------

    def at(self, when: dt.datetime) -> dt.datetime:
        self.now = when
        self.clock.move_to(when)
        return when

    # -- the world ----------------------------------------------------------------

    def build(self) -> None:
        run = DemoRun(
            rng=random.Random(self.config.seed),
            today=self.config.start,
            now=self.now,
            say=lambda level, message: None,
        )
        portfolio.seed_people(run)
        portfolio.seed_portfolio(run, self.config.customers)
        self.collectors = [
            u
            for u in get_user_model()
            .objects.filter(groups=Group.objects.get(name="collector"))
            .order_by("username")
        ]
        case_services.delinquency_refresh(today=self.config.start)
        in_arrears = set(Case.objects.open().values_list("customer_id", flat=True))
        # Keyed by reference, not id: ids depend on the database's sequences.
        self.references = dict(Customer.objects.values_list("pk", "reference"))
        for customer_id in sorted(self.references):
            rng = random.Random(f"{self.config.seed}:{self.references[customer_id]}")
            if customer_id not in in_arrears and rng.random() >= SLIP_RATE:
                self.on_time.add(customer_id)
                continue
            self.debtors[customer_id] = self._debtor(customer_id, rng)
        self.result.behaviours = dict(
            sorted(Counter(d.behaviour.name for d in self.debtors.values()).items())
        )

    def _debtor(self, customer_id: int, rng: random.Random) -> Debtor:
        behaviour = behaviour_draw(rng)
        debtor = Debtor(customer_id=customer_id, behaviour=behaviour, rng=rng)
        if behaviour.pays_after:
            debtor.pay_on = self.config.start + dt.timedelta(
                days=rng.randint(*behaviour.pays_after)
            )
        return debtor

    # -- debtors ------------------------------------------------------------------

    def _pay(self, loan_id: int, amount: Decimal, why: str) -> Decimal:
        if amount <= 0:
            return Decimal("0.00")
        loan = Loan.objects.get(pk=loan_id)
        self.press_count += 1
        case_services.payment_record(
            reference=f"SIM-{self.now:%Y%m%d}-{loan.reference}-{why}",
            loan=loan,
            amount=amount,
            currency=loan.currency,
            received_at=self.now,
        )
        return amount

    def payments(self, today: dt.date) -> Decimal:
        """Instalments due today of on-time payers; everything overdue of the
        debtors who pay today. Every payment through payment_record."""
        collected = Decimal("0.00")
        due_today = (
            Instalment.objects.filter(
                due_date=today,
                amount_paid__lt=F("amount_due"),
                loan__status=Loan.Status.ACTIVE,
                loan__customer_id__in=self.on_time,
            )
            .values_list("loan_id", "amount_due", "amount_paid")
            .order_by("loan_id")
        )
        for loan_id, due, paid in due_today:
            collected += self._pay(loan_id, due - paid, "due")
        paying = [d for d in self.debtors.values() if d.behaviour.pays_today(d, today)]
        for debtor in sorted(paying, key=lambda d: d.customer_id):
            overdue = (
                Instalment.objects.filter(
                    loan__customer_id=debtor.customer_id,
                    loan__status=Loan.Status.ACTIVE,
                    due_date__lte=today,
                    amount_paid__lt=F("amount_due"),
                )
                .values("loan_id")
                .annotate(owed=Sum(F("amount_due") - F("amount_paid")))
                .order_by("loan_id")
            )
            for row in overdue:
                collected += self._pay(row["loan_id"], row["owed"], "arrears")
            debtor.pay_on = None
            # Back on their feet: they pay on time from now on.
            self.on_time.add(debtor.customer_id)
        return collected

    def _message_replies(self) -> None:
        """Debtors a message reached may answer it (an SMS STOP opts them out)."""
        new = recorder.DELIVERED[self.delivered_seen :]
        self.delivered_seen = len(recorder.DELIVERED)
        for item in new:
            self.contacts[f"sent_{item.channel}"] += 1
            debtor = self.debtors.get(item.customer_id)
            if debtor is None or not debtor.behaviour.on_message(debtor, item.channel):
                continue
            point = ContactPoint.objects.filter(
                customer_id=item.customer_id,
                channel=ContactPoint.Channel.PHONE,
                is_primary=True,
            ).first()
            if point is None:
                continue
            webhook_receive(
                payload={
                    "type": "inbound",
                    "id": f"sim-reply-{item.message_id}",
                    "from": point.value,
                    "text": "TD",
                    "at": self.now.isoformat(),
                }
            )
            self.contacts["replied_stop"] += 1

    # -- the system's jobs ------------------------------------------------------------

    def daily_jobs(self, today: dt.date) -> None:
        case_services.delinquency_refresh(today=today)
        case_services.promise_refresh(today=today)
        case_services.plan_refresh(today=today)
        call_queue_recheck(now=self.now)
        # Customers who slipped into arrears since: a behaviour of their own.
        for customer_id in (
            Case.objects.open()
            .exclude(customer_id__in=list(self.debtors))
            .order_by("customer_id")
            .values_list("customer_id", flat=True)
        ):
            rng = random.Random(
                f"{self.config.seed}:{self.references[customer_id]}:late"
            )
            self.debtors[customer_id] = self._debtor(customer_id, rng)
            self.on_time.discard(customer_id)

    def sweep_and_dispatch(self) -> None:
        escalation_sweep(at=self.now)
        outbox.outbox_dispatch_many(now=self.now)
        self._message_replies()

    # -- collectors -----------------------------------------------------------------

    def call_round(self, today: dt.date, when: dt.time) -> None:
        """One round of "Next case" presses, the collectors taking turns; a collector
        the queue gives nothing sits the rest of the round out."""
        per_round = max(1, self.config.presses_per_day // len(CALL_ROUNDS))
        idle: set[int] = set()
        for n in range(per_round):
            if len(idle) == len(self.collectors):
                break
            collector = self.collectors[n % len(self.collectors)]
            if collector.pk in idle:
                continue
            self.at(self.now + dt.timedelta(minutes=1))
            if self._press(collector, today):
                continue
            # Nothing: a collector presses again (the first press wrote back the
            # blocks it met); twice nothing, and nothing in their queues may be
            # called now, or the queue is failing them.
            self.at(self.now + dt.timedelta(minutes=1))
            if not self._press(collector, today):
                self.violations_now += invariants.idle_violations(
                    collector, now=self.now
                )
                idle.add(collector.pk)

    def _press(self, collector, today: dt.date) -> bool:
        task = call_task_claim_next(user=collector, now=self.now)
        if task is None:
            return False
        self.contacts["handed_out"] += 1
        self.violations_now += invariants.handout_violations(task, now=self.now)
        case = Case.objects.select_related("customer").get(pk=task.case_id)
        debtor = self.debtors.get(case.customer_id)
        point = (
            ContactPoint.objects.filter(
                customer_id=case.customer_id,
                channel=ContactPoint.Channel.PHONE,
                relationship=ContactPoint.Relationship.SELF,
                invalid_at__isnull=True,
            )
            .order_by("-is_primary", "pk")
            .first()
        )
        if point is None:
            case_skip(
                user=collector, case=case, reason="no number to call", now=self.now
            )
            self.contacts["skipped"] += 1
            return True
        try:
            _, attempt = call_start(
                user=collector, case=case, contact_point=point, at=self.now
            )
        except ApplicationError as exc:
            case_skip(
                user=collector, case=case, reason=f"blocked: {exc.code}", now=self.now
            )
            self.contacts["skipped"] += 1
            return True
        if debtor is None:
            answer = Answer(Outcome.NO_ANSWER)
        else:
            debtor.state["today"] = today
            answer = debtor.behaviour.on_call(debtor)
        started = self.now
        self.at(self.now + dt.timedelta(minutes=3))
        self._log(collector, case, attempt, answer, started, debtor, today)
        self.contacts[f"call_{answer.outcome}"] += 1
        return True

    def _log(self, collector, case, attempt, answer, started, debtor, today) -> None:
        talked = answer.outcome not in (
            Outcome.NO_ANSWER,
            Outcome.VOICEMAIL,
            Outcome.WRONG_NUMBER,
            Outcome.NOT_CONNECTED,
        )
        fields = {
            "outcome": answer.outcome,
            "identity_confirmed": talked,
            "disclosure_made": talked,
            "started_at": started,
            "ended_at": self.now,
        }
        if answer.callback_in_hours:
            callback = self.now + dt.timedelta(hours=answer.callback_in_hours)
            if callback.hour >= 20 or callback.hour < 9:
                callback = _at(callback.date() + dt.timedelta(days=1), dt.time(10))
            fields["callback_at"] = callback
        promise = {}
        if answer.outcome == Outcome.PROMISE_TO_PAY:
            owed = (
                Instalment.objects.filter(
                    loan__customer_id=case.customer_id,
                    loan__status=Loan.Status.ACTIVE,
                    due_date__lte=today,
                    amount_paid__lt=F("amount_due"),
                ).aggregate(owed=Sum(F("amount_due") - F("amount_paid")))["owed"]
            ) or Decimal("0.00")
            if owed <= 0:
                fields["outcome"] = Outcome.OTHER
            else:
                due = today + dt.timedelta(days=answer.promise_in_days)
                promise = {"promise_amount": owed, "promise_due_date": due}
                if answer.keeps and debtor is not None:
                    debtor.pay_on = due - dt.timedelta(days=debtor.rng.randint(0, 2))
        try:
            call_log_with_promise(
                user=collector, case=case, attempt=attempt, **promise, **fields
            )
        except ApplicationError as exc:
            # A refused callback time or promise: logged as a plain conversation, as
            # a collector would after the form said no.
            self.contacts[f"refused_{exc.code}"] += 1
            fields.pop("callback_at", None)
            fields["outcome"] = Outcome.OTHER if talked else Outcome.NO_ANSWER
            call_log_with_promise(user=collector, case=case, attempt=attempt, **fields)
        if answer.restriction:
            restriction_create(
                customer=case.customer,
                kind=answer.restriction,
                reason="The customer disputes the debt (journey simulation).",
                actor=collector,
                source="collector",
            )

    # -- figures -------------------------------------------------------------------

    def figures(self, day: int, today: dt.date, start, end, collected) -> Day:
        open_cases = Case.objects.open()
        by_rung = Counter(
            dict(
                (f"{order or 0}", n)
                for order, n in open_cases.values("stage__order")
                .annotate(n=Count("pk"))
                .values_list("stage__order", "n")
            )
        )
        by_bucket = dict(
            open_cases.values("bucket")
            .annotate(n=Count("pk"))
            .order_by("bucket")
            .values_list("bucket", "n")
        )
        blocks = Counter()
        for reasons in Decision.objects.filter(
            allowed=False, proposed_at__gte=start, proposed_at__lt=end
        ).values_list("reasons", flat=True):
            for r in reasons or []:
                blocks[r.get("code", "?")] += 1
        promises = PromiseToPay.objects.filter(
            resolved_at__gte=start, resolved_at__lt=end
        )
        return Day(
            day=day,
            date=today,
            open_by_rung=dict(sorted(by_rung.items())),
            open_by_bucket=by_bucket,
            contacts=dict(sorted(self.contacts.items())),
            blocks=dict(blocks.most_common()),
            promises_kept=promises.filter(status=PromiseToPay.Status.KEPT).count(),
            promises_broken=promises.filter(status=PromiseToPay.Status.BROKEN).count(),
            promises_made=PromiseToPay.objects.filter(
                made_at__gte=start, made_at__lt=end
            ).count(),
            collected=collected,
            closed=Case.objects.filter(closed_at__gte=start, closed_at__lt=end).count(),
        )

    # -- the run -------------------------------------------------------------------

    def run_day(self, day: int) -> Day:
        today = self.config.start + dt.timedelta(days=day)
        start, end = (
            _at(today, dt.time(0)),
            _at(today + dt.timedelta(days=1), dt.time(0)),
        )
        self.contacts = Counter()
        self.violations_now: list[invariants.Violation] = []
        self.at(_at(today, dt.time(5)))
        collected = self.payments(today)
        self.at(_at(today, dt.time(5, 30)))
        self.daily_jobs(today)
        timeline = sorted(
            [(t, self.sweep_and_dispatch) for t in SWEEP_TIMES]
            + [(t, lambda t=t: self.call_round(today, t)) for t in CALL_ROUNDS]
        )
        for when, step in timeline:
            self.at(max(self.now, _at(today, when)))
            step()
        sweep_at = self.now
        self.at(_at(today, dt.time(21)))
        if self.config.before_checks is not None:
            self.config.before_checks(self, day)
        self.violations_now += invariants.day_violations(
            start=start,
            end=end,
            sweep_at=sweep_at,
            dispatched_at=sweep_at,
            delivered=recorder.DELIVERED,
        )
        figures = self.figures(day, today, start, end, collected)
        figures.violations = [str(v) for v in self.violations_now]
        self.result.violations += self.violations_now
        return figures


def recording_senders() -> dict:
    """OUTBOX_CHANNEL_SENDERS with SMS and email going to the recording backend
    (any other sender plugged in, letters for one, is kept)."""
    path = "demo.journey.recorder.record"
    return {**settings.OUTBOX_CHANNEL_SENDERS, "sms": path, "email": path}


def journey_run(config: JourneyConfig, *, on_day=None) -> JourneyResult:
    """Build the world and run it `config.days` days; stops after the first day
    with a violation. `on_day(Day)` is called after every day (the command prints).

    Needs time-machine (a development dependency): without it ImportError names
    it."""
    import time

    import time_machine

    started = time.monotonic()
    recorder.DELIVERED.clear()
    outbox._channel_sender.cache_clear()
    start = _at(config.start, dt.time(5))
    try:
        with (
            override_settings(
                OUTBOX_CHANNEL_SENDERS=recording_senders(),
                # The demo users of a throwaway database never log in: a fast hash
                # (PBKDF2 costs two seconds of every run).
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ),
            time_machine.travel(start, tick=False) as clock,
        ):
            journey = Journey(config, clock)
            journey.build()
            for day in range(config.days):
                figures = journey.run_day(day)
                journey.result.days.append(figures)
                if on_day is not None:
                    on_day(figures)
                if figures.violations:
                    break
    finally:
        outbox._channel_sender.cache_clear()
    journey.result.seconds = time.monotonic() - started
    return journey.result
