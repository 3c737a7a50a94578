"""The guided call's callback with the customer's prior consent to it: "call me back
on Monday" is logged with the call, and the consent (Reg F §1006.14(b)(3)(i)) is
recorded through compliance.services in the same transaction: both or neither."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Case
from compliance.models import ContactAttempt
from compliance.services import prior_consent_record
from core.errors import ApplicationError

from ..models import CallLog
from .call_logs import call_log_with_promise

# The outcome form's names for the consent's fields.
_FORM_FIELDS = {"starts_at": "callback_at", "ends_at": "callback_consent_until"}


def call_log_with_consent(
    *,
    user,
    case: Case,
    attempt: ContactAttempt,
    callback_consent: bool = False,
    callback_consent_until: dt.datetime | None = None,
    **call_fields,
) -> CallLog:
    """Log a call (and its promise, `calls.services.call_log_with_promise`); with
    `callback_consent`, record the customer's prior consent to be called back from
    `callback_at` until `callback_consent_until` (default: the end of that day in
    their calendar), about the call's debt (else every debt of the case)."""
    callback_at = call_fields.get("callback_at")
    if callback_consent and callback_at is None:
        message = _("Say when the customer asked to be called back.")
        raise ApplicationError(message, errors={"callback_at": [message]})
    with transaction.atomic():
        call = call_log_with_promise(
            user=user, case=case, attempt=attempt, **call_fields
        )
        if callback_consent:
            notes = (call_fields.get("notes") or "").strip()
            try:
                prior_consent_record(
                    customer=case.customer,
                    case=case,
                    loan=attempt.loan,
                    starts_at=callback_at,
                    ends_at=callback_consent_until,
                    reason=notes or _("Asked to be called back (guided call)."),
                    evidence=f"call {call.pk}",
                    source="collector",
                    actor=user,
                )
            except ApplicationError as exc:
                exc.errors = {
                    _FORM_FIELDS.get(k, k): v for k, v in (exc.errors or {}).items()
                }
                raise
    return call
