"""Intake of customers and loans from core banking (the API and, later, imports).

Kept apart from cases/services.py, which owns payments, cases and plans: intake only
creates rows, each in one transaction, with a history row naming the acting user.
Bad input raises ApplicationError naming the field the way the API reports it
(`contact_points[1].value`, `instalments[0].amount`); a reused reference raises
ConflictError (409).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from core.history import history_save
from core.money import money_parse

from .models import ZERO, ContactPoint, Customer, Instalment, Loan
from .services import bucket_for, days_past_due
from .validators import contact_value_normalize

CURRENCY_RE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class ContactPointInput:
    channel: str
    value: str
    relationship: str = ContactPoint.Relationship.SELF
    consent: bool = True
    contact_name: str = ""


@dataclass(frozen=True)
class InstalmentInput:
    due_date: dt.date
    amount: Decimal


# The regions `phonenumbers` knows: the same list the phone validation uses, so every
# accepted country can also validate its customers' numbers.
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def country_normalize(value: str, *, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 code of COUNTRIES, upper-cased."""
    code = (value or "").strip().upper()
    if code not in COUNTRIES:
        message = _(
            "%(value)r is not an ISO 3166 alpha-2 country code (e.g. CN, US)."
        ) % {"value": value}
        raise ApplicationError(message, errors={field: [message]})
    return code


def time_zone_normalize(value: str, *, field: str = "time_zone") -> str:
    """An IANA zone name ("Asia/Shanghai"), or "" for "derive it"."""
    value = (value or "").strip()
    if value and value not in time_zones():
        message = _("%(value)r is not an IANA time zone (e.g. Asia/Shanghai).") % {
            "value": value
        }
        raise ApplicationError(message, errors={field: [message]})
    return value


