"""The compliance gate's services: evaluate a proposed contact, record it in the
ledger, record its outcome, record attempts made elsewhere (`gate`); edit rule packs
(`rule_packs`) and holiday overrides (`holidays`); record what the customer said
about being contacted: prior consent and inconvenient times and places
(`statements`).

Every path that contacts a debtor goes through `contact_request` (or, for a batch,
`contact_evaluate_many` followed by writing the allowed ones): nothing dials or sends
without an allowing decision in the ledger (DESIGN.md section 4).

A package (split past ~500 lines, DESIGN.md section 2); import from here:
`from compliance import services` / `from compliance.services import contact_request`.
"""

from .gate import (
    ContactProposal,
    Decision,
    contact_attempt_complete,
    contact_attempt_record_external,
    contact_attempt_record_inbound,
    contact_evaluate,
    contact_evaluate_many,
    contact_request,
)
from .holidays import holiday_save
from .rule_packs import (
    LegalOverride,
    pack_compiled_for,
    rule_pack_for,
    rule_pack_update,
    rule_pack_validate,
)
from .statements import (
    contact_preference_record,
    contact_preference_revoke,
    prior_consent_record,
    prior_consent_revoke,
)

__all__ = [
    "ContactProposal",
    "LegalOverride",
    "Decision",
    "contact_attempt_complete",
    "contact_preference_record",
    "contact_preference_revoke",
    "contact_attempt_record_external",
    "contact_attempt_record_inbound",
    "contact_evaluate",
    "contact_evaluate_many",
    "contact_request",
    "holiday_save",
    "pack_compiled_for",
    "prior_consent_record",
    "prior_consent_revoke",
    "rule_pack_for",
    "rule_pack_update",
    "rule_pack_validate",
]
