"""The transactional outbox: claim due rows, re-check compliance, send, record.

Celery only wakes the dispatcher; the rows are the source of truth. A lost task loses
nothing (the next wake-up finds the rows), a retried task sends nothing twice (rows are
claimed with a conditional update under row locks), and a worker killed mid-send leaves
its rows in "sending", which `outbox_recover_stale` settles after the claim lease.
"""

import logging
import smtplib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from cases.services.self_service import self_service_link_issue
from compliance import services as compliance
from compliance.ledger import LedgerEntry, ledger_complete_many, ledger_record_many
from compliance.models import ContactAttempt
from core.crypto import encrypt
from core.errors import ApplicationError

from .. import sms
from ..models import MessageTemplate, OutboundMessage
from ..rendering import message_contexts, template_render

logger = logging.getLogger(__name__)
Status = OutboundMessage.Status
# What a letter sender reports for a letter drawn but not yet sent (letters.RENDERED).
HELD = "rendered"
# Appended where the rule pack requires an opt-out (us: Reg F 1006.6(e)).
OPT_OUT_TEXT = {"zh-hans": "回复TD退订", "en": "Reply STOP to opt out"}


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    unknown: int = 0
    deferred: int = 0
    cancelled: int = 0
    # Letters drawn to PDF, waiting for the print batch (not sent yet).
    rendered: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


def outbox_claim(*, limit: int, now: datetime) -> list[int]:
    """Claim up to `limit` due rows for this dispatcher and return their ids.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent dispatchers take disjoint rows
    without waiting on each other. SQLite: the IMMEDIATE transaction already serialises
    writers, so the conditional update below is enough.
    """
    due = OutboundMessage.objects.filter(
        status__in=[Status.PENDING, Status.FAILED], send_after__lte=now
    ).order_by("send_after", "id")
    if OutboundMessage.Channel.LETTER not in settings.OUTBOX_CHANNEL_SENDERS:
        # No letter producer configured: they wait, pending, for one
        # (OUTBOX_CHANNEL_SENDERS["letter"]), never marked sent (decision 30).
        due = due.exclude(channel=OutboundMessage.Channel.LETTER)
    if connection.vendor == "postgresql":
        return _claim_postgresql(due, limit=limit, now=now)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            OutboundMessage.objects.filter(
                id__in=ids, status__in=[Status.PENDING, Status.FAILED]
            ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return ids


def _claim_postgresql(due, *, limit: int, now: datetime) -> list[int]:
    """The claim in one statement: UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
    SKIP LOCKED LIMIT n) RETURNING id. The rows are locked as they are chosen, so
    two dispatchers never take the same row; the status is checked again on the
    locked row, so one claimed since the snapshot is not taken twice."""
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    # Compiled inside the transaction: Django refuses FOR UPDATE in autocommit.
    with transaction.atomic(), connection.cursor() as cursor:
        chosen, params = (
            due.select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
            .query.sql_with_params()
        )
        cursor.execute(
            f"UPDATE {table} SET status = %s, claimed_at = %s, "  # noqa: S608
            f"attempts = attempts + 1 WHERE id IN ({chosen}) "
            "AND status IN (%s, %s) RETURNING id",
            [Status.SENDING, now, *params, Status.PENDING, Status.FAILED],
        )
        return sorted(row[0] for row in cursor.fetchall())


def outbox_recover_stale(*, now: datetime) -> dict[str, int]:
    """Settle rows a dead worker left in "sending" past the lease.

    SMS carries the idempotency key to a gateway that deduplicates on it, so putting
    the row back to pending cannot deliver twice. Email has no such key at the far
    end: whether it left is unknown, and a person decides. A letter leaves only in a
    print batch, and its producer reuses the letter a dead worker already drew
    (`letter_produce`): resent, like SMS (decision 47).
    """
    cutoff = now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    stale = OutboundMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    # Webhook events carry a stable event id the receiver deduplicates on
    # (integrations.delivery): resent like SMS.
    resendable = [
        "sms",
        OutboundMessage.Channel.WEBHOOK,
        OutboundMessage.Channel.LETTER,
    ]
    retried = stale.filter(channel__in=resendable).update(
        status=Status.PENDING, send_after=now, last_error="claim lease expired; resent"
    )
    unknown = stale.exclude(channel__in=resendable).update(
        status=Status.UNKNOWN, last_error="worker stopped mid-send; outcome unknown"
    )
    return {"retried": retried, "unknown": unknown}


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


def _finish(message: OutboundMessage, **fields) -> bool:
    """Write the send's outcome only if this dispatcher still holds the row."""
    return bool(
        OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
            **fields
        )
    )


