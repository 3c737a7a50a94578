"""The compliance gate's services: evaluate a proposed contact, record it in the ledger,
record its outcome, record attempts made elsewhere.

Every path that contacts a debtor goes through `contact_request` (or, for a batch,
`contact_evaluate_many` followed by writing the allowed ones): nothing dials or sends
without an allowing decision in the ledger (DESIGN.md section 4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cases.masking import mask_contact
from cases.models import Case, ContactPoint, Customer, Loan
from cases.validators import contact_value_normalize
from core.bulk import gc_paused
from core.crypto import contact_hash
from core.errors import ApplicationError, ConflictError
from core.history import history_save
from core.metrics import decisions_count

from .. import selectors
from ..engine import Decision, evaluate
from ..ledger import decision_values
from ..models import SELF_SERVICE_CHANNEL, ContactAttempt, HolidayOverride
from ..models import Decision as DecisionRow
from ..packs import (
    CALL_RESULTS,
    CHANNELS,
    MESSAGE_RESULTS,
    PURPOSES,
    Pack,
)
from ..rules.base import POINT_KIND_FOR_CHANNEL, Point

# How far ahead the gate reads holiday overrides: beyond any pack's horizon (at most
# 366 days, validated in compliance.packs) plus the window search.
HORIZON_LIMIT = dt.timedelta(days=400)


@dataclass(frozen=True, slots=True)
class ContactProposal:
    """One contact the sweep (or anyone) proposes; see `contact_evaluate`. The
    customer may also be a record with its pk, country, region, time_zone and
    stated_time_zone, or an id."""

    customer: Customer
    channel: str
    contact_point: ContactPoint | str | None = None
    purpose: str = "collection"
    loan: Loan | int | None = None
    case: Case | None = None
    at: dt.datetime | None = None


# --- evaluation ---------------------------------------------------------------------


def _check_choice(field: str, value: str, choices: Iterable[str]) -> None:
    choices = tuple(choices)
    if value not in choices:
        message = gettext("%(value)r is not one of %(choices)s.") % {
            "value": value,
            "choices": ", ".join(choices),
        }
        raise ApplicationError(message, errors={field: [message]})


def _no_offset() -> ApplicationError:
    return ApplicationError(
        gettext("The time must include a UTC offset."),
        errors={"at": [gettext("Give the time with its UTC offset.")]},
    )


def _aware(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        raise _no_offset()
    return at


def _resolve_point(
    customer: Customer,
    channel: str,
    given: ContactPoint | str | None,
    points: list[Point],
) -> Point | None:
    """The contact point to evaluate: the given one (object or value) as freshly read,
    else the customer's primary own point for the channel."""
    if given is None:
        return selectors.default_point(points, channel)
    kind = POINT_KIND_FOR_CHANNEL[channel]
    if isinstance(given, ContactPoint):
        if given.customer_id != customer.pk:
            raise ApplicationError(
                gettext("That contact point belongs to another customer."),
                errors={
                    "contact_point": [gettext("Not a contact point of this customer.")]
                },
            )
        match = [p for p in points if p.id == given.pk]
    else:
        try:
            value = contact_value_normalize(
                kind, given, region=customer.country or None, field="contact_point"
            )
        except ApplicationError:
            value = given.strip()
        match = [p for p in points if p.kind == kind and p.value == value]
    if not match:
        label = _kind_label(kind)
        raise ApplicationError(
            gettext("%(value)s is not a %(kind)s of this customer.")
            % {"value": given, "kind": label},
            errors={
                "contact_point": [
                    gettext("Not a %(kind)s of this customer.") % {"kind": label}
                ]
            },
        )
    if match[0].kind != kind:
        message = gettext("A %(kind)s cannot be used for %(channel)s.") % {
            "kind": _kind_label(match[0].kind),
            "channel": channel,
        }
        raise ApplicationError(message, errors={"contact_point": [message]})
    return match[0]


def _kind_label(kind: str) -> str:
    """A contact point kind in the reader's language (phone, email, postal address)."""
    if kind in ContactPoint.Channel.values:
        return str(ContactPoint.Channel(kind).label).lower()
    return kind


def _loan_id(loan: Loan | int | None, customer: Customer) -> int | None:
    if loan is None:
        return None
    if isinstance(loan, Loan):
        if loan.customer_id != customer.pk:
            raise ApplicationError(
                gettext("That loan belongs to another customer."),
                errors={"loan": [gettext("Not a loan of this customer.")]},
            )
        return loan.pk
    return int(loan)


# Above this many proposals the cyclic garbage collector is paused while a batch is
# built (core.bulk.gc_paused).
GC_PAUSE_MIN_PROPOSALS = 1000


