"""Field checks for one CSV row, shared by every import path.

Each parser takes the row's stripped values in column order and returns either the
normalised row or the list of (field, message) errors; nothing here touches the
database, so the PostgreSQL COPY path and the row-by-row path accept exactly the same
rows and normalise them to exactly the same values. Checks that need other rows or the
database (duplicate keys, a loan that belongs to another customer) are the paths' own
business (imports/portfolio/, imports/payments.py).

A package (DESIGN.md section 2, past ~500 lines): columns, values (amounts, dates,
schedules and their caches) and rows (the row parsers).
"""

from .columns import (
    CUSTOMER_FIELDS,
    EARLIEST,
    LANGUAGES,
    LATEST,
    MAX_INSTALMENTS,
    MAX_LENGTHS,
    PAYMENT_COLUMNS,
    PORTFOLIO_COLUMNS,
    THIRD_PARTY,
)
from .rows import payment_row_parse, portfolio_row_parse
from .values import CACHE_SIZE, date_parse, money, parse_caches_clear

__all__ = [
    "CACHE_SIZE",
    "CUSTOMER_FIELDS",
    "EARLIEST",
    "LANGUAGES",
    "LATEST",
    "MAX_INSTALMENTS",
    "MAX_LENGTHS",
    "PAYMENT_COLUMNS",
    "PORTFOLIO_COLUMNS",
    "THIRD_PARTY",
    "date_parse",
    "money",
    "parse_caches_clear",
    "payment_row_parse",
    "portfolio_row_parse",
]