_SENT_UPDATE = """
    UPDATE messaging_outboundmessage AS o
    SET status = 'sent', sent_at = v.sent_at, provider_message_id = v.provider_id,
        last_error = '', subject = COALESCE(v.subject, o.subject),
        body = COALESCE(v.body, o.body)
    FROM (VALUES %s) AS v (id, sent_at, provider_id, subject, body)
    WHERE o.id = v.id AND o.status = 'sending'
"""


def _finish_many(outcomes: list[tuple[OutboundMessage, dict]]) -> None:
    """Write the batch's outcomes. On PostgreSQL the sent rows (nearly all of them)
    go in one UPDATE ... FROM (VALUES ...); the rest row by row. Every write is
    limited to rows this dispatcher still holds (status "sending")."""
    rest = outcomes
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_values

        sent = [(m, f) for m, f in outcomes if f["status"] == Status.SENT]
        rest = [(m, f) for m, f in outcomes if f["status"] != Status.SENT]
        if sent:
            rows = [
                (
                    m.pk,
                    f["sent_at"],
                    f["provider_message_id"],
                    f.get("subject"),
                    # Raw SQL: the field's encryption is applied here.
                    encrypt(f.get("body")),
                )
                for m, f in sent
            ]
            with connection.cursor() as cursor:
                execute_values(
                    cursor.cursor,
                    _SENT_UPDATE,
                    rows,
                    template="(%s, %s::timestamptz, %s, %s::text, %s::text)",
                )
    for message, fields in rest:
        _finish(message, **fields)


def _render(message: OutboundMessage, decision, context: dict) -> None:
    """Fill the body from the template, unless the row was written with one."""
    message.html_body = ""
    if message.body or message.template is None:
        return
    opt_out = ""
    if "include_opt_out" in decision.conditions:
        opt_out = OPT_OUT_TEXT.get(message.customer.language, OPT_OUT_TEXT["en"])
    link = ""
    template = message.template
    if "self_service_link" in template.subject + template.body + template.html_body:
        # A link of its own for each message that names it (decision 50).
        link = self_service_link_issue(customer=message.customer, case=message.case)
    rendered = template_render(
        template=template,
        context={**context, "opt_out": opt_out, "self_service_link": link},
    )
    message.subject, message.body = rendered.subject, rendered.body
    message.html_body = rendered.html_body
    message.rendered = True


def _send_email(message: OutboundMessage) -> sms.SendResult:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        to=[message.contact_point.value],
        headers={"X-Idempotency-Key": message.idempotency_key},
        connection=get_connection(timeout=settings.SMS_GATEWAY_TIMEOUT),
    )
    if getattr(message, "html_body", ""):
        email.attach_alternative(message.html_body, "text/html")
    try:
        email.send()
    except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
        return sms.SendResult(sms.UNKNOWN, error=f"ambiguous: {exc}")
    except smtplib.SMTPRecipientsRefused as exc:
        return sms.SendResult(sms.FAILED, error=str(exc), retryable=False)
    except (smtplib.SMTPException, OSError) as exc:
        return sms.SendResult(sms.FAILED, error=str(exc))
    return sms.SendResult(sms.SENT)


