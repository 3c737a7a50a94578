"""The case page's timeline: everything that happened on the case, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cases.masking import mask_contact, mask_phone
from cases.models import Case, Payment, PromiseToPay, RepaymentPlan, SelfServiceEvent
from compliance.models import (
    SELF_SERVICE_CHANNEL,
    ContactAttempt,
    ContactPreference,
    ContactRestriction,
    PriorConsent,
)
from compliance.reasons import preference_text
from core.labels import code_as_words

from ..models import CallLog
from ..services.claims import CLAIM_HISTORY_PREFIXES
from ._common import reason_text

TIMELINE_LIMIT = 40

TIMELINE_LABELS = {
    "call": gettext_lazy("Call"),
    "attempt": gettext_lazy("Contact"),
    "decision": gettext_lazy("Blocked"),
    "promise": gettext_lazy("Promise"),
    "plan": gettext_lazy("Plan"),
    "payment": gettext_lazy("Payment"),
    "restriction": gettext_lazy("Restriction"),
    "consent": gettext_lazy("Consent"),
    "preference": gettext_lazy("Customer said"),
    "claim": gettext_lazy("Queue"),
    "self_service": gettext_lazy("Self-service"),
}


@dataclass
class TimelineEntry:
    at: dt.datetime
    # call | attempt | decision | promise | plan | payment | restriction | consent |
    # preference | claim | self_service
    kind: str
    title: str
    detail: str = ""
    flagged: bool = False

    @property
    def label(self) -> str:
        return str(TIMELINE_LABELS.get(self.kind, self.kind))


# Who made a contact attempt (ContactAttempt.source is free text set by its caller).
ATTEMPT_SOURCES = {
    "escalation": gettext_lazy("Escalation ladder"),
    "sweep": gettext_lazy("Escalation ladder"),
    "dispatch": gettext_lazy("Sent by the dispatcher"),
    "collector": gettext_lazy("Collector"),
    "api": gettext_lazy("API"),
    "command": gettext_lazy("Command"),
    "demo": gettext_lazy("Demo data"),
    "manual": gettext_lazy("Manual"),
    "system": gettext_lazy("System"),
}


def _source_label(source: str) -> str:
    return str(ATTEMPT_SOURCES.get(source) or code_as_words(source))


def _aware_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


# The timeline's filters (so forty payments do not push the calls off the page):
# each names the entry kinds it keeps.
TIMELINE_FILTERS = {
    "calls": (gettext_lazy("Calls"), {"call"}),
    "messages": (gettext_lazy("Messages"), {"attempt"}),
    "payments": (gettext_lazy("Payments"), {"payment"}),
    "decisions": (gettext_lazy("Blocked"), {"decision"}),
    "arrangements": (gettext_lazy("Promises and plans"), {"promise", "plan"}),
}


def case_timeline(
    *, case: Case, limit: int = TIMELINE_LIMIT, only: str = ""
) -> list[TimelineEntry]:
    """Everything that happened on the case, newest first: reminders and blocked
    decisions (the ledger), calls, promises, plans, payments, restrictions, prior
    consents, stated inconvenient times and places, and self-service visits and
    actions. Nine queries, each bounded
    by `limit`, so each kind keeps its own newest `limit` before `only` (a key of
    TIMELINE_FILTERS; anything else is everything) picks among them."""
    customer_id = case.customer_id
    entries: list[TimelineEntry] = []
    calls = (
        CallLog.objects.filter(case=case)
        .select_related("collector", "contact_point")
        .order_by("-started_at")[:limit]
    )
    for call in calls:
        detail = [call.get_attitude_display()]
        if call.duration_seconds:
            detail.append(_("%(s)s s") % {"s": call.duration_seconds})
        if call.notes:
            detail.append(call.notes)
        who = call.collector.get_username() if call.collector else "-"
        entries.append(
            TimelineEntry(
                at=call.started_at,
                kind="call",
                title=_("Call to %(to)s by %(who)s: %(outcome)s")
                % {
                    "to": mask_phone(call.contact_point.value),
                    "who": who,
                    "outcome": call.get_outcome_display(),
                },
                detail=" · ".join(detail),
                flagged=call.notes_flagged,
            )
        )
    # Calls appear above; the ledger adds reminders, blocked attempts and calls made
    # elsewhere (a call's own attempt is skipped: it is the call; so are the
    # customer's self-service contacts: their events below say more).
    attempts = (
        ContactAttempt.objects.filter(customer_id=customer_id)
        .exclude(channel="call", allowed=True, call__isnull=False)
        .exclude(channel=SELF_SERVICE_CHANNEL)
        .select_related("decision")
        .order_by("-at")[:limit]
    )
    for attempt in attempts:
        value = (
            mask_contact(
                "phone" if attempt.channel in ("call", "sms") else attempt.channel,
                attempt.contact_value,
            )
            if attempt.contact_value
            else ""
        )
        if attempt.allowed:
            title = _("%(channel)s %(to)s: %(result)s") % {
                "channel": attempt.get_channel_display(),
                "to": value,
                "result": attempt.get_result_display(),
            }
            detail = _source_label(attempt.source)
        else:
            title = _("%(channel)s %(to)s blocked by the compliance gate") % {
                "channel": attempt.get_channel_display(),
                "to": value,
            }
            reasons = attempt.decision.reasons if attempt.decision else []
            detail = " ".join(reason_text(r) for r in reasons)
        entries.append(
            TimelineEntry(
                at=attempt.at,
                kind="attempt" if attempt.allowed else "decision",
                title=title,
                detail=detail,
                flagged=not attempt.allowed,
            )
        )
    for promise in PromiseToPay.objects.filter(case=case).order_by("-made_at")[:limit]:
        entries.append(
            TimelineEntry(
                at=promise.made_at,
                kind="promise",
                title=_("Promise to pay %(amount)s %(currency)s by %(date)s")
                % {
                    "amount": f"{promise.amount:,.2f}",
                    "currency": promise.currency,
                    "date": promise.due_date.isoformat(),
                },
                detail=promise.get_status_display(),
            )
        )
    plans = (
        RepaymentPlan.objects.filter(case=case)
        .prefetch_related("instalments")
        .order_by("-created_at")[:limit]
    )
    for plan in plans:
        schedule = ", ".join(
            f"{i.due_date.isoformat()} {i.amount:,.2f}" for i in plan.instalments.all()
        )
        entries.append(
            TimelineEntry(
                at=plan.created_at,
                kind="plan",
                title=_("Repayment plan %(ref)s (%(kind)s), %(total)s %(currency)s")
                % {
                    "ref": plan.reference,
                    "kind": plan.get_kind_display(),
                    "total": f"{plan.total_amount:,.2f}",
                    "currency": plan.currency,
                },
                detail=f"{plan.get_status_display()} · {schedule}",
            )
        )
    payments = (
        Payment.objects.filter(loan__customer_id=customer_id)
        .select_related("loan")
        .order_by("-received_at")[:limit]
    )
    for payment in payments:
        entries.append(
            TimelineEntry(
                at=payment.received_at,
                kind="payment",
                title=_("Payment %(amount)s %(currency)s on %(loan)s")
                % {
                    "amount": f"{payment.amount:,.2f}",
                    "currency": payment.currency,
                    "loan": payment.loan.reference,
                },
                detail=payment.reference,
            )
        )
    restrictions = ContactRestriction.objects.filter(customer_id=customer_id).order_by(
        "-starts_at"
    )[:limit]
    for restriction in restrictions:
        until = (
            _(" until %(date)s") % {"date": restriction.ends_at.date().isoformat()}
            if restriction.ends_at
            else ""
        )
        entries.append(
            TimelineEntry(
                at=restriction.starts_at,
                kind="restriction",
                title=_("Restriction: %(kind)s%(until)s")
                % {"kind": restriction.get_kind_display(), "until": until},
                detail=restriction.reason.splitlines()[0] if restriction.reason else "",
            )
        )
    entries += _statement_entries(customer_id=customer_id, limit=limit)
    # What the customer did on their self-service page (issue 21).
    for event in SelfServiceEvent.objects.filter(customer_id=customer_id).order_by(
        "-at"
    )[:limit]:
        entries.append(
            TimelineEntry(
                at=event.at,
                kind="self_service",
                title=event.get_kind_display(),
                detail=event.detail,
            )
        )
    # Skips, releases and take-overs of the case's claim (decision 43): the case's
    # own history rows, with who did it and why.
    claim_rows = Q()
    for prefix in CLAIM_HISTORY_PREFIXES:
        claim_rows |= Q(history_change_reason__startswith=prefix)
    history = (
        Case.history.filter(claim_rows, id=case.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    for row in history:
        who = row.history_user.get_username() if row.history_user else "-"
        what, _sep, why = row.history_change_reason.partition(": ")
        entries.append(
            TimelineEntry(
                at=row.history_date,
                kind="claim",
                title=_("%(what)s by %(who)s")
                % {"what": _claim_label(what), "who": who},
                detail=why,
            )
        )
    if only in TIMELINE_FILTERS:
        kinds = TIMELINE_FILTERS[only][1]
        entries = [e for e in entries if e.kind in kinds]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _revoked(row) -> str:
    if row.revoked_at is None:
        return ""
    return _(" · revoked %(date)s: %(why)s") % {
        "date": timezone.localtime(row.revoked_at).strftime("%Y-%m-%d %H:%M"),
        "why": row.revoke_reason,
    }


def _statement_entries(*, customer_id: int, limit: int) -> list[TimelineEntry]:
    """Prior consents (why a call beyond the usual counts was allowed) and the
    customer's stated inconvenient times and places, with who recorded them."""
    entries = []
    consents = (
        PriorConsent.objects.filter(customer_id=customer_id)
        .select_related("loan", "recorded_by")
        .order_by("-given_at")[:limit]
    )
    for consent in consents:
        who = consent.recorded_by.get_username() if consent.recorded_by else "-"
        entries.append(
            TimelineEntry(
                at=consent.given_at,
                kind="consent",
                title=_("Prior consent to calls from %(start)s to %(end)s%(loan)s")
                % {
                    "start": timezone.localtime(consent.starts_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "end": timezone.localtime(consent.ends_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "loan": f" ({consent.loan.reference})" if consent.loan else "",
                },
                detail=f"{consent.get_source_display()} · {who} · {consent.reason}"
                + _revoked(consent),
            )
        )
    zh = (get_language() or "").startswith("zh")
    preferences = (
        ContactPreference.objects.filter(customer_id=customer_id)
        .select_related("recorded_by")
        .order_by("-starts_at")[:limit]
    )
    for pref in preferences:
        en, cn = preference_text(pref)
        who = pref.recorded_by.get_username() if pref.recorded_by else "-"
        entries.append(
            TimelineEntry(
                at=pref.starts_at,
                kind="preference",
                title=cn if zh else en,
                detail=f"{pref.get_source_display()} · {who} · {pref.reason}"
                + _revoked(pref),
            )
        )
    return entries


def _claim_label(what: str) -> str:
    if what.startswith("skipped"):
        return _("Skipped")
    if what.startswith("claim released"):
        return _("Released")
    return _("Taken over")
