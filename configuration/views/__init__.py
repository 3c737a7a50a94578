"""The admin's configuration pages, by topic: policies (edit drafts, simulate,
activate, roll back), message templates (edit with live preview and lint), rule
packs and holidays, queues and teams, and the configuration as of a past date.
Admins only.

A package (split past ~500 lines, DESIGN.md section 2); configuration.urls imports
the views from here.
"""

from .arrangements import arrangement_terms_edit, arrangement_terms_list
from .as_of import as_of
from .authority import approval_authority
from .policies import (
    policy_activate,
    policy_copy,
    policy_create,
    policy_delete,
    policy_detail,
    policy_edit,
    policy_list,
    policy_request,
    policy_rollback,
    policy_simulate,
)
from .print_batches import print_batch_cut, print_batch_download, print_batch_list
from .queues import queue_edit, queue_list, team_edit, team_list
from .rule_packs import (
    holiday_list,
    rule_pack_draft_activate,
    rule_pack_draft_approve_override,
    rule_pack_draft_detail,
    rule_pack_draft_discard,
    rule_pack_draft_simulate,
    rule_pack_edit,
    rule_pack_list,
)
from .templates import (
    template_activate_view,
    template_create,
    template_edit,
    template_list,
    template_preview,
)

__all__ = [
    "approval_authority",
    "arrangement_terms_edit",
    "arrangement_terms_list",
    "as_of",
    "holiday_list",
    "print_batch_cut",
    "print_batch_download",
    "print_batch_list",
    "policy_activate",
    "policy_copy",
    "policy_create",
    "policy_delete",
    "policy_detail",
    "policy_edit",
    "policy_list",
    "policy_request",
    "policy_rollback",
    "policy_simulate",
    "queue_edit",
    "queue_list",
    "rule_pack_draft_activate",
    "rule_pack_draft_approve_override",
    "rule_pack_draft_detail",
    "rule_pack_draft_discard",
    "rule_pack_draft_simulate",
    "rule_pack_edit",
    "rule_pack_list",
    "team_edit",
    "team_list",
    "template_activate_view",
    "template_create",
    "template_edit",
    "template_list",
    "template_preview",
]
