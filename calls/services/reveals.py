"""Reveals of masked PII, each with an audit row saying who saw what."""

from __future__ import annotations

from cases.models import Case, ContactPoint
from core.errors import ApplicationError
from core.metrics import PII_REVEALS

from ..models import PiiReveal


def pii_reveal(
    *, user, case: Case, field: str, contact_point: ContactPoint | None = None
) -> str:
    """The full value of a masked field, with an audit row saying who saw what.

    `field` is national_id, address or contact_point. The caller has checked that
    `user` may see `case`.
    """
    customer = case.customer
    if field == PiiReveal.Field.CONTACT_POINT:
        if contact_point is None or contact_point.customer_id != customer.pk:
            message = "That contact point is not this customer's."
            raise ApplicationError(message, errors={"contact_point": [message]})
        value = contact_point.value
    elif field == PiiReveal.Field.NATIONAL_ID:
        value = customer.national_id
    elif field == PiiReveal.Field.ADDRESS:
        value = customer.address
    else:
        message = f"Choose one of {', '.join(PiiReveal.Field.values)}."
        raise ApplicationError(message, errors={"field": [message]})
    PiiReveal.objects.create(
        user=user,
        case=case,
        customer=customer,
        field=field,
        contact_point=contact_point if field == PiiReveal.Field.CONTACT_POINT else None,
    )
    PII_REVEALS.labels(field=field).inc()
    return value
