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


def letters_for_case(*, case) -> list:
    """The case's letters, newest first, with their batch (letter_case_idx). The
    caller has checked that the user may see `case`."""
    from .models import Letter

    return list(
        Letter.objects.filter(case=case)
        .select_related("batch", "message")
        .order_by("-rendered_at")[:50]
    )


def letter_get_for_case(*, case, reference: str):
    """The letter `reference` of `case`, else 404 (a letter of another case is not
    found here, whoever asks)."""
    from django.shortcuts import get_object_or_404

    from .models import Letter

    return get_object_or_404(Letter, case=case, reference=reference)


def print_batch_list() -> list:
    """The print batches, newest first (admins only: the caller checks)."""
    from .models import PrintBatch

    return list(PrintBatch.objects.select_related("created_by")[:100])
