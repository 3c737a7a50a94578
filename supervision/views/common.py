"""What the supervisor's pages share: who may open them, and CSV answers."""

from __future__ import annotations

from core.csv import csv_response
from core.roles import Role

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)

# Every export is written by core.csv, which neutralises spreadsheet formulas.
__all__ = ["SUPERVISORS", "csv_response"]