@cache
def _channel_sender(channel: str):
    """The sender an app above messaging plugs in for `channel` (webhooks:
    integrations.delivery), named in settings.OUTBOX_CHANNEL_SENDERS like
    SMS_BACKEND, so the outbox need not import the apps that use it."""
    path = settings.OUTBOX_CHANNEL_SENDERS.get(channel)
    return import_string(path) if path else None


def _deliver(message: OutboundMessage, backend: sms.BaseSmsBackend) -> sms.SendResult:
    sender = _channel_sender(message.channel)
    if sender is not None:
        return sender(message)
    if message.channel == MessageTemplate.Channel.SMS:
        return backend.send(
            sms.SmsMessage(
                to=message.contact_point.value,
                body=message.body,
                idempotency_key=message.idempotency_key,
            )
        )
    if message.channel == MessageTemplate.Channel.EMAIL:
        return _send_email(message)
    # No sender for this channel (letters without OUTBOX_CHANNEL_SENDERS["letter"]):
    # nothing left, so nothing may be recorded as sent; the claim skips such rows.
    return sms.SendResult(sms.FAILED, error=f"no sender for {message.channel}")


def _blocked(decision, report: DispatchReport) -> dict:
    """The outcome of a row the gate now refuses: deferred, or cancelled."""
    why = ", ".join(decision.codes) or "blocked"
    report.by_reason[why] = report.by_reason.get(why, 0) + 1
    if decision.next_permitted_at is not None:
        # Deferred, not dropped: a deferral is not a failed attempt.
        report.deferred += 1
        return {
            "status": Status.PENDING,
            "send_after": decision.next_permitted_at,
            "attempts": F("attempts") - 1,
            "last_error": f"deferred: {why}",
        }
    report.cancelled += 1
    return {"status": Status.CANCELLED, "last_error": f"blocked: {why}"}


def _recorded(
    message: OutboundMessage, result: sms.SendResult, *, now, report: DispatchReport
) -> dict:
    """The fields that record a send's outcome."""
    rendered = (
        {"subject": message.subject, "body": message.body}
        if getattr(message, "rendered", False)
        else {}
    )
    if result.status == sms.SENT:
        report.sent += 1
        return {
            **rendered,
            "status": Status.SENT,
            "sent_at": now,
            "provider_message_id": result.provider_message_id,
            "last_error": "",
        }
    if result.status == HELD:
        # A letter drawn and kept with the case: it is sent when a print batch takes
        # it (letters.print_batch_cut), and its attempt stays pending until then.
        report.rendered += 1
        return {
            **rendered,
            "status": Status.RENDERED,
            "provider_message_id": result.provider_message_id,
            "last_error": "",
        }
    if result.status == sms.UNKNOWN:
        report.unknown += 1
        return {**rendered, "status": Status.UNKNOWN, "last_error": result.error}
    if not result.retryable or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        report.dead += 1
        return {"status": Status.DEAD, "last_error": result.error}
    report.failed += 1
    return {
        "status": Status.FAILED,
        "last_error": result.error,
        "send_after": now + _backoff(message.attempts),
    }


_senders: ThreadPoolExecutor | None = None


def _in_process(message: OutboundMessage) -> bool:
    """Whether the row's sender runs in the dispatcher's own thread: one that writes
    to the database (the letter producer) must use this connection, and one that
    draws on the CPU gains nothing from threads."""
    sender = _channel_sender(message.channel)
    return bool(getattr(sender, "runs_in_dispatcher", False))


