"""Amounts, dates and schedules, with the caches that make a large file cheap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import CENT, money_problem

from .columns import EARLIEST, LATEST, MAX_INSTALMENTS, ZERO

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
