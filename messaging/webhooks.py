"""Delivery receipts and inbound replies from the SMS provider.

Signed with HMAC-SHA256 over "<timestamp>.<raw body>" (header X-Signature:
"t=<unix seconds>,v1=<hex>"), so a forged or replayed request is refused. Each event
is handled once: its id is unique in WebhookEvent, so a redelivery changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, ContactPoint
from cases.validators import phone_normalize
from compliance.content import content_check
from core.crypto import contact_hash
from core.errors import ApplicationError
from core.history import history_save

from .models import OutboundMessage, WebhookEvent

# STOP / 退订 / TD / UNSUBSCRIBE as the whole reply (punctuation and case ignored).
OPT_OUT = re.compile(
    r"^\s*(stop|stopall|unsubscribe|cancel|end|quit|td|退订|退定)\W*$", re.I
)
MAX_SKEW_SECONDS = 300
# The body's fields and the JSON types each may have (null counts as absent). The
# provider's own identifiers may be numbers; everything else is text.
TEXT_FIELDS = ("type", "reference", "status", "error", "from", "text", "at")
ID_FIELDS = ("id", "message_id")


def signature_for(body: bytes, *, timestamp: int, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_verify(body: bytes, header: str, *, now: float | None = None) -> None:
    secret = settings.SMS_WEBHOOK_SECRET
    if not secret:
        raise ApplicationError(
            _("Webhooks are not configured."), code="not_configured", status=403
        )
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp, given = int(parts["t"]), parts["v1"]
    except (KeyError, ValueError):
        raise ApplicationError(
            _("Missing or malformed X-Signature."), code="bad_signature", status=403
        ) from None
    if abs((now or time.time()) - timestamp) > MAX_SKEW_SECONDS:
        raise ApplicationError(
            _("Signature expired."), code="bad_signature", status=403
        )
    expected = signature_for(body, timestamp=timestamp, secret=secret).split("v1=")[1]
    if not hmac.compare_digest(expected, given):
        raise ApplicationError(_("Bad signature."), code="bad_signature", status=403)


def _at(payload: dict) -> dt.datetime:
    raw = payload.get("at")
    if not raw:
        return timezone.now()
    try:
        at = dt.datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ApplicationError(
            _("Bad time."), errors={"at": [_("Use ISO-8601.")]}
        ) from None
    if timezone.is_naive(at):
        raise ApplicationError(_("Bad time."), errors={"at": [_("Give a UTC offset.")]})
    return at


def _delivery(payload: dict, at: dt.datetime) -> str:
    ref, provider_id = payload.get("reference", ""), payload.get("message_id", "")
    if not (ref or provider_id):
        raise ApplicationError(
            _("A receipt names the message."),
            errors={"message_id": [_("Give message_id or reference.")]},
        )
    messages = (
        OutboundMessage.objects.filter(idempotency_key=ref)
        if ref
        else OutboundMessage.objects.filter(provider_message_id=provider_id)
    )
    settled = [OutboundMessage.Status.SENT, OutboundMessage.Status.UNKNOWN]
    if payload.get("status") == "delivered":
        n = messages.filter(status__in=settled).update(
            status=OutboundMessage.Status.DELIVERED, delivered_at=at
        )
    elif payload.get("status") == "failed":
        n = messages.filter(status__in=settled).update(
            status=OutboundMessage.Status.DEAD,
            last_error=f"delivery failed: {payload.get('error', '')}"[:500],
        )
    else:
        raise ApplicationError(
            _("Unknown delivery status."),
            errors={"status": [_("Use delivered or failed.")]},
        )
    return f"{payload['status']}: {n} message(s)"


def _inbound(payload: dict, at: dt.datetime) -> str:
    try:
        number = phone_normalize(payload.get("from", ""), region=None, field="from")
    except ApplicationError:
        number = phone_normalize(payload.get("from", ""), region="CN", field="from")
    points = ContactPoint.objects.filter(
        channel=ContactPoint.Channel.PHONE, value_hash=contact_hash(number)
    )
    customer_ids = set(points.values_list("customer_id", flat=True))
    outcome = f"reply from {len(customer_ids)} customer(s)"
    if OPT_OUT.match(payload.get("text", "")):
        # The number opts out of SMS at once (US.EOPT; CN: channels agreed with the
        # debtor);
        # the gate reads opted_out_at on every later check.
        for point in points.filter(opted_out_at__isnull=True):
            point.opted_out_at = at
            history_save(
                point, reason="SMS opt-out reply", update_fields=["opted_out_at"]
            )
        outcome = f"opt-out; {outcome}"
    # Any reply stops the ladder for the customer's open case.
    Case.objects.open().filter(customer_id__in=customer_ids).update(last_reply_at=at)
    # Replies go through the same content lint as notes and templates: a reply that
    # quotes a threat or abuse is marked on the event for a supervisor to read.
    found = content_check(str(payload.get("text") or "")).categories
    if found:
        outcome = f"{outcome}; content: {', '.join(sorted(found))}"
    return outcome[:200]


def _fields_check(payload: dict) -> dict:
    """The payload without its null fields, or ApplicationError (400) naming every
    field whose JSON type is wrong: a list or an object where text belongs would
    otherwise reach the phone parser, the opt-out match or a query (500s before)."""
    fields = {key: value for key, value in payload.items() if value is not None}
    errors: dict[str, list[str]] = {}
    for key in TEXT_FIELDS:
        if key in fields and not isinstance(fields[key], str):
            errors[key] = [_("Must be a string.")]
    for key in ID_FIELDS:
        value = fields.get(key)
        if key in fields and (
            isinstance(value, bool) or not isinstance(value, str | int)
        ):
            errors[key] = [_("Must be a string or a whole number.")]
    if errors:
        raise ApplicationError(_("Invalid webhook body."), errors=errors)
    return fields


def webhook_receive(
    *, payload: dict, provider: str = "sms"
) -> tuple[WebhookEvent, bool]:
    """Handle one verified event; returns (event, created). A repeat is a no-op.
    The event keeps the payload as received; the handlers read its checked fields."""
    fields = _fields_check(payload)
    kind, event_id = fields.get("type"), str(fields.get("id") or "").strip()
    errors = {}
    if kind not in WebhookEvent.Kind.values:
        errors["type"] = [_("Use delivery or inbound.")]
    if not event_id:
        errors["id"] = [_("Required: the provider's event id.")]
    if errors:
        raise ApplicationError(_("Invalid webhook body."), errors=errors)
    existing = WebhookEvent.objects.filter(provider=provider, event_id=event_id).first()
    if existing:
        return existing, False
    at = _at(fields)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                provider=provider, event_id=event_id, kind=kind, payload=payload
            )
            event.outcome = (_delivery if kind == "delivery" else _inbound)(fields, at)
            event.save(update_fields=["outcome"])
    except IntegrityError:
        # The same event delivered twice at once: the other request handled it.
        return WebhookEvent.objects.get(provider=provider, event_id=event_id), False
    return event, True
