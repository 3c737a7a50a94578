"""CSV answers that a spreadsheet cannot turn into formulas.

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
programs skip before reading the rest as a formula) is run as a formula by Excel,
LibreOffice and Google Sheets: a collector named `=HYPERLINK("https://evil", "x")`
in a supervisor's export becomes a link, or worse. Every text cell goes through
`csv_cell`, which puts a `'` in front of such a value (OWASP's advice): the cell
shows the text as typed and is never evaluated. Plain numbers (`-12.50`) are left
as they are, so figures stay figures.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value):
    """`value` safe for a spreadsheet: text that would start a formula gets a `'`
    in front; numbers, None and other text are returned unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_row(row: Iterable) -> list:
    return [csv_cell(value) for value in row]


def csv_response(filename: str, header: list[str], rows: Iterable) -> HttpResponse:
    """A CSV download: UTF-8 with a BOM (so spreadsheet programs read Chinese names
    right), every cell through `csv_cell`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(csv_row(header))
    for row in rows:
        writer.writerow(csv_row(row))
    return response
