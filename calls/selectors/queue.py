"""The collector's queue: open cases in their queues, scored so the order can be
explained row by row, with the gate's verdict on calling each row now. Each read runs
a fixed number of queries whatever the portfolio size (DESIGN.md section 9 budgets).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case as SqlCase,
)
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    ContactPoint,
    Customer,
    Loan,
    PromiseToPay,
    WorkQueue,
)
from cases.selectors import case_list_for_user
from cases.services.next_call import grace_days
from compliance.services import (
    ContactProposal,
    Decision,
    contact_evaluate_many,
)
from core.crypto import contact_hash, national_id_hash

from ..models import CallLog, CallTask
from ..services import OPEN_TASK, due_now, user_queue_ids
from ._common import reason_text

PAGE_SIZE = 25
# Unfiltered, the queue scores at most this many cases per source (see
# queue_candidate_ids): the first pages of a 100,000-case queue without sorting it all.
QUEUE_DEPTH = 200
# A search fragment matching more customers than this shows the best of these only.
FRAGMENT_MATCHES = 2000
# Score weights: each is a reason shown on the row, so the order can be explained.
CALLBACK_WEIGHT = 1000
BROKEN_PROMISE_WEIGHT = 300
DUE_TASK_WEIGHT = 200
STALE_WEIGHT = 100
STALE_DAYS = 7
BROKEN_PROMISE_DAYS = 30


@dataclass
class QueueRow:
    case: Case
    score: int
    reasons: list[str]
    callable_now: bool = False
    next_permitted_at: dt.datetime | None = None
    blocked_reason: str = ""
    # Held out of "Next case" until then (the case's next action time, decision 42).
    waiting_until: dt.datetime | None = None


@dataclass
class QueueFilters:
    queue: str = ""
    bucket: str = ""
    status: str = ""  # "" | "due" (has a due task) | "callback" | "no_task"
    q: str = ""


def _reference_forms(text: str) -> set[str]:
    """An account or case reference as typed and in capitals (the form banks use):
    matched through the unique index, where iexact would scan the table."""
    return {text, text.upper()}


def _fragment_sources(text: str) -> list[QuerySet]:
    """Customer ids matching a fragment: part of a name, an account number, a phone
    masked as shown (138****1234) or its last digits."""
    sources = [
        Customer.objects.filter(full_name__icontains=text).values_list("pk", flat=True),
        Loan.objects.filter(reference__in=_reference_forms(text)).values_list(
            "customer_id", flat=True
        ),
    ]
    # Numbers are encrypted (core.crypto): fragments match the plain masked form
    # (+86138****5678), which keeps the head and the last four digits.
    phones = ContactPoint.objects.filter(channel=ContactPoint.Channel.PHONE)
    if "*" in text:
        head, tail = text.split("*", 1)[0], text.rsplit("*", 1)[-1]
        phones = phones.filter(
            value_masked__startswith=head, value_masked__endswith=tail
        )
        sources.append(phones.values_list("customer_id", flat=True))
    else:
        digits = text.lstrip("+")
        if digits.isdigit() and len(digits) >= 4:
            sources.append(_last_digits_source(phones, digits))
    return sources


def _last_digits_source(phones: QuerySet, digits: str) -> QuerySet:
    """Customers with a phone ending in `digits`: the masked form narrows to the last
    four; more digits than that are checked on the decrypted values of those few
    (at most FRAGMENT_MATCHES)."""
    phones = phones.filter(value_masked__endswith=digits[-4:])
    if len(digits) == 4:
        return phones.values_list("customer_id", flat=True)
    ids = [
        customer_id
        for customer_id, value in phones.values_list("customer_id", "value")[
            :FRAGMENT_MATCHES
        ]
        if value.endswith(digits)
    ]
    return Customer.objects.filter(pk__in=ids).values_list("pk", flat=True)


def _search_q(text: str) -> Q:
    """Name, account number or phone (full, masked as shown, or its last digits)."""
    text = text.strip()
    match = Q(reference__in=_reference_forms(text))
    sources = _fragment_sources(text)
    if connection.vendor == "postgresql":
        # Each source walks its own trigram index (cases migration 0004) and is read
        # on its own: one OR over joins would scan the whole queue instead.
        customers: set[int] = set()
        for source in sources:
            customers.update(source.order_by()[:FRAGMENT_MATCHES])
        return match | Q(customer_id__in=customers)
    for source in sources:
        match |= Q(customer_id__in=source)
    return match


def _mine(user, queue_ids: list[int]) -> Q:
    return Q(assigned_to=user) | Q(queue_id__in=queue_ids)


def queue_candidate_ids(
    *, user, queue_ids: list[int], now: dt.datetime, filters: QueueFilters
) -> set[int]:
    """The cases that can reach the top of the queue: the best by stored priority,
    plus every case with a reason to call now (a due task or callback, a broken
    promise), each source narrowed by the queue and bucket filters. Four index-served
    reads bounded by QUEUE_DEPTH, so the scored ordering sorts hundreds of rows, not a
    queue of 100,000 cases."""
    narrow = Q()
    if filters.queue:
        narrow &= Q(queue__code=filters.queue)
    if filters.bucket:
        narrow &= Q(bucket=filters.bucket)
    open_cases = Case.objects.open().filter(narrow).order_by("-priority")
    # "Callable now first" reaches the whole queue: the best cases whose next action
    # time has come are candidates however many cases wait above them by priority.
    callable_now = (
        Case.objects.open()
        .filter(narrow)
        .filter(due_now(now))
        .order_by("-call_boost", "-priority")
    )
    ids: set[int] = set()
    if filters.status in ("", "no_task"):
        busy = CallTask.objects.filter(status__in=OPEN_TASK).values("case_id")
        tops = open_cases.exclude(pk__in=busy) if filters.status else open_cases
        ready = callable_now.exclude(pk__in=busy) if filters.status else callable_now
        for source in (tops, ready):
            if queue_ids:
                # case_open_queue_priority_idx, case_call_queue_idx
                ids.update(
                    source.filter(queue_id__in=queue_ids).values_list("pk", flat=True)[
                        :QUEUE_DEPTH
                    ]
                )
            # case_open_assignee_idx, case_call_assignee_idx
            ids.update(
                source.filter(assigned_to=user).values_list("pk", flat=True)[
                    :QUEUE_DEPTH
                ]
            )
        if filters.status:
            return ids
    via_case = Q(case__assigned_to=user) | Q(case__queue_id__in=queue_ids)
    case_narrow = Q()
    if filters.queue:
        case_narrow &= Q(case__queue__code=filters.queue)
    if filters.bucket:
        case_narrow &= Q(case__bucket=filters.bucket)
    tasks = CallTask.objects.filter(
        Q(queue_id__in=queue_ids) | via_case,
        case_narrow,
        status__in=OPEN_TASK,
        due_at__lte=now,
        case__status=Case.Status.OPEN,
    )
    if filters.status == "callback":
        tasks = tasks.filter(reason__startswith="Callback")
    # calltask_claimable_idx
    ids.update(
        tasks.order_by("-priority", "due_at").values_list("case_id", flat=True)[
            :QUEUE_DEPTH
        ]
    )
    if not filters.status:
        ids.update(
            PromiseToPay.objects.filter(
                via_case,
                case_narrow,
                status=PromiseToPay.Status.BROKEN,
                resolved_at__gte=now - dt.timedelta(days=BROKEN_PROMISE_DAYS),
                case__status=Case.Status.OPEN,
            ).values_list("case_id", flat=True)[:QUEUE_DEPTH]
        )
    return ids


def _exact_q(text: str) -> Q:
    """Whole values, each looked up through its own index first (a full name, an
    account number, a full phone number as stored), then the cases by customer: one
    OR across joins would scan the queue instead."""
    text = text.strip()
    phone = "+" + text.lstrip("+") if text.lstrip("+").isdigit() else text
    customers = set(
        Customer.objects.filter(full_name=text).values_list("pk", flat=True)[:50]
    )
    customers.update(
        Loan.objects.filter(reference=text).values_list("customer_id", flat=True)
    )
    # Phones and national ids are encrypted: whole values go by their keyed hash.
    customers.update(
        ContactPoint.objects.filter(
            channel=ContactPoint.Channel.PHONE,
            value_hash__in=[contact_hash(text), contact_hash(phone)],
        ).values_list("customer_id", flat=True)[:50]
    )
    customers.update(
        Customer.objects.filter(
            national_id_hash=national_id_hash(text) or "-"
        ).values_list("pk", flat=True)[:50]
    )
    return Q(customer_id__in=customers) | Q(reference=text)


def _search_ids(mine: Q, text: str) -> list[int]:
    """Cases of the queue matching a search, best first, at most QUEUE_DEPTH: whole
    values through indexes first; a fragment (part of a name, a masked phone, the last
    digits) scans the queue."""
    open_mine = Case.objects.open().filter(mine).order_by("-priority")
    ids = list(
        open_mine.filter(_exact_q(text)).values_list("pk", flat=True)[:QUEUE_DEPTH]
    )
    if not ids:
        ids = list(
            open_mine.filter(_search_q(text)).values_list("pk", flat=True)[:QUEUE_DEPTH]
        )
    return ids


def queue_cases(
    *, user, filters: QueueFilters, now: dt.datetime, queue_ids: list[int] | None = None
) -> QuerySet[Case]:
    """Open cases in the user's queues or assigned to them, scored and ordered.

    The score is the case's priority (days past due, then the overdue amount) plus a
    weight for each reason to call now: a callback due, a promise broken in the last
    30 days, a due call task, no conversation for a week. `queue_reasons` explains a
    row from the same annotations. Unfiltered, only `queue_candidate_ids` are scored;
    a filter or search reaches every case of the queue.
    """
    if queue_ids is None:
        queue_ids = user_queue_ids(user=user)
    mine = _mine(user, queue_ids)
    open_tasks = CallTask.objects.filter(
        case=OuterRef("pk"), status__in=OPEN_TASK
    ).order_by("-priority", "due_at")
    due_tasks = open_tasks.filter(due_at__lte=now)
    callbacks = due_tasks.filter(reason__startswith="Callback")
    broken = PromiseToPay.objects.filter(
        case=OuterRef("pk"),
        status=PromiseToPay.Status.BROKEN,
        resolved_at__gte=now - dt.timedelta(days=BROKEN_PROMISE_DAYS),
    )
    stale_before = now - dt.timedelta(days=STALE_DAYS)
    cases = (
        case_list_for_user(user=user)
        .open()
        .filter(mine)
        .annotate(
            task_reason=Subquery(due_tasks.values("reason")[:1]),
            task_due_at=Subquery(open_tasks.values("due_at")[:1]),
            task_claimed_by=Subquery(due_tasks.values("claimed_by_id")[:1]),
            has_due_task=Exists(due_tasks),
            has_open_task=Exists(open_tasks),
            callback_due=Exists(callbacks),
            broken_promise=Exists(broken),
            stale=SqlCase(
                When(
                    Q(last_contact_at__isnull=True)
                    | Q(last_contact_at__lt=stale_before),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
            # Held out of "Next case" until its next action time (decision 42):
            # ordered after every case that may be called, across the whole queue.
            waiting=SqlCase(
                When(next_call_at__gt=now, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            score=F("priority")
            + SqlCase(
                When(callback_due=True, then=Value(CALLBACK_WEIGHT)),
                default=Value(0),
                output_field=IntegerField(),
            )
            # A case back from a broken arrangement carries its boost; a promise
            # broken earlier (before the boost existed, or called since) its weight.
            + SqlCase(
                When(call_boost__gt=0, then=F("call_boost")),
                When(broken_promise=True, then=Value(BROKEN_PROMISE_WEIGHT)),
                default=Value(0),
                output_field=IntegerField(),
            )
            + SqlCase(
                When(has_due_task=True, then=Value(DUE_TASK_WEIGHT)),
                default=Value(0),
                output_field=IntegerField(),
            )
            + F("stale") * STALE_WEIGHT
        )
    )
    if filters.queue:
        cases = cases.filter(queue__code=filters.queue)
    if filters.bucket:
        cases = cases.filter(bucket=filters.bucket)
    if filters.status == "due":
        cases = cases.filter(has_due_task=True)
    elif filters.status == "callback":
        cases = cases.filter(callback_due=True)
    elif filters.status == "no_task":
        cases = cases.filter(has_open_task=False)
    if filters.q.strip():
        cases = cases.filter(pk__in=_search_ids(mine, filters.q))
    else:
        cases = cases.filter(
            pk__in=queue_candidate_ids(
                user=user, queue_ids=queue_ids, now=now, filters=filters
            )
        )
    return cases.order_by("waiting", "-score", "-overdue_amount", "reference")


def queue_total(*, user, queue_ids: list[int]) -> int:
    """How many open cases the user's queues hold (index-only count)."""
    return Case.objects.open().filter(_mine(user, queue_ids)).count()


