"""Writes to loans, payments, cases, contact points, promises and repayment plans,
work queues and teams.

Every function here owns its transaction and row locks. Single-row changes go through
the ORM so django-simple-history records them with the acting user and a reason; the
portfolio-wide refreshes are explicit set-based statements (a handful of SQL statements
whatever the portfolio size), which write no history rows by design (DESIGN.md 8).

A package (split past ~500 lines, DESIGN.md section 2); import from here:
`from cases import services` / `from cases.services import payment_record`.
"""

from .arrangements import (
    Terms,
    arrangement_refuse_ceased,
    arrangement_terms,
    arrangement_terms_save,
    arrangements_in_force,
    cease_in_force,
    plan_check,
    product_terms,
    promise_check,
    terms_default,
    terms_of,
)
from .contact_points import contact_point_mark_invalid
from .customers import customer_stated_zone_set
from .delinquency import (
    bucket_for,
    days_past_due,
    delinquency_refresh,
    priority_score,
    queue_criteria_q,
)
from .payments import payment_record
from .plans import (
    PlanPreview,
    plan_approve,
    plan_four_eyes_binds,
    plan_propose,
    plan_refresh,
    plan_reject,
    plan_schedule_preview,
)
from .promises import promise_record, promise_refresh
from .queues import queue_save, team_save
from .self_service import (
    identity_question,
    self_service_check,
    self_service_event,
    self_service_link_get,
    self_service_link_issue,
    self_service_link_revoke,
)
from .settlements import (
    case_balance,
    settlement_active,
    settlement_approve,
    settlement_communicate,
    settlement_create,
    settlement_refresh,
    settlement_reject,
    settlement_validate,
    write_off_record,
)

__all__ = [
    "identity_question",
    "self_service_check",
    "self_service_event",
    "self_service_link_get",
    "self_service_link_issue",
    "self_service_link_revoke",
    "PlanPreview",
    "Terms",
    "arrangement_refuse_ceased",
    "arrangement_terms",
    "arrangement_terms_save",
    "arrangements_in_force",
    "cease_in_force",
    "plan_check",
    "product_terms",
    "promise_check",
    "terms_default",
    "terms_of",
    "bucket_for",
    "case_balance",
    "contact_point_mark_invalid",
    "customer_stated_zone_set",
    "days_past_due",
    "delinquency_refresh",
    "payment_record",
    "plan_approve",
    "plan_four_eyes_binds",
    "plan_propose",
    "plan_refresh",
    "plan_reject",
    "plan_schedule_preview",
    "priority_score",
    "promise_record",
    "promise_refresh",
    "queue_criteria_q",
    "queue_save",
    "settlement_active",
    "settlement_approve",
    "settlement_communicate",
    "settlement_create",
    "settlement_refresh",
    "settlement_reject",
    "settlement_validate",
    "write_off_record",
    "team_save",
]
