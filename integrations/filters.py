"""The API's filter backend: django-filter, with values PostgreSQL can take.

Found by the schemathesis run on PostgreSQL: a date-time filter with a UTC offset
beyond ±15:59 (valid ISO 8601, accepted by Python) made PostgreSQL refuse the query,
a 500. Every date-time filter value is turned into UTC here, and one too far out to
be a date (year 1 at +14:00) is a 400 naming the parameter.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from core.api_types import filterset_type_errors


def _utc(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    return value


def _parameter_names(filterset, name: str) -> list[str]:
    """The query parameters behind filter `name` (a range has two: _after, _before)."""
    widget = filterset.form.fields[name].widget
    suffixes = getattr(widget, "suffixes", None)
    return [f"{name}_{s}" if s else name for s in suffixes] if suffixes else [name]


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        # Strict types first (core.api_types): `?active=null` or `?start=` must be a
        # 400, not a list filtered by nothing.
        if type_errors := filterset_type_errors(filterset):
            raise ValidationError(type_errors)
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        cleaned = filterset.form.cleaned_data
        errors = {}
        message = _("This date and time is out of range.")
        for name, value in cleaned.items():
            ends = [value.start, value.stop] if isinstance(value, slice) else [value]
            converted = []
            for param, end in zip(
                _parameter_names(filterset, name), ends, strict=False
            ):
                try:
                    converted.append(_utc(end))
                except (OverflowError, ValueError):
                    errors[param] = [message]
            if isinstance(value, slice) and len(converted) == 2:
                cleaned[name] = slice(*converted, value.step)
            elif not isinstance(value, slice) and converted:
                cleaned[name] = converted[0]
        if errors:
            raise ValidationError(errors)
        return filterset.qs
