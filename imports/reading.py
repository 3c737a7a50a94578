"""Reading import files: UTF-8 CSV with a header row, streamed record by record.

Row numbers count records the way a spreadsheet shows them: the header is row 1,
the first data row is row 2 (a quoted value spanning lines is still one row).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _

# Errors kept in the report (and in ImportRun.errors); the total is always counted.
ERRORS_KEPT = 1000
PROGRESS_EVERY = 50_000

csv.field_size_limit(1_000_000)


class FileError(Exception):
    """The file as a whole cannot be read: not UTF-8, no header, missing columns."""

    def __init__(self, message: str, *, row: int | None = None, field: str = "file"):
        super().__init__(message)
        self.message = message
        self.row = row
        self.field = field


@dataclass(frozen=True)
class RowError:
    row: int | None
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ErrorLog:
    """Row errors in file order, the first ERRORS_KEPT kept, all counted."""

    columns: tuple[str, ...]
    kept: list[RowError] = field(default_factory=list)
    total: int = 0
    rows_rejected: int = 0

    def add(self, error: RowError, *, counted: bool = False) -> None:
        if not counted:
            self.total += 1
        if len(self.kept) < ERRORS_KEPT * 2:
            self.kept.append(error)

    def add_row(self, row: int, errors: list[tuple[str, str]]) -> None:
        """All errors of one rejected row."""
        self.rows_rejected += 1
        for name, message in errors:
            self.add(RowError(row, name, message))

    def sort_key(self, error: RowError):
        base = error.field.split("[", 1)[0].split(".", 1)[0]
        try:
            position = self.columns.index(base)
        except ValueError:
            position = len(self.columns)
        return (error.row or 0, position, error.field, error.message)

    def report(self) -> list[dict]:
        # Sorted by row, then by column order, so every import path reports the same
        # first ERRORS_KEPT errors whichever order it found them in.
        return [e.as_dict() for e in sorted(self.kept, key=self.sort_key)][:ERRORS_KEPT]


def file_digest(file: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of the file, read in chunks; the file is rewound."""
    file.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := file.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Columns:
    """The columns a file kind accepts, in documentation order."""

    names: tuple[str, ...]
    required: frozenset[str]


def csv_records(
    file: BinaryIO,
    columns: Columns,
    *,
    errors: ErrorLog,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, values in `columns.names` order) for each data row.

    Values are stripped; a column absent from the header reads as "". Rows with the
    wrong number of fields, or a NUL character, are reported in `errors` and skipped;
    blank lines are skipped. Raises FileError for an unreadable file or header.
    """
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", errors="strict")
    reader = csv.reader(text)
    row = 1
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise FileError(_("The file is empty; it needs a header row.")) from None
        names = [name.strip().lower() for name in header]
        unknown = [n for n in names if n not in columns.names]
        if unknown:
            raise FileError(
                _("Unknown column(s): %(columns)s. The columns are: %(known)s.")
                % {"columns": ", ".join(unknown), "known": ", ".join(columns.names)},
                row=1,
            )
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise FileError(
                _("Column(s) appear twice: %(columns)s.")
                % {"columns": ", ".join(repeated)},
                row=1,
            )
        missing = [n for n in columns.names if n in columns.required and n not in names]
        if missing:
            raise FileError(
                _("Missing required column(s): %(columns)s.")
                % {"columns": ", ".join(missing)},
                row=1,
            )
        positions = [names.index(n) if n in names else None for n in columns.names]
        width = len(names)
        identity = positions == list(range(len(columns.names)))
        for record in reader:
            row += 1
            if progress is not None and row % PROGRESS_EVERY == 0:
                progress(row - 1)
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != width:
                message = _("The row has %(got)s fields; the header has %(want)s.") % {
                    "got": len(record),
                    "want": width,
                }
                errors.add_row(row, [("row", message)])
                continue
            if "\x00" in "".join(record):
                errors.add_row(row, [("row", _("The row contains a NUL character."))])
                continue
            if identity:
                yield row, list(map(str.strip, record))
            else:
                yield (
                    row,
                    [record[p].strip() if p is not None else "" for p in positions],
                )
    except UnicodeDecodeError:
        raise FileError(
            _("The file is not UTF-8 text (near row %(row)s). Save it as CSV UTF-8.")
            % {"row": row + 1},
            row=row + 1,
        ) from None
    except csv.Error as exc:
        raise FileError(
            _("Row %(row)s is not valid CSV: %(error)s") % {"row": row, "error": exc},
            row=row,
        ) from None
    finally:
        # Leave the caller's file open (the TextIOWrapper would close it).
        text.detach()
    if progress is not None:
        progress(row - 1)
