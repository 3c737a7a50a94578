"""Field checks for one CSV row, shared by every import path.

Each parser takes the row's stripped values in column order and returns either the
normalised row or the list of (field, message) errors; nothing here touches the
database, so the PostgreSQL COPY path and the row-by-row path accept exactly the same
rows and normalise them to exactly the same values. Checks that need other rows or the
database (duplicate keys, a loan that belongs to another customer) are the paths' own
business (imports/portfolio/, imports/payments.py).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import ContactPoint, Customer
from cases.services_intake import CURRENCY_RE
from cases.validators import email_normalize
from core.errors import ApplicationError
from core.money import CENT, money_problem

from .phones import phone_normalize_fast
from .reading import Columns

ZERO = Decimal("0.00")
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2099, 12, 31)
MAX_INSTALMENTS = 600

PORTFOLIO_COLUMNS = Columns(
    names=(
        "customer_reference",
        "customer_name",
        "national_id",
        "language",
        "country",
        "region",
        "time_zone",
        "address",
        "mobile",
        "email",
        "contact_name",
        "contact_relationship",
        "contact_phone",
        "loan_reference",
        "product",
        "currency",
        "principal",
        "outstanding_balance",
        "opened_on",
        "schedule",
    ),
    required=frozenset(
        {
            "customer_reference",
            "customer_name",
            "loan_reference",
            "product",
            "currency",
            "principal",
            "schedule",
        }
    ),
)

PAYMENT_COLUMNS = Columns(
    names=("reference", "loan_reference", "amount", "currency", "received_at"),
    required=frozenset(
        {"reference", "loan_reference", "amount", "currency", "received_at"}
    ),
)

# Customer fields that must agree on every row of the same customer.
CUSTOMER_FIELDS = (
    "customer_name",
    "national_id",
    "language",
    "country",
    "region",
    "time_zone",
    "address",
)
THIRD_PARTY = tuple(
    r for r in ContactPoint.Relationship.values if r != ContactPoint.Relationship.SELF
)
LANGUAGES = frozenset(Customer.Language.values)
MAX_LENGTHS = {
    "customer_reference": 64,
    "customer_name": 200,
    "national_id": 64,
    "region": 32,
    "loan_reference": 64,
    "product": 50,
    "contact_name": 200,
    "email": 320,
}


@lru_cache(maxsize=65536)
def _email(value: str) -> str:
    # Django's validator costs ~20 µs; a customer's rows repeat their address.
    return email_normalize(value, field="email")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def _countries() -> frozenset[str]:
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


# Parsed amounts and dates by their exact text, valid ones only. A portfolio file
# repeats the same few thousand due dates and instalment amounts on every loan, and a
# lookup costs a tenth of parsing; the caches are bounded, so memory stays flat.
_MONEY_CACHE: dict[str, Decimal] = {}
_DATE_CACHE: dict[str, dt.date] = {}
CACHE_SIZE = 100_000


def parse_caches_clear() -> None:
    """Forget the cached amounts and dates (after a file, so a long-running web
    process does not keep them)."""
    _MONEY_CACHE.clear()
    _DATE_CACHE.clear()


# The translated messages for core.money's problems (a file's report is shown to
# the admin who uploaded it, in their language).
_MONEY_MESSAGES = {
    "not_money": gettext_lazy("%(value)r is not an amount."),
    "places": gettext_lazy("Amounts have at most two decimal places."),
    "negative": gettext_lazy("The amount cannot be negative."),
    "not_positive": gettext_lazy("The amount must be greater than zero."),
    "too_large": gettext_lazy("The amount is too large."),
}


def money(text: str, *, field: str, errors: list, allow_zero: bool = False):
    """A Decimal amount with at most two decimals, or None after adding an error."""
    amount = _MONEY_CACHE.get(text)
    if amount is not None and (amount or allow_zero):
        return amount
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        errors.append((field, _("%(value)r is not an amount.") % {"value": text}))
        return None
    problem = money_problem(amount, allow_zero=allow_zero)
    if problem is not None:
        errors.append((field, _MONEY_MESSAGES[problem] % {"value": text}))
        return None
    amount = amount.quantize(CENT)
    if len(_MONEY_CACHE) < CACHE_SIZE:
        _MONEY_CACHE[text] = amount
    return amount


def date_parse(text: str, *, field: str, errors: list):
    value = _DATE_CACHE.get(text)
    if value is not None:
        return value
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if EARLIEST <= value <= LATEST:
                if len(_DATE_CACHE) < CACHE_SIZE:
                    _DATE_CACHE[text] = value
                return value
            errors.append(
                (field, _("Dates must be between 1970-01-01 and 2099-12-31."))
            )
            return None
    errors.append((field, _("%(value)r is not a date (YYYY-MM-DD).") % {"value": text}))
    return None


def _schedule_fast(text: str):
    """The schedule when every entry is a cached valid date and amounts without
    surrounding blanks (what core banking writes); None sends it to the full
    parser, which gives the same answer for these and reports everything else."""
    entries = text.split(";")
    if len(entries) > MAX_INSTALMENTS:
        return None
    schedule = []
    dates, amounts = _DATE_CACHE, _MONEY_CACHE
    for entry in entries:
        parts = entry.split(":")
        if len(parts) == 2:
            due = dates.get(parts[0])
            amount = amounts.get(parts[1])
            paid = ZERO
        elif len(parts) == 3:
            due = dates.get(parts[0])
            amount = amounts.get(parts[1])
            paid = amounts.get(parts[2])
        else:
            return None
        # A cached amount is valid and >= 0; the amount due must also be > 0.
        if due is None or not amount or paid is None or paid > amount:
            return None
        schedule.append((due, amount, paid))
    schedule.sort(key=_due)
    return tuple(schedule)


def _schedule_parse(text: str, errors: list):
    """`due_date:amount_due[:amount_paid]` entries separated by `;`, sorted by due
    date (stable, so equal dates keep the file's order)."""
    fast = _schedule_fast(text)
    if fast is not None:
        return fast
    schedule = []
    count = len(errors)
    index = -1
    for raw in text.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        index += 1
        if index >= MAX_INSTALMENTS:
            errors.append(
                ("schedule", _("At most %(n)s instalments.") % {"n": MAX_INSTALMENTS})
            )
            return None
        parts = entry.split(":")
        if len(parts) == 2:
            due_text, amount_text = parts
            paid_text = ""
        elif len(parts) == 3:
            due_text, amount_text, paid_text = parts
        else:
            errors.append(
                (
                    f"schedule[{index}]",
                    _(
                        "%(value)r is not due_date:amount_due or "
                        "due_date:amount_due:amount_paid."
                    )
                    % {"value": entry},
                )
            )
            continue
        prefix = f"schedule[{index}]"
        due = date_parse(due_text.strip(), field=f"{prefix}.due_date", errors=errors)
        amount = money(amount_text.strip(), field=f"{prefix}.amount_due", errors=errors)
        paid = ZERO
        paid_text = paid_text.strip()
        if paid_text:
            paid = money(
                paid_text,
                field=f"{prefix}.amount_paid",
                errors=errors,
                allow_zero=True,
            )
        if due is None or amount is None or paid is None:
            continue
        if paid > amount:
            errors.append(
                (
                    f"{prefix}.amount_paid",
                    _("The amount paid cannot exceed the amount due."),
                )
            )
            continue
        schedule.append((due, amount, paid))
    if index < 0:
        errors.append(("schedule", _("The schedule needs at least one instalment.")))
        return None
    if len(errors) > count:
        return None
    schedule.sort(key=_due)
    return tuple(schedule)


def _due(entry):
    return entry[0]


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
    if country not in _countries():
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
    if time_zone and time_zone not in _time_zones():
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
