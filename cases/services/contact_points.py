"""Contact points: marking a number invalid (wrong number, disconnected)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.history import history_save

from ..models import Case, ContactPoint


def contact_point_mark_invalid(
    *, user, case: Case, contact_point: ContactPoint, reason: str = "wrong number"
) -> ContactPoint:
    """Mark a number invalid (wrong number, disconnected): the gate blocks it from
    then on. History keeps who marked it and why."""
    if contact_point.customer_id != case.customer_id:
        message = _("That contact point is not this customer's.")
        raise ApplicationError(message, errors={"contact_point": [message]})
    reason = (reason or "").strip() or "wrong number"
    with transaction.atomic():
        point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
        if point.invalid_at is None:
            point.invalid_at = timezone.now()
            point.invalid_reason = reason[:100]
            history_save(
                point,
                reason=f"marked invalid: {reason}"[:100],
                user=user,
                update_fields=["invalid_at", "invalid_reason"],
            )
    return point
