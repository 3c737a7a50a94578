"""Holiday overrides: a country's day marked as a holiday (or as a working day) over
the shipped calendar, which the holiday blackout rule reads."""

from __future__ import annotations

from django.db import transaction

from core.history import history_save

from ..models import HolidayOverride


def holiday_save(
    *, country: str, date, is_holiday: bool, name: str = "", user=None
) -> HolidayOverride:
    """Mark `date` in `country` as a holiday (or a working day) over the shipped
    calendar; a second save for the same day changes the same row."""
    with transaction.atomic():
        row = HolidayOverride.objects.filter(country=country, date=date).first()
        row = row or HolidayOverride(country=country, date=date)
        row.is_holiday, row.name = is_holiday, name
        history_save(row, reason="edited in configuration", user=user)
    return row
