"""JSON bodies with bounded nesting.

A body nested 100,000 deep (`[[[[...]]]]`, 200 kB) made json.loads raise
RecursionError, which no handler expects: a 500, and stack depth spent in every
layer that walks the data afterwards. No body this API accepts nests deeper than a
handful of levels, so anything deeper than API_MAX_JSON_DEPTH (32) is refused as a
parse error (400) before a view or a serializer sees it.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JsonTooDeep(ValueError):
    pass


def _too_deep(max_depth: int) -> JsonTooDeep:
    return JsonTooDeep(
        _("The JSON body is nested deeper than %(depth)s levels.")
        % {"depth": max_depth}
    )


def json_depth_check(data, *, max_depth: int) -> None:
    """JsonTooDeep when arrays and objects in `data` nest deeper than `max_depth`
    (a scalar is depth 0, `[1]` depth 1). Iterative: no recursion to exhaust."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            raise _too_deep(max_depth)
        stack.extend((child, depth + 1) for child in children)


def json_parse(raw: bytes | str, *, max_depth: int | None = None):
    """json.loads with the nesting bounded (API_MAX_JSON_DEPTH by default):
    ValueError for bad JSON, JsonTooDeep (a ValueError) for too deep a body."""
    max_depth = max_depth or settings.API_MAX_JSON_DEPTH
    try:
        data = json.loads(raw)
    except RecursionError:
        raise _too_deep(max_depth) from None
    json_depth_check(data, max_depth=max_depth)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than API_MAX_JSON_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(str(_too_deep(settings.API_MAX_JSON_DEPTH))) from None
        try:
            json_depth_check(data, max_depth=settings.API_MAX_JSON_DEPTH)
        except JsonTooDeep as exc:
            raise ParseError(str(exc)) from None
        return data
