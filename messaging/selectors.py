"""Reads of the outbox, scoped to what the user may see."""

from django.db.models import QuerySet

from cases.models import Case
from cases.selectors import case_visibility_filter

from .models import OutboundMessage


def outbound_message_list_for_user(*, user) -> QuerySet[OutboundMessage]:
    messages = OutboundMessage.objects.select_related(
        "case", "customer", "contact_point", "template", "step"
    )
    visible = case_visibility_filter(user=user)
    if visible is not None:
        messages = messages.filter(case__in=Case.objects.filter(visible).values("pk"))
    return messages
