"""The escalation sweep: move every open case one rung up its policy's ladder when
the rung is due, through the compliance gate, set-based.

Per step, one query finds the due cases; per batch of cases, one batch evaluation by
the gate, one write of its ledger and outbox rows (`sweep_writes`), call tasks, and
a few UPDATEs move the cases on. Nothing issues queries per case. A step's batches
run in several processes at once (`batches.run_batches`, ESCALATION_SWEEP_WORKERS).

Idempotent: a case moves to a step only from the step before it, under a row lock,
and every action carries the key (case, step), unique in the database. Running the
sweep twice in the same window creates nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from calls.models import CallTask
from calls.services import cases_defer_blocked
from cases.models import (
    Case,
    Customer,
    EscalationPolicy,
    EscalationStep,
    Payment,
    PromiseToPay,
    RepaymentPlan,
    WorkQueue,
)
from compliance.ledger import LedgerEntry
from compliance.models import ContactAttempt, ContactPreference, ContactRestriction
from compliance.models import Decision as DecisionRow
from compliance.packs import Pack
from compliance.services import ContactProposal, contact_evaluate_many
from core.bulk import analyze_if_large, gc_paused, ids_in, update_by_ids
from core.metrics import sweep_observe
from messaging.models import MessageTemplate, OutboundMessage

from .batches import run_batches
from .models import WorkItem
from .report import SweepReport
from .services import stage_successors
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
# Rungs that ask a person, not a debtor: work items, never call tasks.
WORK_ITEM_ACTIONS = {Action.SUPERVISOR_REVIEW, Action.LEGAL_REFERRAL}
# A contact blocked until an event (a hold, an opt-out) is looked at again a day later.
BLOCKED_RECHECK = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SweepCustomer:
    """What a batch reads of a customer: the gate reads its country, region and time
    zones (held and stated), templates its language. Plain records, not model
    instances: building those for 5,000 cases and customers took about a fifth of a
    batch's Python time."""

    pk: int
    country: str
    region: str
    time_zone: str
    stated_time_zone: str
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
        # a reply or a payment since then pauses the ladder for
        # LADDER_REPLY_PAUSE_DAYS (someone answers it), never for good: a customer
        # who replied STOP to the first SMS still reaches the email and the call.
        cases = cases.filter(stage_at__lte=at - dt.timedelta(days=step.trigger_days))
        paused_since = at - dt.timedelta(days=settings.LADDER_REPLY_PAUSE_DAYS)
        cases = cases.exclude(
            last_reply_at__gte=F("stage_at"), last_reply_at__gt=paused_since
        ).exclude(
            Exists(
                Payment.objects.filter(
                    loan__customer=OuterRef("customer"),
                    received_at__gte=OuterRef("stage_at"),
                    received_at__gt=paused_since,
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


def _templates(code: str, channel: str) -> dict[str, MessageTemplate]:
    """The active template `code` of `channel` per language."""
    if channel not in MESSAGE_ACTIONS or not code:
        return {}
    rows = MessageTemplate.objects.filter(
        code=code,
        channel=channel,
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
            ).values_list(
                "id", "country", "region", "time_zone", "stated_time_zone", "language"
            )
        }
        cases = [SweepCase(*row, customer=customers[row[1]]) for row in rows]

        out = _BatchOut()
        # Cases whose customer prefers the rung's substitute channel take it first;
        # those it cannot reach come back to the rung's own channel, and are not
        # offered the substitute a second time.
        cases, fell_back = _preferred_first(
            step, cases, at=at, out=out, counts=counts, overrides=pack_overrides
        )
        channel = CHANNEL_FOR_ACTION.get(step.action)
        templates = _templates(step.template_code, step.action)
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

        substitutes: list[tuple[SweepCase, object]] = []
        for case, decision in zip(cases, decisions, strict=True):
            template = None
            if step.action in MESSAGE_ACTIONS:
                template = _template_for(templates, case.customer.language)
                if template is None:
                    counts["no_template"] += 1
                    out.deferred[at + BLOCKED_RECHECK].append(case.pk)
                    continue
            if decision is not None and not decision.allowed:
                for code in decision.codes:
                    report.reasons[code] += 1
                    step_reasons[code] += 1
                if unusable(decision) and step.on_unusable != OnUnusable.WAIT:
                    if (
                        step.on_unusable == OnUnusable.SUBSTITUTE
                        and step.substitute_action in CHANNEL_FOR_ACTION
                        and case.pk not in fell_back
                    ):
                        substitutes.append((case, decision))
                    else:
                        out.skip(case, decision, step)
                        counts["skipped"] += 1
                    continue
                counts["deferred" if decision.next_permitted_at else "blocked"] += 1
                if out.block(case, decision, step, action=step.action, at=at):
                    counts["created"] += 1
                continue
            counts["created"] += 1
            out.do(case, decision, step, action=step.action, template=template, at=at)

        if substitutes:
            _substitute(
                step,
                substitutes,
                out=out,
                at=at,
                counts=counts,
                overrides=pack_overrides,
            )
        if dry_run:
            return
        sweep_batch_write(out.ledger, out.messages)
        CallTask.objects.bulk_create(out.tasks)
        _work_items_write(step, out.items, at=at)
        update_by_ids(
            Case,
            [c.pk for c in out.done],
            stage_id=step.pk,
            stage_at=at,
            next_action_at=None,
        )
        if out.skipped:
            # A skipped rung is passed, not done: the case stands on it, and the next
            # rung's "days after the previous" still count from the last rung done
            # (or from now, when none was).
            Case.objects.filter(ids_in(out.skipped), stage_at__isnull=True).update(
                stage_at=at
            )
            update_by_ids(Case, out.skipped, stage_id=step.pk, next_action_at=None)
            report.skipped_ids.extend(out.skipped)
        for when, ids in out.deferred.items():
            update_by_ids(Case, ids, next_action_at=when)


# Reason codes that say the rung's channel has no usable contact point for the
# customer: none, invalid, opted out, no consent. Nothing will change that by
# waiting, so the rung is skipped (or substituted); a hold, a window or a cap is a
# real block and defers (docs/decisions.md, record 40).
UNUSABLE_CODES = frozenset({"invalid_contact_point", "no_consent", "channel_opt_out"})
OnUnusable = EscalationStep.OnUnusable
SKIP_REASON = (
    "Rung {order} ({name}) skipped: the customer has no usable contact point for "
    "this channel; the case moves on to the next rung.",
    "第{order}级（{name}）已跳过：客户在该渠道没有可用的联系方式，案件进入下一级。",
)


def unusable(decision) -> bool:
    """Blocked only because the channel is unusable for this customer."""
    if decision.allowed or decision.next_permitted_at is not None:
        return False
    codes = set(decision.codes)
    return bool(codes) and codes <= UNUSABLE_CODES


def skipped_decision(decision, step: EscalationStep):
    """The gate's decision with the skip added to its reasons (en and zh), for the
    ledger."""
    params = {"order": step.order, "name": step.name}
    reason = {
        "code": "rung_skipped",
        "rule": "escalation.on_unusable",
        "message": SKIP_REASON[0].format(**params),
        "message_zh": SKIP_REASON[1].format(**params),
        "citation": "",
    }
    return dataclasses.replace(
        decision, _reasons=[*decision.reasons, reason], _render=None
    )


@dataclass
class _BatchOut:
    """What one batch writes: ledger entries, messages, tasks, and the cases moved
    on (`done`), passed (`skipped`) or deferred, by when."""

    done: list[SweepCase] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    deferred: dict[dt.datetime, list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    ledger: list[LedgerEntry] = field(default_factory=list)
    messages: list[SweepMessage] = field(default_factory=list)
    tasks: list[CallTask] = field(default_factory=list)
    items: list[SweepCase] = field(default_factory=list)

    def do(self, case, decision, step, *, action, template, at) -> None:
        self.done.append(case)
        if action in MESSAGE_ACTIONS:
            self.ledger.append(LedgerEntry(decision=decision, case=case))
            self.messages.append(
                SweepMessage(
                    index=len(self.ledger) - 1,
                    step=step,
                    template_id=template.pk,
                    key=_key(case, step),
                    send_after=at,
                    channel=action,
                )
            )
        elif action in WORK_ITEM_ACTIONS:
            self.items.append(case)
        else:
            self.tasks.append(_task(case, step, due_at=at))

    def block(self, case, decision, step, *, action, at) -> bool:
        """Defer the case; True when that still created its call task: a call
        blocked only for now lands in the queue, due when allowed."""
        if action == Action.CALL_TASK and decision.next_permitted_at:
            self.tasks.append(_task(case, step, due_at=decision.next_permitted_at))
            self.done.append(case)
            return True
        if action in MESSAGE_ACTIONS:
            self.ledger.append(LedgerEntry(decision=decision, case=case))
        self.deferred[decision.next_permitted_at or at + BLOCKED_RECHECK].append(
            case.pk
        )
        return False

    def skip(self, case, decision, step) -> None:
        self.ledger.append(
            LedgerEntry(decision=skipped_decision(decision, step), case=case)
        )
        self.skipped.append(case.pk)


def _preferred_first(
    step, cases: list[SweepCase], *, at, out: _BatchOut, counts, overrides
) -> tuple[list[SweepCase], set[int]]:
    """A rung that substitutes another channel offers it first to the customers who
    said they prefer it (a `preferred_channel` statement in force): one batch
    evaluation by the gate. Allowed: done on that channel; a real block (a window,
    a cap): deferred, as the customer's choice; unusable, or no template in the
    customer's language: back to the rung's own channel, without the substitute
    (decision 53). Returns the cases left for the own channel and the pks of those
    that fell back."""
    action = step.substitute_action
    if step.on_unusable != OnUnusable.SUBSTITUTE or action not in CHANNEL_FOR_ACTION:
        return cases, set()
    prefer = set(
        ContactPreference.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at),
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=at),
            ids_in(list({c.customer_id for c in cases}), field="customer_id"),
            kind=ContactPreference.Kind.PREFERRED_CHANNEL,
            channel=CHANNEL_FOR_ACTION[action],
            starts_at__lte=at,
        ).values_list("customer_id", flat=True)
    )
    if not prefer:
        return cases, set()
    preferring = [c for c in cases if c.customer_id in prefer]
    rest = [c for c in cases if c.customer_id not in prefer]
    unreached = _on_substitute(
        step, preferring, out=out, at=at, counts=counts, overrides=overrides,
        done_as="preferred",
    )  # fmt: skip
    return rest + unreached, {c.pk for c in unreached}


