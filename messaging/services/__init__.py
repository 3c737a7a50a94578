"""Writes of the messaging app: the outbox (claim, dispatch, settle, recover),
letters and print batches, and message templates (drafts, the content check,
activation).

A package (split past ~500 lines, DESIGN.md section 2); import from here:
`from messaging import services`.
"""

from .letters import (
    BatchReport,
    letter_download_record,
    letter_produce,
    print_batch_cut,
    print_batch_download_record,
    print_batch_pending_count,
)
from .outbox import (
    DispatchReport,
    outbox_claim,
    outbox_dispatch,
    outbox_dispatch_many,
    outbox_recover_stale,
    outbox_settle,
)
from .templates import (
    template_activate,
    template_check,
    template_draft_create,
    template_draft_update,
)

__all__ = [
    "BatchReport",
    "letter_download_record",
    "letter_produce",
    "print_batch_cut",
    "print_batch_download_record",
    "print_batch_pending_count",
    "DispatchReport",
    "outbox_claim",
    "outbox_dispatch",
    "outbox_dispatch_many",
    "outbox_recover_stale",
    "outbox_settle",
    "template_activate",
    "template_check",
    "template_draft_create",
    "template_draft_update",
]
