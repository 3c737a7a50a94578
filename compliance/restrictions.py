"""Recording and ending contact restrictions: who, when and why, with history.

The gate (compliance.services) reads restrictions; this module only writes them. A
restriction is never deleted: ending one sets `ends_at`, and the history row keeps who
ended it and why, so a decision made while it was in force can still be explained.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cases.models import Case, ContactPoint, Customer, Loan
from core import events
from core.errors import ApplicationError, ConflictError
from core.history import history_note

from .models import Channel, ContactRestriction

# Kinds that only make sense for one channel or one contact point.
SCOPED_KINDS = {ContactRestriction.Kind.CHANNEL_OPT_OUT}


def restriction_create(
    *,
    customer: Customer,
    kind: str,
    reason: str,
    actor=None,
    channel: str = "",
    contact_point: ContactPoint | None = None,
    loan: Loan | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    source: str = "manual",
) -> ContactRestriction:
    """Record a restriction on contacting `customer`, in force from `starts_at`
    (default now) until `ends_at` (default: until ended).

    A channel opt-out names the channel or the contact point it covers; the other kinds
    cover every channel unless one is given. Bankruptcy and litigation are legal holds.
    """
    now = timezone.now()
    starts_at = starts_at or now
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in ContactRestriction.Kind.values:
        errors["kind"] = [
            f"Choose one of {', '.join(ContactRestriction.Kind.values)}, not {kind!r}."
        ]
    if channel and channel not in Channel.values:
        errors["channel"] = [f"Choose one of {', '.join(Channel.values)}."]
    if not reason:
        errors["reason"] = ["Say why the restriction applies."]
    if kind in SCOPED_KINDS and not channel and contact_point is None:
        errors["channel"] = ["A channel opt-out needs a channel or a contact point."]
    if contact_point is not None and contact_point.customer_id != customer.pk:
        errors["contact_point"] = ["That contact point is not this customer's."]
    if loan is not None and loan.customer_id != customer.pk:
        errors["loan"] = [f"Loan {loan.reference} is not this customer's."]
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and timezone.is_naive(value):
            errors[field] = ["Give a date, time and UTC offset."]
    if ends_at is not None and "ends_at" not in errors and ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start."]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)

    restriction = ContactRestriction(
        customer=customer,
        kind=kind,
        channel=channel or "",
        contact_point=contact_point,
        loan=loan,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        source=(source or "manual").strip()[:50],
        recorded_by=actor,
    )
    history_note(restriction, reason=f"recorded: {reason}"[:100], user=actor)
    with transaction.atomic():
        restriction.save()
        events.event_publish(events.RESTRICTION_RECORDED, instance=restriction)
    return restriction


def restriction_end(
    *,
    restriction: ContactRestriction,
    reason: str,
    actor=None,
    at: dt.datetime | None = None,
) -> ContactRestriction:
    """End a restriction now (or at `at`); the history row records who and why.

    Refuses (409) a restriction that has already ended, or one that has not started
    yet at that time (it cannot end before it starts; record its end date instead).
    """
    reason = (reason or "").strip()
    if not reason:
        message = "Say why the restriction ends."
        raise ApplicationError(message, errors={"reason": [message]})
    at = at or timezone.now()
    with transaction.atomic():
        restriction = ContactRestriction.objects.select_for_update().get(
            pk=restriction.pk
        )
        if restriction.ends_at is not None and restriction.ends_at <= at:
            ended = restriction.ends_at.isoformat(timespec="seconds")
            message = f"This restriction already ended at {ended}."
            raise ConflictError(
                message, code="already_ended", errors={"ends_at": [message]}
            )
        if restriction.starts_at >= at:
            message = (
                "This restriction has not started yet; it cannot end before it starts."
            )
            raise ConflictError(
                message, code="not_started", errors={"starts_at": [message]}
            )
        restriction.ends_at = at
        # The model has one reason field: the ending is appended to it, so the row
        # says both why it started and why it ended; the history row keeps the
        # version before (and who ended it).
        who = getattr(actor, "username", None) or "system"
        restriction.reason = (
            f"{restriction.reason}\n\nEnded {at.isoformat(timespec='seconds')} "
            f"by {who}: {reason}"
        )
        history_note(restriction, reason=f"ended: {reason}"[:100], user=actor)
        restriction.save(update_fields=["ends_at", "reason"])
        # The call queue held the customer's cases until someone ended the hold
        # (calls.services.claims._defer_blocked): they may be called again now, and
        # the claim asks the gate first (another restriction may still hold them).
        Case.objects.open().filter(
            customer_id=restriction.customer_id,
            next_call_reason=Case.NextCall.GATE,
            next_call_at__gt=at,
        ).update(next_call_at=at)
    return restriction
