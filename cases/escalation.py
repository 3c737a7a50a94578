"""The escalation sweep: move every open case one rung up its policy's ladder when
the rung is due, through the compliance gate, set-based.

Per step, one query finds the due cases; per batch of cases, one batch evaluation by
the gate, one write of its ledger and outbox rows (`sweep_writes`), call tasks, and
a few UPDATEs move the cases on. Nothing issues queries per case. A step's batches
run in several processes at once (`_run_batches`, ESCALATION_SWEEP_WORKERS).

Idempotent: a case moves to a step only from the step before it, under a row lock,
and every action carries the key (case, step), unique in the database. Running the
sweep twice in the same window creates nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import billiard
import billiard.einfo
import billiard.util
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from calls.models import CallTask
from compliance.ledger import LedgerEntry
from compliance.models import ContactAttempt
from compliance.models import Decision as DecisionRow
from compliance.packs import Pack
from compliance.services import ContactProposal, contact_evaluate_many
from core.bulk import analyze_if_large, gc_paused, ids_in, update_by_ids
from messaging.models import MessageTemplate, OutboundMessage

from .models import (
    Case,
    Customer,
    EscalationPolicy,
    EscalationStep,
    Payment,
    PromiseToPay,
    RepaymentPlan,
)
from .sweep_writes import SweepMessage, sweep_batch_write

logger = logging.getLogger(__name__)
Action = EscalationStep.Action

# The gate's channel for each contacting action.
CHANNEL_FOR_ACTION = {
    Action.SMS: "sms",
    Action.EMAIL: "email",
    Action.LETTER: "letter",
    Action.CALL_TASK: "call",
}
MESSAGE_ACTIONS = {Action.SMS, Action.EMAIL, Action.LETTER}
# A contact blocked until an event (a hold, an opt-out) is looked at again a day later.
BLOCKED_RECHECK = dt.timedelta(days=1)


@dataclass
class SweepReport:
    at: dt.datetime
    dry_run: bool
    # step label -> counts of created / deferred / blocked / no_template
    steps: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    reasons: Counter = field(default_factory=Counter)
    # step label -> blocking reason counts, and -> (order, action) for comparisons
    step_reasons: dict[str, Counter] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    step_meta: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return sum(c["created"] for c in self.steps.values())

    def counts(self) -> tuple:
        """The counts, as plain picklable values (a batch process sends them back)."""
        return (
            {label: Counter(c) for label, c in self.steps.items()},
            {label: Counter(c) for label, c in self.step_reasons.items()},
            Counter(self.reasons),
        )

    def merge_counts(self, counts: tuple) -> None:
        """Add `counts` (another part of this run's `counts()`)."""
        steps, step_reasons, reasons = counts
        for label, c in steps.items():
            self.steps[label].update(c)
        for label, c in step_reasons.items():
            self.step_reasons[label].update(c)
        self.reasons.update(reasons)

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "created": self.created,
            "steps": {label: dict(c) for label, c in self.steps.items()},
            "blocked_by_reason": dict(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class SweepCustomer:
    """What a batch reads of a customer: the gate reads its country, region and time
    zone, templates its language. Plain records, not model instances: building those
    for 5,000 cases and customers took about a fifth of a batch's Python time."""

    pk: int
    country: str
    region: str
    time_zone: str
    language: str


@dataclass(frozen=True, slots=True)
class SweepCase:
    """What a batch reads of a case (and its customer)."""

    pk: int
    customer_id: int
    queue_id: int | None
    priority: int
    customer: SweepCustomer


def _policy_cases(policy: EscalationPolicy) -> QuerySet[Case]:
    scope = Q(policy=policy)
    if policy.is_default:
        scope |= Q(policy__isnull=True)
    return Case.objects.open().filter(scope)


def _at_stage(previous: EscalationStep | None, stages: list[int | None] | None) -> Q:
    """Cases standing on `previous`; or, for a simulated draft, on any of `stages`
    (ids of the active version's rungs that activation would move onto `previous`;
    None for cases on no rung yet)."""
    if stages is None:
        return Q(stage=previous)
    at_stage = Q(stage_id__in=[s for s in stages if s is not None])
    if None in stages:
        at_stage |= Q(stage__isnull=True)
    return at_stage


def due_cases(
    *,
    policy: EscalationPolicy,
    step: EscalationStep,
    previous: EscalationStep | None,
    at: dt.datetime,
    scope: QuerySet[Case] | None = None,
    stages: list[int | None] | None = None,
) -> QuerySet[Case]:
    """Open cases for which `step` is the next rung and is due at `at`.

    `scope` and `stages` are for simulating a draft (`escalation_simulate`): the
    cases it would take over and the rungs that map onto `previous`."""
    today = timezone.localdate(at)
    cases = (scope if scope is not None else _policy_cases(policy)).filter(
        Q(next_action_at__isnull=True) | Q(next_action_at__lte=at),
        _at_stage(previous, stages),
    )
    if step.trigger == EscalationStep.Trigger.DPD:
        cases = cases.filter(max_days_past_due__gte=step.trigger_days)
    else:
        # N days after the previous rung, and only while the customer stayed silent:
        # any reply or payment since then stops the ladder.
        cases = cases.filter(stage_at__lte=at - dt.timedelta(days=step.trigger_days))
        cases = cases.exclude(last_reply_at__gte=F("stage_at")).exclude(
            Exists(
                Payment.objects.filter(
                    loan__customer=OuterRef("customer"),
                    received_at__gte=OuterRef("stage_at"),
                )
            )
        )
    if step.skip_while_promise:
        cases = cases.exclude(
            Exists(
                PromiseToPay.objects.filter(
                    case=OuterRef("pk"),
                    status=PromiseToPay.Status.PENDING,
                    due_date__gte=today,
                )
            )
        )
    if step.skip_while_plan:
        cases = cases.exclude(
            Exists(
                RepaymentPlan.objects.filter(
                    case=OuterRef("pk"),
                    status__in=[
                        RepaymentPlan.Status.APPROVED,
                        RepaymentPlan.Status.ACTIVE,
                    ],
                )
            )
        )
    return cases


def _templates(step: EscalationStep) -> dict[str, MessageTemplate]:
    """The active template of the step per language."""
    if step.action not in MESSAGE_ACTIONS or not step.template_code:
        return {}
    rows = MessageTemplate.objects.filter(
        code=step.template_code,
        channel=step.action,
        status=MessageTemplate.Status.ACTIVE,
    )
    return {t.language: t for t in rows}


def _template_for(templates: dict[str, MessageTemplate], language: str):
    return templates.get(language) or templates.get("zh-hans") or templates.get("en")


def _key(case: SweepCase, step: EscalationStep) -> str:
    return f"esc:{case.pk}:{step.pk}"


def _sweep_batch(
    *,
    step: EscalationStep,
    previous: EscalationStep | None,
    case_ids: list[int],
    at: dt.datetime,
    dry_run: bool,
    report: SweepReport,
    stages: list[int | None] | None = None,
    pack_overrides: dict[str, Pack] | None = None,
) -> None:
    if pack_overrides and not dry_run:
        # A draft rule pack decides nothing that is written.
        raise ValueError("pack_overrides is only for dry runs")
    label = _label(step)
    counts = report.steps[label]
    step_reasons = report.step_reasons[label]
    with gc_paused(), transaction.atomic():
        rows = (
            Case.objects.filter(_at_stage(previous, stages), ids_in(case_ids))
            .order_by()
            .values_list("id", "customer_id", "queue_id", "priority")
        )
        if not dry_run:
            # Lock the batch; a concurrent sweep skips these rows, and the stage filter
            # above drops any case it already moved on.
            rows = rows.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked
            )
        rows = list(rows)
        if not rows:
            return
        # Their customers in a query of their own: joined, the planner reads every
        # customer to hash them for 5,000 cases.
        customers = {
            row[0]: SweepCustomer(*row)
            for row in Customer.objects.filter(
                ids_in([row[1] for row in rows])
            ).values_list("id", "country", "region", "time_zone", "language")
        }
        cases = [SweepCase(*row, customer=customers[row[1]]) for row in rows]

        channel = CHANNEL_FOR_ACTION.get(step.action)
        templates = _templates(step)
        if channel is None:
            decisions = [None] * len(cases)
        else:
            decisions = contact_evaluate_many(
                [
                    ContactProposal(customer=c.customer, channel=channel, case=c, at=at)
                    for c in cases
                ],
                at=at,
                pack_overrides=pack_overrides,
            )

        done: list[SweepCase] = []
        deferred: dict[dt.datetime, list[int]] = defaultdict(list)
        ledger: list[LedgerEntry] = []
        messages: list[SweepMessage] = []
        tasks: list[CallTask] = []
        for case, decision in zip(cases, decisions, strict=True):
            template = None
            if step.action in MESSAGE_ACTIONS:
                template = _template_for(templates, case.customer.language)
                if template is None:
                    counts["no_template"] += 1
                    deferred[at + BLOCKED_RECHECK].append(case.pk)
                    continue
            if decision is not None and not decision.allowed:
                for code in decision.codes:
                    report.reasons[code] += 1
                    step_reasons[code] += 1
                counts["deferred" if decision.next_permitted_at else "blocked"] += 1
                # A call task blocked only for now lands in the queue, due when allowed.
                if step.action == Action.CALL_TASK and decision.next_permitted_at:
                    tasks.append(_task(case, step, due_at=decision.next_permitted_at))
                    done.append(case)
                    counts["created"] += 1
                    continue
                if step.action in MESSAGE_ACTIONS:
                    ledger.append(LedgerEntry(decision=decision, case=case))
                deferred[decision.next_permitted_at or at + BLOCKED_RECHECK].append(
                    case.pk
                )
                continue
            counts["created"] += 1
            done.append(case)
            if step.action in MESSAGE_ACTIONS:
                ledger.append(LedgerEntry(decision=decision, case=case))
                messages.append(
                    SweepMessage(
                        index=len(ledger) - 1,
                        step=step,
                        template_id=template.pk,
                        key=_key(case, step),
                        send_after=at,
                    )
                )
            else:
                tasks.append(_task(case, step, due_at=at))

        if dry_run:
            return
        sweep_batch_write(ledger, messages)
        CallTask.objects.bulk_create(tasks)
        update_by_ids(
            Case,
            [c.pk for c in done],
            stage_id=step.pk,
            stage_at=at,
            next_action_at=None,
        )
        for when, ids in deferred.items():
            update_by_ids(Case, ids, next_action_at=when)


def _task(case: SweepCase, step: EscalationStep, *, due_at: dt.datetime) -> CallTask:
    """The step's work item in its queue (else the case's). Supervisor reviews and
    legal referrals are tasks too, their reason naming what is asked."""
    reason = step.name
    if step.action != Action.CALL_TASK:
        reason = f"{step.get_action_display()}: {step.name}"
    return CallTask(
        case_id=case.pk,
        queue_id=step.queue_id or case.queue_id,
        step=step,
        reason=reason,
        due_at=due_at,
        priority=case.priority + step.priority,
        idempotency_key=_key(case, step),
    )


def _label(step: EscalationStep) -> str:
    return f"{step.policy.code} v{step.policy.version} #{step.order} {step.name}"


def _policy_sweep(
    *,
    policy: EscalationPolicy,
    at: dt.datetime,
    dry_run: bool,
    batch_size: int,
    report: SweepReport,
    fork: bool = False,
    scope: QuerySet[Case] | None = None,
    stage_map: dict[int | None, EscalationStep | None] | None = None,
    orders: set[int] | None = None,
    pack_overrides: dict[str, Pack] | None = None,
) -> None:
    """One policy's due steps, with `fork` in batch processes (`_run_batches`). Only
    for simulations: `scope` and `stage_map` (active
    step id, or None for no step yet -> the draft's rung) for a draft, `orders`
    to run only some rungs, and `pack_overrides` (rule-pack code -> compiled draft
    pack) for the gate to decide with a draft rule pack."""
    steps = sorted(policy.steps.all(), key=lambda s: s.order)
    # Highest rung first, so a case moved up in this run is not moved again.
    for index in reversed(range(len(steps))):
        step, previous = steps[index], steps[index - 1] if index else None
        if orders is not None and step.order not in orders:
            continue
        report.step_meta[_label(step)] = (step.order, step.action)
        stages = None
        if stage_map is not None:
            stages = [s for s, target in stage_map.items() if target == previous]
        ids = list(
            due_cases(
                policy=policy,
                step=step,
                previous=previous,
                at=at,
                scope=scope,
                stages=stages,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _run_batches(
            functools.partial(
                _sweep_batch,
                step=step,
                previous=previous,
                at=at,
                dry_run=dry_run,
                stages=stages,
                pack_overrides=pack_overrides,
            ),
            [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)],
            report,
            fork=fork,
        )


# The job a forked batch process runs: (run, batches, at, dry_run).
_FORKED: tuple | None = None


def _run_batches(
    run: Callable[..., None],
    batches: list[list[int]],
    report: SweepReport,
    *,
    fork: bool,
) -> None:
    """Run one step's batches; with `fork`, in several processes at once where that
    is safe.

    Batches hold disjoint cases (and so disjoint customers: one open case each), lock
    their own rows and commit on their own, so they need no order among themselves.
    The gate and the bookkeeping are Python: threads would share one interpreter lock
    and leave a core idle (docs/decisions.md, record 21), so the batches run in forked
    processes, each with its own connection. billiard (Celery's fork of
    multiprocessing) rather than the standard library: a Celery worker's pool process
    may start it. The sweep forks (a Celery pool process or a management command runs
    it); a simulation does not: it runs in a web server's process, maybe threaded, and
    a fork there copies whatever lock another thread holds at that moment. One at a
    time also inside a caller's transaction (other connections would not see its
    rows) and on SQLite.
    """
    workers = min(settings.ESCALATION_SWEEP_WORKERS, len(batches))
    if (
        not fork
        or workers < 2
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        for case_ids in batches:
            run(case_ids=case_ids, report=report)
        return
    global _FORKED
    # The children inherit the job by fork (no pickling of steps, packs or a test's
    # stand-in) and must not share this process's database connection: close it.
    _FORKED = (run, batches, report.at, report.dry_run)
    connections.close_all()
    logger.info("escalation sweep: %d batches in %d processes", len(batches), workers)
    pool = billiard.get_context("fork").Pool(workers, initializer=_forked_init)
    try:
        for counts in pool.imap_unordered(_forked_batch, range(len(batches))):
            report.merge_counts(counts)
    except BaseException as exc:
        # One batch failed (or the task is being stopped): stop the others. Whatever
        # they had not committed rolls back, and the next sweep takes those cases.
        pool.terminate()
        if isinstance(exc, billiard.einfo.ExceptionWithTraceback):
            # How billiard reports a batch process that died (killed, out of memory).
            raise exc.exc from exc
        raise
    else:
        pool.close()
    finally:
        pool.join()
        _FORKED = None


def _forked_init() -> None:
    # A pool process ends without Python's exit handlers but runs billiard's
    # finalizers: close its connection there rather than drop it on the server.
    billiard.util.Finalize(None, connections.close_all, exitpriority=10)


def _forked_batch(index: int) -> tuple:
    """In a forked process: run one batch; return its counts to the parent."""
    run, batches, at, dry_run = _FORKED
    part = SweepReport(at=at, dry_run=dry_run)
    run(case_ids=batches[index], report=part)
    return part.counts()


def escalation_sweep(
    *,
    at: dt.datetime | None = None,
    dry_run: bool = False,
    batch_size: int | None = None,
) -> SweepReport:
    """Run every active policy's due steps at `at` (default now), in batches of
    `batch_size` cases (default ESCALATION_SWEEP_BATCH_SIZE)."""
    at = at or timezone.now()
    batch_size = batch_size or settings.ESCALATION_SWEEP_BATCH_SIZE
    report = SweepReport(at=at, dry_run=dry_run)
    policies = EscalationPolicy.objects.filter(
        status=EscalationPolicy.Status.ACTIVE
    ).prefetch_related("steps")
    for policy in policies:
        _policy_sweep(
            policy=policy,
            at=at,
            dry_run=dry_run,
            batch_size=batch_size,
            report=report,
            fork=True,
        )
    if not dry_run:
        # Pages read these tables right after a large sweep: fresh statistics.
        for model in (DecisionRow, ContactAttempt, OutboundMessage, CallTask, Case):
            analyze_if_large(model, report.created)
    logger.info("escalation sweep %s", report.as_dict())
    return report


def escalation_simulate(
    *,
    policy: EscalationPolicy,
    at: dt.datetime,
    batch_size: int | None = None,
    orders: set[int] | None = None,
    pack_overrides: dict[str, Pack] | None = None,
) -> SweepReport:
    """What the sweep would do at `at` if `policy` were the live version of its code
    (only the rungs in `orders`, when given), and, with `pack_overrides` (rule-pack
    code -> compiled Pack), if those rule packs were live too.

    The same selection (`due_cases`), gate (`contact_evaluate_many`) and per-case
    decisions as `escalation_sweep`, run as its dry run: no row locks, no writes. A
    draft takes over the open cases of the active version it would replace, each at
    the rung activation would move it to (`policies.stage_successors`), so what the
    simulation reports is what the sweep does once the draft is activated.
    """
    from .policies import stage_successors

    report = SweepReport(at=at, dry_run=True)
    batch_size = batch_size or settings.ESCALATION_SWEEP_BATCH_SIZE
    policy = EscalationPolicy.objects.prefetch_related("steps").get(pk=policy.pk)
    active = (
        EscalationPolicy.objects.filter(
            code=policy.code, status=EscalationPolicy.Status.ACTIVE
        )
        .prefetch_related("steps")
        .first()
    )
    scope = stage_map = None
    if active is not None and active.pk != policy.pk:
        scope = _policy_cases(active)
        stage_map = {None: None}
        successors = stage_successors(old=active.steps.all(), new=policy.steps.all())
        stage_map.update({old.pk: new for old, new in successors.items()})
    _policy_sweep(
        policy=policy,
        at=at,
        dry_run=True,
        batch_size=batch_size,
        report=report,
        scope=scope,
        stage_map=stage_map,
        orders=orders,
        pack_overrides=pack_overrides,
    )
    return report