def currency_normalize(value: str, *, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if not CURRENCY_RE.fullmatch(code):
        message = _("%(value)r is not an ISO 4217 currency code (e.g. CNY, USD).") % {
            "value": value
        }
        raise ApplicationError(message, errors={field: [message]})
    return code


def _positive_amount(value: Decimal, *, field: str) -> Decimal:
    if not isinstance(value, Decimal):
        message = _("%(value)r is not an amount of money.") % {"value": value}
        raise ApplicationError(message, errors={field: [message]})
    return money_parse(value, field=field)


def _raise_collected(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, errors=errors)


def customer_create(
    *,
    reference: str,
    full_name: str,
    country: str,
    time_zone: str = "",
    region: str = "",
    language: str = "",
    address: str = "",
    national_id: str = "",
    contact_points: list[ContactPointInput] | tuple[ContactPointInput, ...] = (),
    actor=None,
) -> Customer:
    """Create a customer with their contact points.

    Phones are normalised to E.164, numbers without a + read in the customer's
    country; emails are lower-cased in the domain. The first contact point of the
    customer's own per channel becomes the primary one. Every field is checked before
    anything is written, and all errors are reported together.
    """
    errors: dict[str, list[str]] = {}
    reference = (reference or "").strip()
    full_name = (full_name or "").strip()
    if not reference:
        errors["reference"] = [_("A reference is required.")]
    if not full_name:
        errors["full_name"] = [_("A name is required.")]

    def check(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ApplicationError as exc:
            errors.update(exc.errors or {"non_field_errors": [exc.message]})
            return None

    country = check(country_normalize, country) or ""
    time_zone = check(time_zone_normalize, time_zone) or ""
    language = (language or "").strip() or Customer.Language.ZH_HANS
    if language not in Customer.Language.values:
        errors["language"] = [
            _("Choose one of %(choices)s, not %(value)r.")
            % {"choices": ", ".join(Customer.Language.values), "value": language}
        ]

    points: list[ContactPoint] = []
    seen: dict[tuple[str, str], int] = {}
    primary_channels: set[str] = set()
    for index, item in enumerate(contact_points):
        prefix = f"contact_points[{index}]"
        if item.channel not in ContactPoint.Channel.values:
            errors[f"{prefix}.channel"] = [
                _("Choose one of %(choices)s.")
                % {"choices": ", ".join(ContactPoint.Channel.values)}
            ]
            continue
        if item.relationship not in ContactPoint.Relationship.values:
            errors[f"{prefix}.relationship"] = [
                _("Choose one of %(choices)s.")
                % {"choices": ", ".join(ContactPoint.Relationship.values)}
            ]
            continue
        value = check(
            contact_value_normalize,
            item.channel,
            item.value or "",
            region=country or None,
            field=f"{prefix}.value",
        )
        if value is None:
            continue
        if (item.channel, value) in seen:
            errors[f"{prefix}.value"] = [
                _("Same %(channel)s as contact_points[%(index)s].")
                % {"channel": item.channel, "index": seen[item.channel, value]}
            ]
            continue
        seen[item.channel, value] = index
        is_self = item.relationship == ContactPoint.Relationship.SELF
        primary = is_self and item.channel not in primary_channels
        if primary:
            primary_channels.add(item.channel)
        points.append(
            ContactPoint(
                channel=item.channel,
                value=value,
                relationship=item.relationship,
                contact_name=(item.contact_name or "").strip(),
                consent=item.consent,
                consent_at=timezone.now() if item.consent else None,
                is_primary=primary,
            )
        )
    _raise_collected(errors)

    if Customer.objects.filter(reference=reference).exists():
        raise _customer_conflict(reference)
    customer = Customer(
        reference=reference,
        full_name=full_name,
        country=country,
        time_zone=time_zone,
        region=(region or "").strip(),
        language=language,
        address=(address or "").strip(),
        national_id=(national_id or "").strip(),
    )
    try:
        with transaction.atomic():
            history_save(customer, reason="customer created", user=actor)
            for point in points:
                point.customer = customer
                history_save(point, reason="customer created", user=actor)
    except IntegrityError:
        # A concurrent request created the same reference between the check and here.
        if Customer.objects.filter(reference=reference).exists():
            raise _customer_conflict(reference) from None
        raise
    return customer


def _customer_conflict(reference: str) -> ConflictError:
    message = _("A customer with reference %(ref)s already exists.") % {
        "ref": reference
    }
    return ConflictError(message, code="duplicate", errors={"reference": [message]})


def loan_create(
    *,
    reference: str,
    customer: Customer,
    product: str,
    currency: str,
    principal: Decimal,
    instalments: list[InstalmentInput] | tuple[InstalmentInput, ...],
    opened_on: dt.date | None = None,
    actor=None,
    today: dt.date | None = None,
) -> Loan:
    """Create a loan with its repayment schedule.

    The outstanding balance is the schedule's total (what the customer has to pay);
    overdue amount, days past due and bucket are computed as of `today` from the
    instalments already due, so a loan imported in arrears is in arrears at once.
    Instalments are numbered in due-date order.
    """
    errors: dict[str, list[str]] = {}
    reference = (reference or "").strip()
    product = (product or "").strip()
    if not reference:
        errors["reference"] = [_("A reference is required.")]
    if not product:
        errors["product"] = [_("A product is required.")]
    try:
        currency = currency_normalize(currency)
    except ApplicationError as exc:
        errors.update(exc.errors)
    try:
        principal = _positive_amount(principal, field="principal")
    except ApplicationError as exc:
        errors.update(exc.errors)
    if not instalments:
        errors["instalments"] = [_("The schedule needs at least one instalment.")]
    for index, item in enumerate(instalments):
        if not isinstance(item.due_date, dt.date):
            errors[f"instalments[{index}].due_date"] = [_("A date is required.")]
        try:
            _positive_amount(item.amount, field=f"instalments[{index}].amount")
        except ApplicationError as exc:
            errors.update(exc.errors)
    _raise_collected(errors)

    if Loan.objects.filter(reference=reference).exists():
        raise _loan_conflict(reference)
    today = today or timezone.localdate()
    schedule = sorted(instalments, key=lambda item: item.due_date)
    overdue = [item for item in schedule if item.due_date < today]
    dpd = days_past_due(overdue[0].due_date if overdue else None, today)
    loan = Loan(
        reference=reference,
        customer=customer,
        product=product,
        currency=currency,
        principal=principal,
        outstanding_balance=sum((item.amount for item in schedule), ZERO),
        overdue_amount=sum((item.amount for item in overdue), ZERO),
        days_past_due=dpd,
        bucket=bucket_for(dpd),
        opened_on=opened_on,
    )
    try:
        with transaction.atomic():
            history_save(loan, reason="loan created", user=actor)
            for sequence, item in enumerate(schedule, start=1):
                history_save(
                    Instalment(
                        loan=loan,
                        sequence=sequence,
                        due_date=item.due_date,
                        amount_due=item.amount,
                    ),
                    reason="loan created",
                    user=actor,
                )
    except IntegrityError:
        if Loan.objects.filter(reference=reference).exists():
            raise _loan_conflict(reference) from None
        raise
    return loan


def _loan_conflict(reference: str) -> ConflictError:
    message = _("A loan with reference %(ref)s already exists.") % {"ref": reference}
    return ConflictError(message, code="duplicate", errors={"reference": [message]})