def contact_evaluate_many(
    proposals: list[ContactProposal | Mapping[str, Any]],
    at: dt.datetime | None = None,
    *,
    pack_overrides: Mapping[str, Pack] | None = None,
) -> list[Decision]:
    """Decide many proposed contacts with a constant number of queries.

    Packs, contact points, restrictions, ledger events and holiday overrides are
    each read once for the whole batch and grouped in Python; the rules are the same
    pure functions `contact_evaluate` runs, so both paths always agree. Writes nothing.

    `pack_overrides` (code -> compiled Pack, e.g. `packs.pack_from_row` over a draft's
    parameters) replaces the stored packs of those codes: what the gate would decide
    if the draft were live. Only for simulations; nothing decided with it is written.
    """
    with gc_paused(len(proposals) >= GC_PAUSE_MIN_PROPOSALS):
        return _evaluate_many(proposals, at, pack_overrides)


def _holidays_for_overrides(
    holidays: dict, packs: Iterable[Pack], *, since: dt.datetime, until: dt.datetime
) -> dict:
    """`holidays` plus the calendars of overriding packs that the stored packs did not
    need (a draft turning the holiday blackout on), corrected by the same
    HolidayOverride rows and over the same days as `selectors.gate_inputs`."""
    missing = [
        p
        for p in packs
        if p.blackout_enabled
        and (p.blackout_country, p.blackout_subdivision) not in holidays
    ]
    if not missing:
        return holidays
    overrides = HolidayOverride.objects.filter(
        date__gte=since.date() - dt.timedelta(days=1),
        date__lte=until.date() + dt.timedelta(days=1),
    ).values_list("country", "date", "is_holiday")
    extra = selectors.holiday_dates(
        missing, start=since.date(), end=until.date(), overrides=list(overrides)
    )
    return {**holidays, **extra}


def _evaluate_many(
    proposals: list[ContactProposal | Mapping[str, Any]],
    at: dt.datetime | None,
    pack_overrides: Mapping[str, Pack] | None = None,
) -> list[Decision]:
    now = timezone.now()
    default_at = _aware(at, now)
    items: list[ContactProposal] = [
        p if isinstance(p, ContactProposal) else ContactProposal(**p) for p in proposals
    ]
    if not items:
        return []
    # Customers may be given by id; fetch the missing ones in one query.
    # A customer is given as a model instance, as a record with the fields the gate
    # reads (pk, country, region, time_zone, stated_time_zone: the sweep's), or by id.
    wanted_ids = {p.customer for p in items if not hasattr(p.customer, "pk")}
    fetched = (
        {c.pk: c for c in Customer.objects.filter(pk__in=wanted_ids)}
        if wanted_ids
        else {}
    )
    resolved: list[tuple[Customer, ContactProposal, dt.datetime, str]] = []
    pack_code = selectors.pack_code_resolver()
    for p in items:
        customer = p.customer if hasattr(p.customer, "pk") else fetched.get(p.customer)
        if customer is None:
            raise ApplicationError(
                f"Unknown customer {p.customer!r}.", errors={"customer": ["Unknown."]}
            )
        _check_choice("channel", p.channel, CHANNELS)
        _check_choice("purpose", p.purpose, PURPOSES)
        when = default_at if p.at is None else _aware(p.at, default_at)
        resolved.append((customer, p, when, pack_code(customer.country)))

    codes = {code for _, _, _, code in resolved}
    earliest = min(r[2] for r in resolved)
    latest = max(r[2] for r in resolved)
    # Read as far back as the packs count. Their windows are only known once read,
    # so start from what they were last time; if an admin has since lengthened one,
    # read again (rare) rather than decide on a ledger cut short.
    lookback = max(selectors.lookback_hint(code) for code in codes)
    if pack_overrides:
        # A draft counting further back than the stored pack: read that far at once.
        lookback = max(
            [lookback] + [p.lookback for c, p in pack_overrides.items() if c in codes]
        )
    for _ in range(2):
        since = earliest - lookback
        reads = selectors.gate_inputs(
            customer_ids=(r[0].pk for r in resolved),
            pack_codes=codes,
            since=since,
            until=latest + HORIZON_LIMIT,
        )
        packs = reads.packs
        if pack_overrides:
            packs = {
                code: pack_overrides.get(code, pack) for code, pack in packs.items()
            }
        needed = max(p.lookback for p in packs.values())
        if needed <= lookback:
            break
        lookback = needed
    inputs, holidays = reads.customers, reads.holidays
    if pack_overrides:
        holidays = _holidays_for_overrides(
            holidays,
            (packs[c] for c in codes if c in pack_overrides),
            since=since,
            until=latest + HORIZON_LIMIT,
        )
    decisions: list[Decision] = []
    for customer, p, when, code in resolved:
        pack = packs[code]
        customer_inputs = inputs[customer.pk]
        point = _resolve_point(
            customer, p.channel, p.contact_point, customer_inputs.points
        )
        ctx = selectors.build_context(
            pack=pack,
            customer=customer,
            channel=p.channel,
            purpose=p.purpose,
            point=point,
            loan_id=_loan_id(p.loan, customer),
            inputs=customer_inputs,
            holidays=holidays,
        )
        decisions.append(evaluate(ctx, when))
    return decisions