def queue_reasons(case: Case, now: dt.datetime) -> list[str]:
    """Why the case is where it is in the queue, from the score's annotations."""
    reasons = []
    if case.callback_due:
        reasons.append(_("Callback due"))
    back = _back_reason(case)
    if back:
        reasons.append(back)
    elif case.broken_promise:
        reasons.append(_("Broken promise"))
    if case.has_due_task and not case.callback_due:
        # A task's reason is stored in English: a step's seeded name or a fixed
        # text (both in the catalogue), shown in the reader's language.
        task = _(case.task_reason) if case.task_reason else "-"
        reasons.append(_("Task: %(reason)s") % {"reason": task})
    reasons.append(
        _("%(dpd)s days past due, %(amount)s %(currency)s overdue")
        % {
            "dpd": case.max_days_past_due,
            "amount": f"{case.overdue_amount:,.2f}",
            "currency": case.currency,
        }
    )
    if case.last_contact_at is None:
        reasons.append(_("Never reached"))
    elif case.stale:
        days = (now - case.last_contact_at).days
        reasons.append(_("No conversation for %(days)s days") % {"days": days})
    return reasons


def _back_reason(case: Case) -> str:
    """Why a case is back in the queue with a boost, if it is."""
    if not case.call_boost:
        return ""
    if case.next_call_reason == Case.NextCall.PLAN_BROKEN:
        return _("Plan instalment missed: back with priority")
    return _("Promise broken: back with priority")