def _substitute(step, pairs, *, out: _BatchOut, at, counts, overrides) -> None:
    """The rung's substitute channel for the cases whose own channel is unusable;
    those it cannot reach either are skipped, with their own channel's decision."""
    own = {case.pk: decision for case, decision in pairs}
    unreached = _on_substitute(
        step, [case for case, _ in pairs], out=out, at=at, counts=counts,
        overrides=overrides, done_as="substituted",
    )  # fmt: skip
    for case in unreached:
        counts["skipped"] += 1
        out.skip(case, own[case.pk], step)


def _on_substitute(
    step, cases: list[SweepCase], *, out: _BatchOut, at, counts, overrides, done_as
) -> list[SweepCase]:
    """The rung's substitute channel for `cases`: one more batch evaluation by the
    gate. Allowed: done on that channel (counted as `done_as`); a real block (a
    window, a cap): deferred. Returns the cases it cannot reach: unusable for them,
    or no template in their language."""
    action = step.substitute_action
    channel = CHANNEL_FOR_ACTION[action]
    templates = _templates(step.substitute_template_code, action)
    decisions = contact_evaluate_many(
        [
            ContactProposal(customer=c.customer, channel=channel, case=c, at=at)
            for c in cases
        ],
        at=at,
        pack_overrides=overrides,
    )
    unreached = []
    for case, decision in zip(cases, decisions, strict=True):
        template = None
        if action in MESSAGE_ACTIONS:
            template = _template_for(templates, case.customer.language)
        if (action in MESSAGE_ACTIONS and template is None) or unusable(decision):
            unreached.append(case)
        elif decision.allowed:
            counts["created"] += 1
            counts[done_as] += 1
            out.do(case, decision, step, action=action, template=template, at=at)
        else:
            counts["deferred" if decision.next_permitted_at else "blocked"] += 1
            if out.block(case, decision, step, action=action, at=at):
                counts["created"] += 1
    return unreached