def contact_evaluate(
    *,
    customer: Customer,
    channel: str,
    contact_point: ContactPoint | str | None = None,
    at: dt.datetime | None = None,
    purpose: str = "collection",
    case: Case | None = None,
    loan: Loan | int | None = None,
) -> Decision:
    """May we contact this customer on `channel` at `contact_point` at `at` for
    `purpose`? Writes nothing. `contact_point` None means the customer's primary own
    point for the channel (call/sms: phone, email: email, letter/visit: address)."""
    return contact_evaluate_many(
        [
            ContactProposal(
                customer=customer,
                channel=channel,
                contact_point=contact_point,
                purpose=purpose,
                loan=loan,
                case=case,
                at=at,
            )
        ],
        at=at,
    )[0]


def _decision_row(
    decision: Decision, *, customer: Customer, case, loan_id, actor
) -> DecisionRow:
    return DecisionRow(
        customer=customer,
        case=case,
        loan_id=loan_id,
        actor=actor,
        **decision_values(decision),
    )


def contact_request(
    *,
    customer: Customer,
    channel: str,
    contact_point: ContactPoint | str | None = None,
    at: dt.datetime | None = None,
    purpose: str = "collection",
    case: Case | None = None,
    loan: Loan | int | None = None,
    actor=None,
    source: str = "system",
) -> tuple[Decision, ContactAttempt]:
    """Evaluate a contact and write its Decision and ContactAttempt in one transaction.

    An allowed attempt is written as `pending` (it counts toward caps at once); a
    blocked one as `blocked`. The customer row is locked first, so two concurrent
    requests cannot both take the last slot of a cap: the second waits, then counts
    the first one's pending attempt.
    """
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).exists()
        decision = contact_evaluate(
            customer=customer,
            channel=channel,
            contact_point=contact_point,
            at=at,
            purpose=purpose,
            case=case,
            loan=loan,
        )
        loan_id = _loan_id(loan, customer)
        row = _decision_row(
            decision, customer=customer, case=case, loan_id=loan_id, actor=actor
        )
        row.save()
        transaction.on_commit(lambda: decisions_count([decision]))
        point = (
            ContactPoint.objects.filter(pk=decision.contact_point_id).first()
            if decision.contact_point_id
            else None
        )
        attempt = ContactAttempt(
            customer=customer,
            case=case,
            loan_id=loan_id,
            contact_point=point,
            contact_value=point.value if point else "",
            third_party=bool(point and point.is_third_party),
            channel=channel,
            purpose=purpose,
            at=decision.proposed_at,
            allowed=decision.allowed,
            result=(
                ContactAttempt.Result.PENDING
                if decision.allowed
                else ContactAttempt.Result.BLOCKED
            ),
            decision=row,
            source=source,
            actor=actor,
        )
        history_save(attempt, reason=f"contact request: {decision.outcome}", user=actor)
    return decision, attempt


def _check_result(channel: str, result: str) -> None:
    allowed = CALL_RESULTS if channel in ("call", "visit") else MESSAGE_RESULTS
    if result not in allowed:
        message = gettext(
            "%(result)r is not a result of a %(channel)s: use %(choices)s."
        ) % {"result": result, "channel": channel, "choices": ", ".join(allowed)}
        raise ApplicationError(message, errors={"result": [message]})


