"""One row's checks: a portfolio row and a payments row, normalised or refused
field by field."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils.translation import gettext as _

from cases.models import Customer
from cases.services_intake import COUNTRIES, CURRENCY_RE, time_zones
from cases.validators import email_normalize
from core.errors import ApplicationError

from ..phones import phone_normalize_fast
from .columns import (
    EARLIEST,
    LANGUAGES,
    LATEST,
    MAX_LENGTHS,
    PORTFOLIO_COLUMNS,
    THIRD_PARTY,
)
from .values import _schedule_parse, date_parse, money


@lru_cache(maxsize=65536)
def _email(value: str) -> str:
    # Django's validator costs ~20 µs; a customer's rows repeat their address.
    return email_normalize(value, field="email")


def _phone(value: str, *, field: str, region: str, errors: list) -> str:
    try:
        return phone_normalize_fast(value, region)
    except ApplicationError:
        errors.append(
            (field, _("%(value)r is not a valid phone number.") % {"value": value})
        )
        return ""


_REQUIRED = ("customer_reference", "customer_name", "loan_reference", "product")
_POSITIONS = {name: i for i, name in enumerate(PORTFOLIO_COLUMNS.names)}


def _presence_check(values: list[str], errors: list) -> None:
    """Required values present and lengths within MAX_LENGTHS."""
    for name in _REQUIRED:
        if not values[_POSITIONS[name]]:
            errors.append((name, _("A value is required.")))
    for name, limit in MAX_LENGTHS.items():
        if len(values[_POSITIONS[name]]) > limit:
            errors.append((name, _("At most %(n)s characters.") % {"n": limit}))


def portfolio_row_parse(values: list[str]):
    """(normalised row, []) or (None, [(field, message), ...]).

    The normalised row is a tuple in PORTFOLIO_COLUMNS order, with the schedule as a
    tuple of (due_date, amount_due, amount_paid) in due-date order, phones in E.164,
    and None for an absent outstanding balance (derived from the stored schedule
    once it is written).
    """
    (
        customer_reference,
        customer_name,
        national_id,
        language,
        country,
        region,
        time_zone,
        address,
        mobile,
        email,
        contact_name,
        contact_relationship,
        contact_phone,
        loan_reference,
        product,
        currency,
        principal,
        outstanding,
        opened_on,
        schedule,
    ) = values
    errors: list[tuple[str, str]] = []
    # One test for the usual row (every required value present, none too long),
    # the itemised checks only when it fails: this runs a million times a file.
    if not (
        0 < len(customer_reference) <= 64
        and 0 < len(customer_name) <= 200
        and 0 < len(loan_reference) <= 64
        and 0 < len(product) <= 50
        and len(national_id) <= 64
        and len(region) <= 32
        and len(contact_name) <= 200
        and len(email) <= 320
    ):
        _presence_check(values, errors)
    language = language.lower().replace("_", "-") or Customer.Language.ZH_HANS
    if language not in LANGUAGES:
        errors.append(
            (
                "language",
                _("Choose one of %(choices)s, not %(value)r.")
                % {"choices": ", ".join(sorted(LANGUAGES)), "value": language},
            )
        )
    country = country.upper() or "CN"
    if country not in COUNTRIES:
        errors.append(
            (
                "country",
                _("%(value)r is not an ISO 3166 alpha-2 country code (e.g. CN, US).")
                % {"value": country},
            )
        )
        region_for_phones = ""
    else:
        region_for_phones = country
    if time_zone and time_zone not in time_zones():
        errors.append(
            (
                "time_zone",
                _("%(value)r is not an IANA time zone (e.g. Asia/Shanghai).")
                % {"value": time_zone},
            )
        )
    if mobile:
        mobile = _phone(mobile, field="mobile", region=region_for_phones, errors=errors)
    if email:
        try:
            email = _email(email)
        except ApplicationError:
            errors.append(
                (
                    "email",
                    _("%(value)r is not a valid email address.") % {"value": email},
                )
            )
    if contact_phone:
        contact_phone = _phone(
            contact_phone,
            field="contact_phone",
            region=region_for_phones,
            errors=errors,
        )
        relationship = contact_relationship.lower()
        if relationship not in THIRD_PARTY:
            errors.append(
                (
                    "contact_relationship",
                    _("Choose one of %(choices)s.")
                    % {"choices": ", ".join(THIRD_PARTY)},
                )
            )
        contact_relationship = relationship
        if contact_phone and contact_phone == mobile:
            errors.append(
                ("contact_phone", _("The same number as the customer's mobile."))
            )
    elif contact_name or contact_relationship:
        errors.append(
            (
                "contact_phone",
                _("Required when contact_name or contact_relationship is given."),
            )
        )
    currency_code = currency.upper()
    if not CURRENCY_RE.fullmatch(currency_code):
        errors.append(
            (
                "currency",
                _("%(value)r is not an ISO 4217 currency code (e.g. CNY, USD).")
                % {"value": currency},
            )
        )
    principal_amount = money(principal, field="principal", errors=errors)
    balance = None
    if outstanding:
        balance = money(
            outstanding, field="outstanding_balance", errors=errors, allow_zero=True
        )
    opened = None
    if opened_on:
        opened = date_parse(opened_on, field="opened_on", errors=errors)
    entries = _schedule_parse(schedule, errors) if schedule else None
    if not schedule:
        errors.append(("schedule", _("A value is required.")))
    if errors:
        return None, errors
    return (
        customer_reference,
        customer_name,
        national_id,
        language,
        country,
        region,
        time_zone,
        address,
        mobile,
        email,
        contact_name if contact_phone else "",
        contact_relationship if contact_phone else "",
        contact_phone,
        loan_reference,
        product,
        currency_code,
        principal_amount,
        balance,
        opened,
        entries,
    ), []


def payment_row_parse(values: list[str]):
    """(normalised row, []) or (None, errors): (reference, loan_reference, amount,
    currency, received_at as an aware datetime)."""
    reference, loan_reference, amount, currency, received_at = values
    errors: list[tuple[str, str]] = []
    for name, value in (("reference", reference), ("loan_reference", loan_reference)):
        if not value:
            errors.append((name, _("A value is required.")))
        elif len(value) > 64:
            errors.append((name, _("At most %(n)s characters.") % {"n": 64}))
    parsed_amount = money(amount, field="amount", errors=errors)
    currency_code = currency.upper()
    if not CURRENCY_RE.fullmatch(currency_code):
        errors.append(
            (
                "currency",
                _("%(value)r is not an ISO 4217 currency code (e.g. CNY, USD).")
                % {"value": currency},
            )
        )
    when = None
    try:
        when = dt.datetime.fromisoformat(received_at) if received_at else None
    except ValueError:
        pass
    if when is None or when.tzinfo is None:
        errors.append(
            (
                "received_at",
                _(
                    "%(value)r is not a date and time with a UTC offset "
                    "(e.g. 2026-03-01T10:00:00+08:00)."
                )
                % {"value": received_at},
            )
        )
    elif not EARLIEST.year <= when.year <= LATEST.year:
        errors.append(
            ("received_at", _("Dates must be between 1970-01-01 and 2099-12-31."))
        )
    if errors:
        return None, errors
    return (reference, loan_reference, parsed_amount, currency_code, when), []