def _work_items_write(
    step: EscalationStep, cases: list[SweepCase], *, at: dt.datetime
) -> None:
    """The rung's work items (a supervisor review, a legal referral), owned by the
    team of the step's queue (else the case's), in bulk; a legal referral puts a
    legal hold on contacting the customer at once (docs/decisions.md, record 41).
    Bulk rows write no history: the items' own rows are the sweep's audit."""
    if not cases:
        return
    queue_ids = {step.queue_id or c.queue_id for c in cases} - {None}
    teams = dict(
        WorkQueue.objects.filter(pk__in=queue_ids).values_list("pk", "team_id")
    )
    holds: dict[int, int] = {}
    if step.action == Action.LEGAL_REFERRAL:
        reason = f"Legal referral (escalation rung {step.order}, {step.name})"
        rows = ContactRestriction.objects.bulk_create(
            ContactRestriction(
                customer_id=c.customer_id,
                kind=ContactRestriction.Kind.LEGAL_HOLD,
                starts_at=at,
                reason=reason,
                source="escalation:legal_referral",
            )
            for c in cases
        )
        holds = {c.pk: r.pk for c, r in zip(cases, rows, strict=True)}
        # Out of the collectors' queue at once, not one press at a time.
        cases_defer_blocked(case_ids=list(holds), now=at)
    WorkItem.objects.bulk_create(
        WorkItem(
            kind=step.action,
            case_id=c.pk,
            step=step,
            team_id=teams.get(step.queue_id or c.queue_id),
            reason=f"{step.get_action_display()}: {step.name}",
            due_at=at,
            priority=c.priority + step.priority,
            hold_id=holds.get(c.pk),
            idempotency_key=_key(c, step),
        )
        for c in cases
    )