def waiting_text(case: Case) -> str:
    """Why the queue holds the case until its next action time (decision 42)."""
    reason = case.next_call_reason
    if reason == Case.NextCall.PROMISE:
        return _(
            "Promise to pay pending: out of the queue until its date plus %(days)s "
            "days' grace"
        ) % {"days": grace_days()}
    if reason == Case.NextCall.PLAN:
        return _(
            "Repayment plan in good standing: out of the queue until the next "
            "instalment plus %(days)s days' grace"
        ) % {"days": grace_days()}
    if reason in (Case.NextCall.PROMISE_BROKEN, Case.NextCall.PLAN_BROKEN):
        return _("Arrangement broken: back when the grace days end")
    if reason == Case.NextCall.NO_ANSWER:
        return _("Not reached: retry then")
    if reason == Case.NextCall.CONVERSATION:
        return _("Spoke with the customer: next call after the cooldown")
    if reason == Case.NextCall.CALLBACK:
        return _("Callback agreed for then")
    if reason == Case.NextCall.SKIPPED:
        return _("Skipped: back in the queue then")
    if reason == Case.NextCall.GATE:
        return _("The compliance gate blocks calls until then")
    return _("Next action then")


def queue_page(
    *, user, filters: QueueFilters, page: int | str = 1, now: dt.datetime | None = None
) -> tuple[Page, list[QueueRow]]:
    """One page of the queue, callable-now rows first.

    Across the whole queue, SQL orders the cases whose next action time has come
    before those held (by an arrangement, a retry, a cooldown, a skip, or a block the
    gate reported to an earlier claim). The gate is asked about the page's callable
    customers in one batch; a row it blocks now (the window, a cap) moves down the
    page and says when it may be called. A held row says until when and why.
    """
    now = now or timezone.now()
    queue_ids = user_queue_ids(user=user)
    cases = queue_cases(user=user, filters=filters, now=now, queue_ids=queue_ids)
    paginator = Paginator(cases, PAGE_SIZE)
    current = paginator.get_page(page)
    items = list(current.object_list)
    ready = [case for case in items if not case.waiting]
    decisions = dict(
        zip([c.pk for c in ready], _call_decisions(ready, now), strict=True)
    )
    rows = []
    for case in items:
        row = QueueRow(case=case, score=case.score, reasons=queue_reasons(case, now))
        decision = decisions.get(case.pk)
        if decision is None:
            row.waiting_until = case.next_call_at
            row.blocked_reason = waiting_text(case)
            rows.append(row)
            continue
        row.callable_now = decision.allowed
        if not decision.allowed:
            row.next_permitted_at = decision.next_permitted_at
            row.blocked_reason = (
                reason_text(decision.reasons[0]) if decision.reasons else ""
            )
        rows.append(row)
    rows.sort(key=lambda r: not r.callable_now)
    return current, rows