def _deliver_start(
    messages: list[OutboundMessage], backend
) -> Callable[[], list[sms.SendResult]]:
    """Start sending concurrently: a batch waits on the network, not on the CPU. Each
    sender thread keeps its own connection to the gateway. Senders that run in
    process are called here, one after another. Returns the function that waits for
    the results, in `messages` order; meanwhile the caller may prepare the next
    batch (`outbox_dispatch_many`)."""
    global _senders
    results: dict[int, sms.SendResult] = {}
    remote = []
    for index, message in enumerate(messages):
        if _in_process(message):
            results[index] = _deliver_safely(message, backend)
        else:
            remote.append((index, message))
    if settings.OUTBOX_SEND_CONCURRENCY <= 1 or len(remote) <= 1:
        results.update((i, _deliver_safely(m, backend)) for i, m in remote)
        futures = []
    else:
        if _senders is None:
            _senders = ThreadPoolExecutor(
                settings.OUTBOX_SEND_CONCURRENCY, thread_name_prefix="outbox-send"
            )
        futures = [(i, _senders.submit(_deliver_safely, m, backend)) for i, m in remote]

    def wait() -> list[sms.SendResult]:
        results.update((i, future.result()) for i, future in futures)
        return [results[i] for i in range(len(messages))]

    return wait


def _deliver_safely(message: OutboundMessage, backend) -> sms.SendResult:
    try:
        return _deliver(message, backend)
    except Exception as exc:
        # One bad row must not strand the rest of the batch in "sending"; the
        # request never left, so a retry later is safe.
        logger.exception("outbox row %s failed to dispatch", message.pk)
        return sms.SendResult(sms.FAILED, error=f"dispatcher error: {exc}")


@dataclass
class _Batch:
    """A claimed batch between its re-check and its outcomes."""

    now: datetime
    report: DispatchReport
    outcomes: list[tuple[OutboundMessage, dict]]
    to_send: list[OutboundMessage]


def outbox_dispatch(
    *, now: datetime | None = None, limit: int | None = None, backend=None
) -> DispatchReport:
    """Claim one batch of due rows, re-check them with the gate and send them.

    Per batch a constant number of queries (claim, load, the re-check and its ledger
    write, the template variables, the outcomes, the ledger update); the sends run
    concurrently. Every re-check is recorded before anything is sent
    (`_recheck_record`), and each message's attempt is settled with its outcome.
    """
    backend = backend or sms.get_sms_backend()
    batch = _batch_prepare(now=now or timezone.now(), limit=limit)
    if batch.report.claimed:
        _batch_record(batch, _deliver_start(batch.to_send, backend)())
    return batch.report


def outbox_dispatch_many(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    backend=None,
    deadline: float | None = None,
) -> DispatchReport:
    """`outbox_dispatch` batch after batch, until a batch comes back short (nothing
    more is due) or the `time.monotonic()` deadline passes; the reports summed.

    Each batch's sends overlap the next batch's claim, re-check and rendering, which
    wait on the database while the sends wait on the gateway: one dispatcher keeps
    both busy. The rules of one batch hold for each: its decisions are committed
    before any of its messages leaves, and its outcomes are written after its sends.
    A worker killed meanwhile leaves at most two batches in "sending", which the
    lease recovery settles like one.
    """
    backend = backend or sms.get_sms_backend()
    size = limit or settings.OUTBOX_BATCH_SIZE
    total = DispatchReport()
    batch = _batch_prepare(now=now or timezone.now(), limit=size)
    while batch.report.claimed:
        wait = _deliver_start(batch.to_send, backend)
        more = batch.report.claimed >= size and (
            deadline is None or time.monotonic() < deadline
        )
        try:
            following = (
                _batch_prepare(now=now or timezone.now(), limit=size) if more else None
            )
        finally:
            # Even when the next batch failed to prepare: these were sent.
            _batch_record(batch, wait())
            _report_add(total, batch.report)
        if following is None:
            break
        batch = following
    return total


def _report_add(total: DispatchReport, report: DispatchReport) -> None:
    for name in DispatchReport.__dataclass_fields__:
        if name == "by_reason":
            for why, n in report.by_reason.items():
                total.by_reason[why] = total.by_reason.get(why, 0) + n
        else:
            setattr(total, name, getattr(total, name) + getattr(report, name))


