"""Input types as the OpenAPI schema states them, checked before DRF coerces them.

DRF is lenient where the schema is not: a string field takes the number 0, a boolean
takes 0, 1, "yes" or "on", a query parameter given twice silently uses one value, an
empty `?start=` means "no start", and django-filter reads `?active=null` as "no
filter". An integration that sends those believes its request meant something it did
not; the schemathesis run (tests/integrations/test_schemathesis.py, the
negative_data_rejection check) found each of them. Here each is a 400 naming the
field, in one place for every API input: JSON bodies (`json_type_errors`, called by
core.api.parse) and query parameters (`query_type_errors`, called by core.api.parse
for query serializers and by integrations.filters for filter sets).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers

# JSON types each DRF field accepts, as its schema documents it. Decimal fields are
# documented as strings but numbers are kept: clients send amounts both ways, and a
# number is not ambiguous.
_STRING_FIELDS = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.TimeField,
    serializers.UUIDField,
)


def _type_error(field: serializers.Field, value) -> str | None:
    if value is None:
        return None  # allow_null is DRF's to judge
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Must be true or false.")
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _("Must be an integer.")
    if isinstance(field, serializers.FloatField):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _("Must be a number.")
    if isinstance(field, serializers.MultipleChoiceField):
        return None if isinstance(value, list) else _("Must be a list.")
    if isinstance(field, _STRING_FIELDS):
        return None if isinstance(value, str) else _("Must be a string.")
    return None


def json_type_errors(
    serializer: serializers.BaseSerializer, data, prefix: str = ""
) -> dict[str, list[str]]:
    """Fields of a JSON body whose value has another JSON type than the schema says,
    as flat paths (`contact_points[0].value`). Nested serializers and lists are
    walked; anything else is left to the field's own validation."""
    errors: dict[str, list[str]] = {}
    if isinstance(serializer, serializers.ListSerializer):
        if isinstance(data, list):
            for index, item in enumerate(data):
                errors.update(
                    json_type_errors(serializer.child, item, f"{prefix}[{index}]")
                )
        return errors
    if not isinstance(data, dict):
        return errors
    for name, field in serializer.fields.items():
        if field.read_only or field.source == "*" or name not in data:
            continue
        value = data[name]
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(field, serializers.BaseSerializer):
            errors.update(json_type_errors(field, value, path))
        elif isinstance(field, serializers.ListField) and isinstance(value, list):
            for index, item in enumerate(value):
                message = _type_error(field.child, item)
                if message:
                    errors[f"{path}[{index}]"] = [message]
        elif message := _type_error(field, value):
            errors[path] = [message]
    return errors


# -- query parameters ------------------------------------------------------------------

_BOOLEAN_WORDS = ("true", "false")


def _query_kind(field) -> str:
    """'boolean', 'list', 'string' or 'typed' (a date, number or choice: never empty)
    for a serializer field or a form field of a filter."""
    if isinstance(field, serializers.BooleanField | forms.NullBooleanField):
        return "boolean"
    if isinstance(
        field,
        serializers.ListField
        | serializers.MultipleChoiceField
        | forms.MultipleChoiceField,
    ):
        return "list"
    if isinstance(field, serializers.ChoiceField | forms.ChoiceField):
        return "typed"
    if isinstance(field, serializers.CharField | forms.CharField):
        return "string"
    return "typed"


def _check(kind: str, name: str, values: list[str], errors: dict) -> None:
    if kind == "list" or not values:
        return
    if len(values) > 1:
        errors[name] = [_("Give this parameter once.")]
    elif kind == "boolean" and values[0] not in _BOOLEAN_WORDS:
        errors[name] = [_("Must be true or false.")]
    elif kind == "typed" and values[0] == "":
        errors[name] = [_("Must not be empty; leave the parameter out instead.")]


def query_type_errors(fields: dict, params: QueryDict) -> dict[str, list[str]]:
    """Query parameters given twice, booleans other than true/false, and empty
    values for dates, numbers and choices. `fields` maps a parameter name to its
    serializer field or form field."""
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        _check(_query_kind(field), name, params.getlist(name), errors)
    return errors


def filterset_type_errors(filterset) -> dict[str, list[str]]:
    """query_type_errors for a django-filter FilterSet: each filter's parameters (a
    range filter has two, `<name>_after` and `<name>_before`), judged by its form
    field; an integer model field's NumberFilter takes whole numbers only."""
    errors: dict[str, list[str]] = {}
    params = filterset.data
    for name, filter_ in filterset.filters.items():
        field = filterset.form.fields[name]
        widget = field.widget
        suffixes = getattr(widget, "suffixes", None)
        names = [f"{name}_{s}" if s else name for s in suffixes] if suffixes else [name]
        kind = _query_kind(field)
        if isinstance(filter_, django_filters.BaseInFilter):
            kind = "string"  # one comma-separated value
        for param in names:
            values = params.getlist(param)
            _check(kind, param, values, errors)
            if (
                param not in errors
                and values
                and isinstance(filter_, django_filters.NumberFilter)
                and _integer_model_field(filterset, filter_)
                and not values[0].lstrip("-").isdigit()
            ):
                errors[param] = [_("Must be an integer.")]
    return errors


def _integer_model_field(filterset, filter_) -> bool:
    model = filterset.queryset.model if filterset.queryset is not None else None
    if model is None or "__" in filter_.field_name:
        return False
    try:
        field = model._meta.get_field(filter_.field_name)
    except Exception:  # noqa: BLE001 - a method filter names no model field
        return False
    return field.get_internal_type() in {
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
    }
