"""Reads of the configuration pages and API: template versions and previews, rule
packs and their drafts (with a draft's simulation), queues and teams, and the
configuration as it stood at a past time. Policies are read through
escalation.selectors and simulated through escalation.simulation.

A package by topic (DESIGN.md section 2); import from here:
`from configuration import selectors`.
"""

from .arrangements import (
    ProductTerms,
    arrangement_terms_get,
    arrangement_terms_history,
    arrangement_terms_list,
)
from .as_of import (
    ConfigurationAsOf,
    DecisionRules,
    configuration_as_of,
    decision_rules,
)
from .queues import queue_get, queue_list, team_get, team_get_or_error, team_list
from .rule_packs import (
    RulePackSimulation,
    rule_pack_draft_changes,
    rule_pack_draft_get,
    rule_pack_draft_history,
    rule_pack_draft_pack,
    rule_pack_drafts,
    rule_pack_get,
    rule_pack_history,
    rule_pack_list,
    rule_pack_simulation,
)
from .templates import (
    Preview,
    template_get,
    template_history,
    template_preview,
    template_versions,
)

__all__ = [
    "ProductTerms",
    "arrangement_terms_get",
    "arrangement_terms_history",
    "arrangement_terms_list",
    "ConfigurationAsOf",
    "DecisionRules",
    "Preview",
    "RulePackSimulation",
    "configuration_as_of",
    "decision_rules",
    "queue_get",
    "queue_list",
    "rule_pack_draft_changes",
    "rule_pack_draft_get",
    "rule_pack_draft_history",
    "rule_pack_draft_pack",
    "rule_pack_drafts",
    "rule_pack_get",
    "rule_pack_history",
    "rule_pack_list",
    "rule_pack_simulation",
    "team_get",
    "team_get_or_error",
    "team_list",
    "template_get",
    "template_history",
    "template_preview",
    "template_versions",
]