def _batch_prepare(*, now: datetime, limit: int | None) -> _Batch:
    """Claim, load, re-check and record, render: everything before the sends."""
    report = DispatchReport()
    ids = outbox_claim(limit=limit or settings.OUTBOX_BATCH_SIZE, now=now)
    report.claimed = len(ids)
    if not ids:
        return _Batch(now=now, report=report, outcomes=[], to_send=[])
    rows = list(
        OutboundMessage.objects.select_related(
            "customer",
            "case",
            "contact_point",
            "template",
            "webhook_subscription",
            "contact_attempt",
        )
        # Of the queued attempt only its loan and purpose are read (the re-check):
        # its address is not decrypted for nothing.
        .defer("contact_attempt__contact_value", "contact_attempt__contact_value_hash")
        .filter(pk__in=ids, status=Status.SENDING)
        .order_by("pk")
    )
    outcomes: list[tuple[OutboundMessage, dict]] = []
    to_send: list[OutboundMessage] = []
    # Webhook events go to the bank's own systems, not to a debtor: no gate, no
    # template. A subscription switched off since the event was queued cancels it.
    messages = []
    for message in rows:
        if message.channel != OutboundMessage.Channel.WEBHOOK:
            messages.append(message)
        elif message.webhook_subscription.active:
            to_send.append(message)
        else:
            report.cancelled += 1
            outcomes.append(
                (
                    message,
                    {"status": Status.CANCELLED, "last_error": "subscription inactive"},
                )
            )
    # Re-check at send time: the window may have closed, or the customer opted out,
    # since the sweep queued these rows.
    decisions = _recheck_record(messages, now=now) if messages else []
    contexts = message_contexts(messages) if messages else {}
    for message, decision in zip(messages, decisions, strict=True):
        if decision.allowed:
            try:
                _render(message, decision, contexts[message.customer_id])
            except ApplicationError as exc:
                # A template outside the sandbox (stored before it, or around the
                # services): nothing is sent, and resending cannot help.
                report.dead += 1
                problem = "; ".join(m for ms in exc.errors.values() for m in ms)
                outcomes.append(
                    (
                        message,
                        {
                            "status": Status.DEAD,
                            "last_error": f"template cannot be rendered: {problem}",
                        },
                    )
                )
                continue
            to_send.append(message)
        else:
            outcomes.append((message, _blocked(decision, report)))
    return _Batch(now=now, report=report, outcomes=outcomes, to_send=to_send)


def _batch_record(batch: _Batch, results: list[sms.SendResult]) -> None:
    """Write the batch's outcomes and settle its attempts."""
    now, report, outcomes = batch.now, batch.report, batch.outcomes
    outcomes += [
        (m, _recorded(m, r, now=now, report=report))
        for m, r in zip(batch.to_send, results, strict=True)
    ]
    # One commit for the batch's outcomes: a commit per row costs a disk flush each.
    # A worker killed before this point leaves the rows in "sending", which the lease
    # recovery settles (resent under the same key, or marked unknown).
    with transaction.atomic():
        _finish_many(outcomes)
        for result, statuses in _ATTEMPT_RESULTS.items():
            ledger_complete_many(
                attempt_ids=[
                    m.contact_attempt_id
                    for m, f in outcomes
                    if f["status"] in statuses and m.contact_attempt_id
                ],
                result=result,
                completed_at=now,
            )


# How a send's outcome settles the message's (send-time, pending) attempt. A row in
# "unknown" may have left: its attempt stays pending, counting toward the caps, until
# `outbox_settle` decides; one put back for a retry was not sent: "failed" (it
# counts where a pack counts failed sends), and the retry is re-checked anew.
_ATTEMPT_RESULTS = {
    ContactAttempt.Result.SENT: (Status.SENT,),
    ContactAttempt.Result.FAILED: (Status.FAILED, Status.DEAD),
}