def _call_decisions(cases: list[Case], now: dt.datetime) -> list[Decision]:
    if not cases:
        return []
    return contact_evaluate_many(
        [ContactProposal(customer=c.customer, channel="call", at=now) for c in cases],
        at=now,
    )


@dataclass
class DiaryEntry:
    call: CallLog
    at: dt.datetime
    due: bool
    done: bool


def callback_diary(*, user, now: dt.datetime | None = None) -> list[DiaryEntry]:
    """The callbacks `user` agreed for today (the project's time zone), by time: each
    with whether it is due and whether its task is still open. One query."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    start = dt.datetime.combine(
        today, dt.time(0), tzinfo=timezone.get_current_timezone()
    )
    calls = (
        CallLog.objects.filter(
            collector=user,
            callback_at__gte=start,
            callback_at__lt=start + dt.timedelta(days=1),
        )
        .select_related("case__customer")
        .annotate(
            pending=Exists(
                CallTask.objects.filter(
                    case=OuterRef("case"),
                    due_at=OuterRef("callback_at"),
                    status__in=OPEN_TASK,
                    reason__startswith="Callback",
                )
            )
        )
        .order_by("callback_at")[:50]
    )
    return [
        DiaryEntry(
            call=call,
            at=call.callback_at,
            due=call.callback_at <= now,
            done=not call.pending,
        )
        for call in calls
    ]


def queue_filter_choices(*, user) -> dict:
    queues = list(
        WorkQueue.objects.filter(team__members=user, is_active=True)
        .distinct()
        .order_by("priority", "code")
    )
    return {"queues": queues, "buckets": ["1-30", "31-60", "61-90", "90+"]}
