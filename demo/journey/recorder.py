"""The journey's recording backend: plugged in for SMS and email through
OUTBOX_CHANNEL_SENDERS, it accepts every message the dispatcher hands it and keeps
what it was given, so the simulation can say what reached which debtor and prove
nothing reached anyone twice."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from messaging import sms


@dataclass(frozen=True)
class Delivered:
    message_id: int
    key: str
    channel: str
    customer_id: int
    case_id: int | None
    at: object


DELIVERED: list[Delivered] = []


def record(message) -> sms.SendResult:
    DELIVERED.append(
        Delivered(
            message_id=message.pk,
            key=message.idempotency_key,
            channel=message.channel,
            customer_id=message.customer_id,
            case_id=message.case_id,
            at=timezone.now(),
        )
    )
    return sms.SendResult(sms.SENT, provider_message_id=f"journey-{len(DELIVERED)}")