def contact_attempt_complete(
    *, attempt: ContactAttempt, result: str, completed_at: dt.datetime | None = None
) -> ContactAttempt:
    """Record how a pending attempt ended: for calls not_connected / no_answer /
    voicemail / third_party / conversation; for messages sent / failed. The counting
    rules read it from then on (e.g. us: a conversation starts the 7-day cooldown)."""
    _check_result(attempt.channel, result)
    completed_at = _aware(completed_at, timezone.now())
    with transaction.atomic():
        # Lock the attempt: a dialer callback and a collector completing the same
        # call must not both succeed with different results.
        current = ContactAttempt.objects.select_for_update().get(pk=attempt.pk)
        if current.result != ContactAttempt.Result.PENDING:
            state = current.get_result_display().lower()
            raise ConflictError(
                gettext(
                    "This attempt is already %(result)s; it cannot be completed again."
                )
                % {"result": state},
                errors={"result": [gettext("Already %(result)s.") % {"result": state}]},
            )
        if completed_at < current.at:
            raise ApplicationError(
                gettext("An attempt cannot end before it started."),
                errors={"completed_at": [gettext("Before the attempt started.")]},
            )
        current.result = result
        current.completed_at = completed_at
        history_save(
            current,
            reason=f"completed: {result}",
            update_fields=["result", "completed_at"],
        )
    attempt.result, attempt.completed_at = current.result, current.completed_at
    return current


def contact_attempt_record_external(
    *,
    customer: Customer,
    channel: str,
    contact_value: str,
    at: dt.datetime,
    result: str,
    loan: Loan | int | None = None,
    source: str,
    actor=None,
    received_at: dt.datetime | None = None,
) -> ContactAttempt:
    """Record an attempt made outside this system (an external dialer, an agency) so
    the shared counters stay right (catalogue 3.2: caps aggregate bank and agencies).
    It is written as allowed (it happened) with no decision of ours.

    The number must be one of the customer's contact points (their own or a third
    party's on their record): an unknown number would count against no one's caps.
    `received_at` is when the report arrived (the API passes now): the attempt must
    then lie between EXTERNAL_ATTEMPT_MAX_AGE_DAYS before it and
    EXTERNAL_ATTEMPT_CLOCK_SKEW_SECONDS after it. Without it (tests, backfills and
    simulations that replay a past ledger) the time is taken as given.
    """
    _check_choice("channel", channel, CHANNELS)
    _check_result(channel, result)
    if at is None or timezone.is_naive(at):
        raise _no_offset()
    if received_at is not None:
        _check_reported_time(at, received_at)
    if not source or not source.strip():
        raise ApplicationError(
            gettext("Say where the attempt was made."),
            errors={"source": [gettext("Required.")]},
        )
    kind = POINT_KIND_FOR_CHANNEL[channel]
    value = contact_value_normalize(
        kind, contact_value, region=customer.country or None, field="contact_point"
    )
    point = ContactPoint.objects.filter(
        customer=customer, channel=kind, value_hash=contact_hash(value)
    ).first()
    if point is None:
        message = gettext("%(value)s is not one of this customer's contact points.") % {
            "value": mask_contact(kind, value)
        }
        raise ApplicationError(message, errors={"contact_point": [message]})
    attempt = ContactAttempt(
        customer=customer,
        loan_id=_loan_id(loan, customer),
        contact_point=point,
        contact_value=value,
        third_party=point.is_third_party,
        channel=channel,
        at=at,
        allowed=True,
        result=result,
        completed_at=at,
        source=source.strip(),
        actor=actor,
    )
    history_save(attempt, reason=f"external attempt from {source}", user=actor)
    return attempt


def contact_attempt_record_inbound(
    *,
    customer_id: int,
    case_id: int | None,
    at: dt.datetime,
    source: str,
    loan_id: int | None = None,
) -> ContactAttempt:
    """Record a contact the customer made on the self-service page (issue 21): a visit
    with the identity confirmed, or something done there. It is in the ledger beside
    every contact we made, as allowed (it happened) and settled at once, with no
    decision of ours; its channel is not one the gate proposes, so no cap, cooldown
    or window counts it."""
    attempt = ContactAttempt(
        customer_id=customer_id,
        case_id=case_id,
        loan_id=loan_id,
        channel=SELF_SERVICE_CHANNEL,
        at=at,
        allowed=True,
        result=ContactAttempt.Result.INBOUND,
        completed_at=at,
        source=source,
    )
    history_save(attempt, reason=f"customer contact: {source}")
    return attempt


def _check_reported_time(at: dt.datetime, received_at: dt.datetime) -> None:
    """A reported attempt happened: not later than the report (give or take the
    reporter's clock), and recently enough to be a report, not a rewrite of history."""
    skew = dt.timedelta(seconds=settings.EXTERNAL_ATTEMPT_CLOCK_SKEW_SECONDS)
    days = settings.EXTERNAL_ATTEMPT_MAX_AGE_DAYS
    if at > received_at + skew:
        message = gettext("The attempt's time is in the future.")
    elif received_at - at > dt.timedelta(days=days):
        message = gettext(
            "The attempt is more than %(days)d days old; report attempts as they "
            "happen."
        ) % {"days": days}
    else:
        return
    raise ApplicationError(message, errors={"at": [message]})
