"""The API's pagination: limit and offset, validated and bounded.

DRF's LimitOffsetPagination passes any integer through to the query (a `limit` of
2^63 overflowed the database's integer and answered 500) and quietly replaces a bad
one with the default (so a typo went unnoticed). Here `limit` is a whole number from
1 to API_MAX_PAGE_SIZE and `offset` one from 0 to 2^63 - 1 (the largest the
databases take), each given once and never empty; anything else answers 400
naming the parameter, and the schema
documents the same bounds, so a client (or schemathesis) generated from it stays
inside them.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_OFFSET = 2**63 - 1
# ASCII digits only: int() would also take "1_000", " 5" and full-width digits.
DIGITS = re.compile(r"[0-9]{1,19}")


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    @property
    def max_limit(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    @property
    def default_limit(self) -> int:
        return min(settings.REST_FRAMEWORK["PAGE_SIZE"], self.max_limit)

    def _whole(self, request, name: str, *, minimum: int, maximum: int) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1:  # which one would the client mean?
            raise ValidationError({name: [_("Give this parameter once.")]})
        raw = values[0]
        value = int(raw) if DIGITS.fullmatch(raw) else None
        if value is None or not minimum <= value <= maximum:
            message = _("A whole number from %(minimum)s to %(maximum)s.") % {
                "minimum": minimum,
                "maximum": maximum,
            }
            raise ValidationError({name: [message]})
        return value

    def get_limit(self, request) -> int:
        limit = self._whole(
            request, self.limit_query_param, minimum=1, maximum=self.max_limit
        )
        return self.default_limit if limit is None else limit

    def get_offset(self, request) -> int:
        offset = self._whole(
            request, self.offset_query_param, minimum=0, maximum=MAX_OFFSET
        )
        return offset or 0

    def paginate_queryset(self, queryset, request, view=None):
        # Both parameters are checked before the count query runs.
        self.get_offset(request)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
