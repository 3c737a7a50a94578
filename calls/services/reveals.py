"""Reveals of masked PII, each with an audit row saying who saw what, and why."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, ContactPoint
from core.errors import ApplicationError
from core.metrics import PII_REVEALS

from ..models import PiiReveal

REASON_MAX_LENGTH = PiiReveal._meta.get_field("reason").max_length


def pii_reveal(
    *,
    user,
    case: Case,
    field: str,
    reason: str,
    contact_point: ContactPoint | None = None,
) -> str:
    """The full value of a masked field, with an audit row saying who saw what and
    why.

    `field` is national_id, address or contact_point; `reason` (required) is kept on
    the audit row. A user may reveal at most PII_REVEAL_LIMIT_PER_HOUR values in any
    hour: beyond it, ApplicationError with status 429 naming the limit. The caller
    has checked that `user` may see `case`.
    """
    customer = case.customer
    if field == PiiReveal.Field.CONTACT_POINT:
        if contact_point is None or contact_point.customer_id != customer.pk:
            message = _("That contact point is not this customer's.")
            raise ApplicationError(message, errors={"contact_point": [message]})
        value = contact_point.value
    elif field == PiiReveal.Field.NATIONAL_ID:
        value = customer.national_id
    elif field == PiiReveal.Field.ADDRESS:
        value = customer.address
    else:
        message = _("Choose one of %(choices)s.") % {
            "choices": ", ".join(PiiReveal.Field.values)
        }
        raise ApplicationError(message, errors={"field": [message]})
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why you need to see the full value.")
        raise ApplicationError(message, errors={"reason": [message]})
    if len(reason) > REASON_MAX_LENGTH:
        message = _("Keep the reason under %(n)d characters.") % {
            "n": REASON_MAX_LENGTH
        }
        raise ApplicationError(message, errors={"reason": [message]})
    with transaction.atomic():
        # The user's row is the lock: two reveals at once cannot both take the last
        # one of the hour (SQLite serialises writers anyway).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        _check_rate(user)
        PiiReveal.objects.create(
            user=user,
            case=case,
            customer=customer,
            field=field,
            contact_point=(
                contact_point if field == PiiReveal.Field.CONTACT_POINT else None
            ),
            reason=reason,
        )
    PII_REVEALS.labels(field=field).inc()
    return value


def _check_rate(user) -> None:
    limit = settings.PII_REVEAL_LIMIT_PER_HOUR
    since = timezone.now() - dt.timedelta(hours=1)
    # pii_reveal_user_idx
    recent = PiiReveal.objects.filter(user=user, revealed_at__gt=since).count()
    if recent >= limit:
        message = _(
            "You have reached the limit of %(limit)d reveals per hour "
            "(PII_REVEAL_LIMIT_PER_HOUR). Try again later, or ask a supervisor."
        ) % {"limit": limit}
        raise ApplicationError(message, code="rate_limited", status=429)
