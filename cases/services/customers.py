"""What a customer tells us about themselves that the gate reads."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.history import change_reason, history_save

from ..models import Customer

STATED_ZONE_SOURCES = ("collector", "api", "customer_self_service")


def customer_stated_zone_set(
    *, customer: Customer, time_zone: str, reason: str, actor, source: str
) -> Customer:
    """Record (or, blank, clear) the zone the customer stated. Under every pack it
    overrides the zone the bank holds, the address and the phone numbers
    (compliance.rules.zones): the customer's own word on where a call is convenient.
    The reason (what the customer said) goes to the history with the actor."""
    if source not in STATED_ZONE_SOURCES:
        raise ApplicationError(
            _("Unknown source %(source)r.") % {"source": source},
            errors={"source": [_("Unknown source.")]},
        )
    if not (reason or "").strip():
        raise ApplicationError(
            _("Say what the customer said."),
            errors={"reason": [_("This field is required.")]},
        )
    # services_intake imports this package: read its checker when called.
    from ..services_intake import time_zone_normalize

    time_zone = time_zone_normalize((time_zone or "").strip())
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        customer.stated_time_zone = time_zone
        what = (
            f"Stated time zone {time_zone} ({source})"
            if time_zone
            else f"Stated time zone cleared ({source})"
        )
        history_save(
            customer,
            reason=change_reason(what, reason),
            user=actor,
            update_fields=["stated_time_zone", "updated_at"],
        )
    return customer
