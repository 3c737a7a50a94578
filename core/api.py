"""API plumbing every app shares: the error body, parsing input into validated data
with flat field paths, bounded date fields, a time query parameter, and the error
responses for the schema."""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request

from .api_types import json_type_errors, query_type_errors
from .errors import ApplicationError

MONEY = {"max_digits": 14, "decimal_places": 2}
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2099, 12, 31)


class ErrorSerializer(serializers.Serializer):
    """Every error body (core.api_errors)."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField())
    )


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat field paths: {"contact_points[0].value": [...]}.

    Integrations show errors next to the field they sent; one flat key per field is
    what every client can do that with.
    """
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(key, int):  # a many=True item, by index
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flatten_errors(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


# The bound as the OpenAPI schema states it (integrations.schema.AutoSchema): the
# year as written, so a client can check it without knowing the server's zone.
BOUNDED_YEAR_PATTERN = r"^(19[7-9]\d|20\d\d)-"

# A string "chosen" in a serializer's `schema_rules` (rules across fields, stated as
# JSON Schema by integrations.schema.AutoSchema): not blank once trimmed.
CHOSEN = {"type": "string", "pattern": r"\S"}


def _check_year(value) -> None:
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise serializers.ValidationError(
            f"Must be between {EARLIEST.year} and {LATEST.year}."
        )


class BoundedDateTimeField(serializers.DateTimeField):
    """A datetime between 1970 and 2099: anything else is a typo, and far-off years
    overflow the date arithmetic of caps and windows. The year is judged as written,
    before conversion to the server's zone: 2099-12-31T20:00:00Z is 2100 in
    Asia/Shanghai, but the schema's pattern (and the client) read 2099."""

    def enforce_timezone(self, value):
        _check_year(value)
        return super().enforce_timezone(value)


class BoundedDateField(serializers.DateField):
    """A date between 1970 and 2099 (BoundedDateTimeField)."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        _check_year(parsed)
        return parsed


def parse(serializer_class: type[serializers.Serializer], data) -> dict:
    """Validated data, or ApplicationError (400) with flat field paths. A JSON body
    must carry the JSON types its schema states (core.api_types): DRF would turn
    the number 0 into the string "0" or the boolean false."""
    serializer = serializer_class(data=data)
    if not isinstance(data, QueryDict):
        if type_errors := json_type_errors(serializer, data):
            raise ApplicationError(_("Invalid input."), errors=type_errors)
    if not serializer.is_valid():
        errors = flatten_errors(serializer.errors)
        raise ApplicationError(_("Invalid input."), errors=errors)
    return serializer.validated_data


def parse_query(serializer_class: type[serializers.Serializer], request) -> dict:
    """`parse` for query parameters: each given once, booleans as true or false,
    dates and numbers never empty (core.api_types)."""
    params = request.query_params
    if type_errors := query_type_errors(serializer_class().fields, params):
        raise ApplicationError(_("Invalid input."), errors=type_errors)
    return parse(serializer_class, params)


def time_param(request: Request, name: str = "at") -> dt.datetime:
    """`?<name>=` as an aware time (the current zone when it has no offset); now when
    absent. Not an ISO-8601 time: ApplicationError (400) naming the parameter."""
    value = request.query_params.get(name)
    if not value:
        return timezone.now()
    at = parse_datetime(value)
    if at is None:
        raise ApplicationError(
            f"`{name}` is not an ISO-8601 time.", errors={name: ["Not a time."]}
        )
    return timezone.make_aware(at) if timezone.is_naive(at) else at


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The schema's error responses for `codes`, all with the one error body."""
    descriptions = {
        400: "Invalid input; `errors` names each field.",
        403: "Not allowed for your role.",
        404: "No such reference, or not one you may see.",
        409: "Conflicts with an existing record.",
    }
    return {
        code: OpenApiResponse(ErrorSerializer, description=descriptions[code])
        for code in codes
    }
