"""Domain events for integrations, written to the outbox in the caller's transaction.

A service calls `emit(...)` (one object) or one of the set-based helpers (many) inside
the transaction that makes the change: the webhook rows commit or roll back with it,
so an event is never announced for a change that did not happen, nor lost for one
that did. The outbox dispatcher delivers them (integrations.delivery), signed, with
retries and a dead letter, like any other outbound message.

An event's key (e.g. the promise id) makes it idempotent: emitting the same event
twice writes nothing new (the outbox's unique idempotency key), and the event id the
receiver sees is derived from it, so a receiver can deduplicate on it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import events as core_events

from .models import WebhookSubscription

logger = logging.getLogger(__name__)
Event = WebhookSubscription.Event
_NAMESPACE = uuid.UUID("2f1d7c1e-8a57-4a8e-9a3c-6c0b1f0e5a11")


def _subscriptions(event: str) -> list[WebhookSubscription]:
    # Few rows: filtered in Python because SQLite has no JSON `contains`.
    return [
        s
        for s in WebhookSubscription.objects.filter(active=True).only("pk", "events")
        if event in (s.events or [])
    ]


def subscribed(event: str) -> bool:
    """Whether any active subscription wants `event` (set-based callers ask first,
    so an unsubscribed event costs one small query and nothing else)."""
    return bool(_subscriptions(event))


def event_id(event: str, key: str) -> str:
    return f"evt_{uuid.uuid5(_NAMESPACE, f'{event}:{key}').hex}"


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def payload(event: str, key: str, data: dict, occurred_at: dt.datetime) -> str:
    """The body every subscriber receives, as the exact text that is signed."""
    return json.dumps(
        {
            "id": event_id(event, key),
            "type": event,
            "occurred_at": occurred_at.isoformat(),
            "data": data,
        },
        default=_jsonable,
        ensure_ascii=False,
        sort_keys=True,
    )


def emit(
    event: str,
    *,
    key: str,
    customer_id: int,
    data,
    case_id: int | None = None,
    occurred_at: dt.datetime | None = None,
) -> int:
    """Queue `event` for every active subscription to it; returns the rows written.

    Call inside the transaction that makes the change. `data` may be a callable,
    called only when someone subscribes (building it may cost queries)."""
    subscriptions = _subscriptions(event)
    if not subscriptions:
        return 0
    return emit_many(
        event,
        [
            {
                "key": key,
                "customer_id": customer_id,
                "case_id": case_id,
                "data": data() if callable(data) else data,
                "occurred_at": occurred_at,
            }
        ],
        subscriptions=subscriptions,
    )


def emit_many(event: str, items: Iterable[dict], *, subscriptions=None) -> int:
    """Queue many events of one type: one bulk insert (conflicts ignored, so a
    repeated event writes nothing)."""
    from messaging.models import OutboundMessage

    if event not in Event.values:
        raise ValueError(f"unknown event {event!r}")
    subscriptions = (
        subscriptions if subscriptions is not None else _subscriptions(event)
    )
    if not subscriptions:
        return 0
    now = timezone.now()
    rows = []
    for item in items:
        occurred = item.get("occurred_at") or now
        body = payload(event, str(item["key"]), item["data"], occurred)
        for subscription in subscriptions:
            rows.append(
                OutboundMessage(
                    customer_id=item["customer_id"],
                    case_id=item.get("case_id"),
                    contact_point=None,
                    channel=OutboundMessage.Channel.WEBHOOK,
                    webhook_subscription_id=subscription.pk,
                    subject=event,
                    body=body,
                    status=OutboundMessage.Status.PENDING,
                    idempotency_key=f"wh:{subscription.pk}:{event}:{item['key']}"[:100],
                    send_after=now,
                )
            )
    if not rows:
        return 0
    OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    # Deliver now rather than at the next scheduled dispatch (up to 15 s later);
    # only once the change has committed, so a rolled-back change wakes nothing.
    transaction.on_commit(_wake_dispatcher)
    return len(rows)


def _wake_dispatcher() -> None:
    from messaging.tasks import dispatch_outbox

    try:
        dispatch_outbox.delay()
    except Exception:  # noqa: BLE001 - the broker is down: beat's dispatch sends it
        logger.warning("could not wake the outbox dispatcher", exc_info=True)


# --------------------------------------------------------------------------------------
# The events' data: references, amounts and statuses; no free text and no PII, which a
# receiver reads back through the API with its own token if it needs them.
# --------------------------------------------------------------------------------------


def promise_data(promise) -> dict:
    case = promise.case
    return {
        "promise": {
            "id": promise.pk,
            "amount": promise.amount,
            "currency": promise.currency,
            "due_date": promise.due_date,
            "status": promise.status,
            "made_at": promise.made_at,
            "resolved_at": promise.resolved_at,
            "loan": promise.loan.reference if promise.loan_id else None,
        },
        "case": case.reference,
        "customer": case.customer.reference,
    }


def promise_made(promise) -> int:
    return emit(
        Event.PROMISE_MADE,
        key=str(promise.pk),
        customer_id=promise.case.customer_id,
        case_id=promise.case_id,
        data=lambda: promise_data(promise),
        occurred_at=promise.made_at,
    )


def promises_broken(promise_ids: list[int]) -> int:
    """Set-based: every promise in `promise_ids` (already marked broken)."""
    from cases.models import PromiseToPay

    subscriptions = _subscriptions(Event.PROMISE_BROKEN)
    if not subscriptions or not promise_ids:
        return 0
    promises = PromiseToPay.objects.select_related("case__customer", "loan").filter(
        pk__in=promise_ids, status=PromiseToPay.Status.BROKEN
    )
    return emit_many(
        Event.PROMISE_BROKEN,
        (
            {
                "key": str(p.pk),
                "customer_id": p.case.customer_id,
                "case_id": p.case_id,
                "data": promise_data(p),
                "occurred_at": p.resolved_at,
            }
            for p in promises.iterator(chunk_size=1000)
        ),
        subscriptions=subscriptions,
    )


def plan_approved(plan) -> int:
    if not subscribed(Event.PLAN_APPROVED):
        return 0
    case = plan.case
    return emit(
        Event.PLAN_APPROVED,
        key=plan.reference,
        customer_id=case.customer_id,
        case_id=case.pk,
        data=lambda: _plan_data(plan),
        occurred_at=plan.decided_at,
    )


def _plan_data(plan) -> dict:
    case = plan.case
    instalments = [
        {"sequence": i.sequence, "due_date": i.due_date, "amount": i.amount}
        for i in plan.instalments.order_by("sequence")
    ]
    return {
        "plan": {
            "reference": plan.reference,
            "kind": plan.kind,
            "status": plan.status,
            "total_amount": plan.total_amount,
            "currency": plan.currency,
            "decided_at": plan.decided_at,
            "instalments": instalments,
        },
        "case": case.reference,
        "customer": case.customer.reference,
    }


def _case_data(case) -> dict:
    return {
        "case": {
            "reference": case.reference,
            "status": case.status,
            "close_reason": case.close_reason,
            "closed_at": case.closed_at,
            "opened_at": case.opened_at,
        },
        "customer": case.customer.reference,
    }


def case_closed(case) -> int:
    return emit(
        Event.CASE_CLOSED,
        key=case.reference,
        customer_id=case.customer_id,
        case_id=case.pk,
        data=lambda: _case_data(case),
        occurred_at=case.closed_at,
    )


def cases_closed(case_ids: list[int]) -> int:
    """Set-based: every case in `case_ids` that is now closed."""
    from cases.models import Case

    subscriptions = _subscriptions(Event.CASE_CLOSED)
    if not subscriptions or not case_ids:
        return 0
    cases = Case.objects.select_related("customer").filter(
        pk__in=case_ids, status=Case.Status.CLOSED
    )
    return emit_many(
        Event.CASE_CLOSED,
        (
            {
                "key": c.reference,
                "customer_id": c.customer_id,
                "case_id": c.pk,
                "data": _case_data(c),
                "occurred_at": c.closed_at,
            }
            for c in cases.iterator(chunk_size=1000)
        ),
        subscriptions=subscriptions,
    )


def restriction_recorded(restriction) -> int:
    return emit(
        Event.RESTRICTION_RECORDED,
        key=str(restriction.pk),
        customer_id=restriction.customer_id,
        data=lambda: {
            "restriction": {
                "id": restriction.pk,
                "kind": restriction.kind,
                "channel": restriction.channel,
                "starts_at": restriction.starts_at,
                "ends_at": restriction.ends_at,
                "source": restriction.source,
                "loan": restriction.loan.reference if restriction.loan_id else None,
            },
            "customer": restriction.customer.reference,
        },
        occurred_at=restriction.created_at,
    )


def _publish(event: str, *, instance=None, ids=()) -> int:
    """core.events' listener: the webhook rows for one domain event."""
    if instance is None:
        return {Event.PROMISE_BROKEN: promises_broken, Event.CASE_CLOSED: cases_closed}[
            event
        ](list(ids))
    return {
        Event.PROMISE_MADE: promise_made,
        Event.PLAN_APPROVED: plan_approved,
        Event.CASE_CLOSED: case_closed,
        Event.RESTRICTION_RECORDED: restriction_recorded,
    }[event](instance)


LISTENER = core_events.Listener(wants=subscribed, publish=_publish)