def _task(case: SweepCase, step: EscalationStep, *, due_at: dt.datetime) -> CallTask:
    """The step's call task in its queue (else the case's)."""
    return CallTask(
        case_id=case.pk,
        queue_id=step.queue_id or case.queue_id,
        step=step,
        reason=step.name,
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
    """One policy's due steps, with `fork` in batch processes (`run_batches`). Only
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
        run_batches(
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
    started = time.monotonic()
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
    # Cases that passed a rung they could not use climb on in the same run: another
    # pass over just them, until none passes a rung (at most one pass per rung; a
    # dry run moves nothing, so it stops at the first).
    for _ in range(max((len(p.steps.all()) for p in policies), default=0)):
        if dry_run or not report.skipped_ids:
            break
        skipped, report.skipped_ids = report.skipped_ids, []
        for policy in policies:
            _policy_sweep(
                policy=policy,
                at=at,
                dry_run=dry_run,
                batch_size=batch_size,
                report=report,
                fork=True,
                scope=_policy_cases(policy).filter(ids_in(skipped)),
            )
    report.skipped_ids = []
    if not dry_run:
        sweep_end(report, seconds=time.monotonic() - started)
    logger.info("escalation sweep %s", report.as_dict())
    return report


def sweep_end(report: SweepReport, *, seconds: float) -> None:
    """After a sweep (in one process or fanned out): fresh statistics for the tables
    pages read right after a large sweep, and the sweep's metrics."""
    for model in (
        DecisionRow,
        ContactAttempt,
        OutboundMessage,
        CallTask,
        WorkItem,
        Case,
    ):
        analyze_if_large(model, report.created)
    sweep_observe(seconds=seconds, steps=report.steps, meta=report.step_meta)


def escalation_rung_run(
    *, step: EscalationStep, case_ids: list[int], at: dt.datetime
) -> SweepReport:
    """Run one rung for the given cases at `at`, as the sweep does: those standing on
    the rung before it are put to the gate at `at`, and its ledger, outbox rows, call
    tasks or work items are written and the cases moved on (or deferred, or passed).

    For writing a history the sweep would have written (the demo's seed: its cases
    stand at varied points of the ladder, their earlier rungs done at the time they
    came due). Unlike the sweep it does not choose the cases: the caller has checked
    that the rung was due for them at `at`."""
    report = SweepReport(at=at, dry_run=False)
    steps = sorted(step.policy.steps.all(), key=lambda s: s.order)
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    _sweep_batch(
        step=step,
        previous=steps[index - 1] if index else None,
        case_ids=case_ids,
        at=at,
        dry_run=False,
        report=report,
    )
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
    the rung activation would move it to (`services.stage_successors`), so what the
    simulation reports is what the sweep does once the draft is activated.
    """
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
