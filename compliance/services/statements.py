"""What the customer said about being contacted, recorded as gate inputs: prior
consent to calls ("call me back on Monday", Reg F §1006.14(b)(3)(i)) and inconvenient
times and places (Reg F §1006.6(b)(1)(i)-(ii), (b)(3); cn "unless agreed with the
debtor"; CONC 7.9.4R).

One function per action, for every interface: the guided call and the case page
(`source="collector"`), the API (`"api"`) and the debtor's self-service page
(`"customer_self_service"`). Rows are never edited or deleted: a statement is revoked
once (who, when, why) and a new one recorded; history keeps each version with the
acting user and the reason.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, ContactPoint, Customer, Loan
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_note, history_save

from ..models import (
    PREFERRED_CHANNELS,
    ContactPreference,
    PriorConsent,
    StatementSource,
)
from .rule_packs import pack_compiled_for

# A consent may not cover calls placed before it was given; a clock a little behind
# the server's (a form filled a minute ago) is not a retroactive consent.
_CLOCK_SKEW = dt.timedelta(minutes=5)
_MIDNIGHT = dt.time(0)

Kind = ContactPreference.Kind


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)


def _common_errors(
    *, customer: Customer, reason: str, source: str, case=None, loan=None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if source not in StatementSource.values:
        errors["source"] = [f"Choose one of {', '.join(StatementSource.values)}."]
    if not (reason or "").strip():
        errors["reason"] = ["Say what the customer said."]
    if case is not None and case.customer_id != customer.pk:
        errors["case"] = [f"Case {case.reference} is not this customer's."]
    if loan is not None and loan.customer_id != customer.pk:
        errors["loan"] = [f"Loan {loan.reference} is not this customer's."]
    return errors


def _aware_errors(**values: dt.datetime | None) -> dict[str, list[str]]:
    return {
        name: ["Give a date, time and UTC offset."]
        for name, value in values.items()
        if value is not None and timezone.is_naive(value)
    }


def customer_zone(customer: Customer) -> ZoneInfo:
    """The customer's own calendar: their stated zone, else their pack's."""
    if customer.time_zone:
        try:
            return ZoneInfo(customer.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return pack_compiled_for(customer).zone


# --- prior consent -------------------------------------------------------------------


def prior_consent_record(
    *,
    customer: Customer,
    starts_at: dt.datetime | None,
    reason: str,
    source: str,
    actor=None,
    ends_at: dt.datetime | None = None,
    case: Case | None = None,
    loan: Loan | None = None,
    evidence: str = "",
) -> PriorConsent:
    """Record the customer's prior consent to be called from `starts_at` (default
    now) until `ends_at` (default: the end of that day in the customer's calendar, or
    the end of the longest period allowed if sooner).

    The period may reach at most the pack's `max_days` (7) after the consent is
    given (§1006.14(b)(3)(i): "within a period of no more than seven consecutive
    days"), and may not start before it is given. Scoped to `loan`, else to every
    debt of the case. Under packs that count no calls per debt (cn, uk) the consent
    is recorded and shown but lifts nothing (decision 38).
    """
    now = timezone.now()
    starts_at = starts_at or now
    errors = _common_errors(
        customer=customer, reason=reason, source=source, case=case, loan=loan
    )
    errors.update(_aware_errors(starts_at=starts_at, ends_at=ends_at))
    if not errors.get("starts_at") and starts_at < now - _CLOCK_SKEW:
        errors["starts_at"] = ["A consent covers calls from now on, not past ones."]
    if not errors.get("starts_at") and not errors.get("ends_at"):
        max_days = pack_compiled_for(customer).consent_max_days
        if ends_at is None:
            zone = customer_zone(customer)
            day = starts_at.astimezone(zone).date() + dt.timedelta(days=1)
            ends_at = min(
                dt.datetime(day.year, day.month, day.day, tzinfo=zone),
                now + dt.timedelta(days=max_days),
            )
        if ends_at <= starts_at:
            errors["ends_at"] = ["The end must be after the start."]
        elif ends_at > now + dt.timedelta(days=max_days):
            errors["ends_at"] = [
                f"Prior consent lasts at most {max_days} days from when it is given."
            ]
    _raise(errors)
    consent = PriorConsent(
        customer=customer,
        case=case,
        loan=loan,
        given_at=now,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        evidence=(evidence or "").strip()[:100],
        source=source,
        recorded_by=actor,
    )
    history_save(
        consent, reason=change_reason("prior consent recorded", reason), user=actor
    )
    return consent


def prior_consent_revoke(
    *, consent: PriorConsent, reason: str, actor=None, at: dt.datetime | None = None
) -> PriorConsent:
    """The customer withdrew the consent (or it was recorded in error): it covers no
    call from `at` (default now). Once only; a consent already over is refused."""
    reason = (reason or "").strip()
    if not reason:
        message = "Say why the consent is revoked."
        raise ApplicationError(message, errors={"reason": [message]})
    at = at or timezone.now()
    with transaction.atomic():
        consent = PriorConsent.objects.select_for_update().get(pk=consent.pk)
        if consent.revoked_at is not None:
            message = "This consent is already revoked."
            raise ConflictError(
                message, code="already_revoked", errors={"revoked_at": [message]}
            )
        if consent.ends_at <= at:
            message = "This consent has already ended."
            raise ConflictError(
                message, code="already_ended", errors={"ends_at": [message]}
            )
        consent.revoked_at = at
        consent.revoked_by = actor
        consent.revoke_reason = reason
        history_save(
            consent,
            reason=change_reason("prior consent revoked", reason),
            user=actor,
            update_fields=["revoked_at", "revoked_by", "revoke_reason"],
        )
    return consent


# --- inconvenient times and places ---------------------------------------------------

# The contact point usage a place statement marks, and the kinds it may mark.
_PLACE_USAGE = {Kind.NOT_AT_WORK: "work", Kind.NOT_AT_HOME: "home"}
_PLACE_POINT_KINDS = {
    Kind.NOT_AT_WORK: ("phone", "email", "address"),
    Kind.NOT_AT_HOME: ("phone", "address"),
}


_HOURS = (Kind.INCONVENIENT_HOURS, Kind.PREFERRED_HOURS)


def _preference_errors(
    *, kind: str, weekday: int | None, start_time, end_time, channel: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        return {"kind": [f"Choose one of {', '.join(Kind.values)}, not {kind!r}."]}
    channels = [value for value, _label in PREFERRED_CHANNELS]
    if kind == Kind.PREFERRED_CHANNEL:
        if channel not in channels:
            errors["channel"] = [f"Choose one of {', '.join(channels)}."]
    elif channel:
        errors["channel"] = ["Only a preferred channel names a channel."]
    if weekday is not None and (
        isinstance(weekday, bool)
        or not isinstance(weekday, int)
        or not 0 <= weekday <= 6
    ):
        errors["weekday"] = ["Give a weekday from 0 (Monday) to 6 (Sunday)."]
    if kind in _HOURS:
        if start_time is None:
            errors["start_time"] = ["Give the time the hours start."]
        if end_time is None:
            errors["end_time"] = ["Give the time they end (00:00 for midnight)."]
        if start_time is not None and end_time is not None:
            if end_time != _MIDNIGHT and end_time <= start_time:
                errors["end_time"] = [
                    "The end must be after the start (00:00 for midnight); record "
                    "hours past midnight as two statements."
                ]
    else:
        for name, value in (("start_time", start_time), ("end_time", end_time)):
            if value is not None:
                errors[name] = ["Only hours have times."]
        if kind == Kind.INCONVENIENT_DAY and weekday is None:
            errors.setdefault("weekday", ["Say which day is inconvenient."])
        if kind in _PLACE_USAGE and weekday is not None:
            errors.setdefault("weekday", ["A place statement has no weekday."])
        if kind == Kind.PREFERRED_CHANNEL and weekday is not None:
            errors.setdefault("weekday", ["A preferred channel has no weekday."])
    return errors


def contact_preference_record(
    *,
    customer: Customer,
    kind: str,
    reason: str,
    source: str,
    actor=None,
    weekday: int | None = None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    contact_point: ContactPoint | None = None,
    channel: str = "",
) -> ContactPreference:
    """Record a time or place the customer said is inconvenient, or the hours and
    channel that suit them; the gate applies the times and places at once, in every
    pack, and the sweep the channel.

    Hours are the customer's local clock on `weekday` (or every day), an end of
    00:00 meaning midnight; a day is a whole weekday. Convenient hours
    (`preferred_hours`) make the rest of that day inconvenient. "Not at work" and
    "not at home" may name the contact point they concern (the work number, the home
    landline or address), which is then marked as such, so the gate knows it for
    every later contact. A preferred channel ends the one stated before it.
    """
    now = timezone.now()
    starts_at = starts_at or now
    errors = _common_errors(customer=customer, reason=reason, source=source)
    errors.update(
        _preference_errors(
            kind=kind,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            channel=channel,
        )
    )
    errors.update(_aware_errors(starts_at=starts_at, ends_at=ends_at))
    if ends_at is not None and not errors.get("ends_at") and ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start."]
    if contact_point is not None:
        if contact_point.customer_id != customer.pk or contact_point.is_third_party:
            errors["contact_point"] = ["Name one of the customer's own contact points."]
        elif kind not in _PLACE_USAGE:
            errors["contact_point"] = ["Only a place statement names a contact point."]
        elif contact_point.channel not in _PLACE_POINT_KINDS[kind]:
            errors["contact_point"] = [
                f"A {contact_point.channel} cannot be a home for this statement."
            ]
    _raise(errors)
    preference = ContactPreference(
        customer=customer,
        kind=kind,
        channel=channel,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        source=source,
        recorded_by=actor,
    )
    with transaction.atomic():
        if kind == Kind.PREFERRED_CHANNEL:
            _preferred_channel_supersede(customer, at=starts_at, actor=actor)
        history_save(
            preference,
            reason=change_reason(f"customer statement recorded ({kind})", reason),
            user=actor,
        )
        if contact_point is not None:
            usage = _PLACE_USAGE[kind]
            if contact_point.usage != usage:
                contact_point.usage = usage
                history_save(
                    contact_point,
                    reason=change_reason(f"marked as {usage}", reason),
                    user=actor,
                    update_fields=["usage"],
                )
    return preference


def _preferred_channel_supersede(customer, *, at: dt.datetime, actor) -> None:
    """A customer prefers one channel at a time: the one in force ends when another
    is stated (its revocation says so, in its history)."""
    in_force = ContactPreference.objects.select_for_update().filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at),
        customer=customer,
        kind=Kind.PREFERRED_CHANNEL,
        revoked_at__isnull=True,
    )
    for earlier in in_force:
        earlier.revoked_at = max(at, earlier.starts_at)
        earlier.revoked_by = actor
        earlier.revoke_reason = "Superseded by a later preferred channel."
        history_note(
            earlier,
            reason=change_reason("customer statement revoked", earlier.revoke_reason),
            user=actor,
        )
        earlier.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])


def contact_preference_revoke(
    *,
    preference: ContactPreference,
    reason: str,
    actor=None,
    at: dt.datetime | None = None,
) -> ContactPreference:
    """The customer no longer finds that time or place inconvenient (or it was
    recorded in error): it blocks nothing from `at` (default now). Once only."""
    reason = (reason or "").strip()
    if not reason:
        message = "Say why the statement is revoked."
        raise ApplicationError(message, errors={"reason": [message]})
    at = at or timezone.now()
    with transaction.atomic():
        preference = ContactPreference.objects.select_for_update().get(pk=preference.pk)
        if preference.revoked_at is not None:
            message = "This statement is already revoked."
            raise ConflictError(
                message, code="already_revoked", errors={"revoked_at": [message]}
            )
        if preference.ends_at is not None and preference.ends_at <= at:
            message = "This statement has already ended."
            raise ConflictError(
                message, code="already_ended", errors={"ends_at": [message]}
            )
        preference.revoked_at = at
        preference.revoked_by = actor
        preference.revoke_reason = reason
        history_note(
            preference,
            reason=change_reason("customer statement revoked", reason),
            user=actor,
        )
        preference.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return preference
