"""Delivering webhook events: one signed HTTP POST per outbox row.

Called by the outbox dispatcher (messaging.services) for rows on the `webhook`
channel, so webhooks share the outbox's claim, lease, retry with backoff and dead
letter. Signature: HMAC-SHA256 with the subscription's secret over
`"{timestamp}.{body}"`, sent as

    X-Collections-Timestamp: 1767225600
    X-Collections-Signature: sha256=<hex digest>

Webhooks are delivered at least once: a timeout after the request left is retried
(not parked as `unknown` as an SMS is), because every delivery carries the event's
stable id (`X-Collections-Event-Id`, also `id` in the body) for the receiver to
deduplicate on, and a repeated notice to a bank's system contacts no debtor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import urlsplit

from django.conf import settings

from messaging import sms

from .destinations import DestinationRefused, connect_pinned, destination_check

SIGNATURE_HEADER = "X-Collections-Signature"
TIMESTAMP_HEADER = "X-Collections-Timestamp"
# Statuses worth retrying besides 5xx: the receiver is busy or timed out.
RETRYABLE_4XX = {408, 409, 425, 429}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signature_verify(
    *, secret: str, body: bytes, timestamp: str, header: str, tolerance: int = 300
) -> bool:
    """What a receiver does (and the tests do): the signature matches and the
    timestamp is recent, so a captured delivery cannot be replayed later."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(
        signature(secret, timestamp, body), header
    )


def webhook_deliver(message) -> sms.SendResult:
    """POST the row's body to its subscription's URL, signed now.

    The destination is checked again first (integrations.destinations): a name that
    resolves to a private address now, or a host since taken off the allow-list, is
    a failed attempt saying why, and nothing leaves."""
    subscription = message.webhook_subscription
    try:
        destination = destination_check(subscription.url)
    except DestinationRefused as exc:
        return sms.SendResult(sms.FAILED, error=f"refused: {exc}")
    parts = urlsplit(subscription.url)
    body = message.body.encode()
    timestamp = str(int(time.time()))
    try:
        event_id = str(json.loads(body).get("id", ""))
    except (ValueError, AttributeError):
        event_id = ""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "collections-case-manager-webhooks/1",
        "X-Collections-Event": message.subject,
        "X-Collections-Delivery": message.idempotency_key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(subscription.secret, timestamp, body),
        "X-Collections-Event-Id": event_id,
    }
    cls = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    conn = cls(parts.hostname, parts.port, timeout=settings.WEBHOOK_TIMEOUT)
    if destination.addresses:
        # Connect to the addresses just checked, not to a fresh lookup of the name.
        conn._create_connection = connect_pinned(destination.addresses)
    try:
        try:
            conn.request("POST", path, body=body, headers=headers)
        except OSError as exc:
            return sms.SendResult(sms.FAILED, error=f"not delivered: {exc}")
        try:
            response = conn.getresponse()
            response.read()
        except (TimeoutError, HTTPException, OSError) as exc:
            # The receiver may have it; retried under the same event id.
            return sms.SendResult(
                sms.FAILED,
                error=f"no answer ({exc.__class__.__name__}); retried, same event id",
            )
    finally:
        conn.close()
    status = response.status
    if 200 <= status < 300:
        return sms.SendResult(sms.SENT, provider_message_id=f"http-{status}")
    retryable = status >= 500 or status in RETRYABLE_4XX
    return sms.SendResult(
        sms.FAILED, error=f"receiver answered {status}", retryable=retryable
    )