def _recheck_record(messages: list[OutboundMessage], *, now: datetime) -> list:
    """Re-check `messages` with the gate and record each re-check in the ledger, in
    one transaction, before anything is sent (decision 33).

    The attempt a message carries (the sweep's, or an earlier re-check's) is settled
    as "rechecked" first, so that it does not count against its own send (a pack
    allowing one SMS a day would otherwise defer every queued SMS by its own pending
    attempt). Each re-check then writes its Decision and a ContactAttempt of its own
    through the ledger's write path: pending when allowed (settled below as sent or
    failed), blocked when deferred or refused. The message is re-linked to that
    attempt, so it always points at the decision under which it was last handled.
    Queries: a constant handful for the batch (settle, the gate's read, two inserts
    and a contact point read in `ledger_record_many`, the re-link).
    """
    with transaction.atomic():
        ledger_complete_many(
            attempt_ids=[
                m.contact_attempt_id for m in messages if m.contact_attempt_id
            ],
            result=ContactAttempt.Result.RECHECKED,
            completed_at=now,
        )
        decisions = compliance.contact_evaluate_many(
            [
                compliance.ContactProposal(
                    customer=m.customer,
                    channel=m.channel,
                    contact_point=m.contact_point,
                    case=m.case,
                    # The queued attempt's debt and purpose: per-debt caps and a
                    # statutory notice are judged as they were when queued.
                    loan=m.contact_attempt.loan_id if m.contact_attempt else None,
                    purpose=(
                        m.contact_attempt.purpose
                        if m.contact_attempt
                        else ContactAttempt._meta.get_field("purpose").default
                    ),
                    at=now,
                )
                for m in messages
            ],
            at=now,
        )
        recorded = [
            (m, d) for m, d in zip(messages, decisions, strict=True) if m.case_id
        ]
        attempt_ids = ledger_record_many(
            [
                LedgerEntry(
                    decision=d,
                    case=m.case,
                    loan_id=m.contact_attempt.loan_id if m.contact_attempt else None,
                    source="dispatch",
                )
                for m, d in recorded
            ]
        )
        for (message, _), attempt_id in zip(recorded, attempt_ids, strict=True):
            message.contact_attempt_id = attempt_id
        _relink([m for m, _ in recorded])
    return decisions


_RELINK_UPDATE = """
    UPDATE messaging_outboundmessage AS o SET contact_attempt_id = v.attempt_id
    FROM (VALUES %s) AS v (id, attempt_id) WHERE o.id = v.id
"""


def _relink(messages: list[OutboundMessage]) -> None:
    """Point each message at its send-time attempt, in one statement."""
    if not messages:
        return
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_values

        with connection.cursor() as cursor:
            execute_values(
                cursor.cursor,
                _RELINK_UPDATE,
                [(m.pk, m.contact_attempt_id) for m in messages],
                page_size=len(messages),
            )
        return
    OutboundMessage.objects.bulk_update(messages, ["contact_attempt"])


def outbox_settle(*, message: OutboundMessage, delivered: bool, note: str = "") -> None:
    """A person or a delivery report settles an `unknown` row; it is never resent."""
    status = Status.DELIVERED if delivered else Status.CANCELLED
    now = timezone.now()
    with transaction.atomic():
        settled = OutboundMessage.objects.filter(
            pk=message.pk, status=Status.UNKNOWN
        ).update(
            status=status, last_error=note, delivered_at=now if delivered else None
        )
        if settled and message.contact_attempt_id:
            # The attempt stayed pending (counted) while nobody knew; now it is known.
            ledger_complete_many(
                attempt_ids=[message.contact_attempt_id],
                result=(
                    ContactAttempt.Result.SENT
                    if delivered
                    else ContactAttempt.Result.FAILED
                ),
                completed_at=now,
            )
