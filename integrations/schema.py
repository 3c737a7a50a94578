"""The OpenAPI schema's shared error responses.

Every operation can answer some errors whatever it does: 401 without credentials,
403 when the role or the token's scope does not allow it, 429 when a token is over its
rate, 400 for a bad body or bad query parameters, 404 for a reference that does not
exist. All of them carry the same body (core.api_errors). Listing them here
once keeps every operation's documentation complete (and schemathesis's status-code
check honest) without repeating them in each `extend_schema`.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from core.api import BOUNDED_YEAR_PATTERN, BoundedDateField, BoundedDateTimeField
from core.permissions import required_scope

DESCRIPTIONS = {
    "400": "Invalid input; `errors` names each field.",
    "401": "No credentials, or an invalid, revoked or expired token.",
    "403": "Not allowed for your role, or the token lacks the scope.",
    "404": "No such reference, or not one you may see.",
    "429": "Too many requests for this token; see Retry-After.",
}


class AutoSchema(BaseAutoSchema):
    def _standard_errors(self) -> list[str]:
        view = self.view
        public = not getattr(view, "authentication_classes", True) or any(
            isinstance(p, AllowAny) for p in view.get_permissions()
        )
        codes = []
        if not public:
            codes += ["401", "403"]
            if required_scope(view, self.method) is not None:
                codes.append("429")
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_query = bool(self._get_filter_parameters()) or bool(
            self._get_pagination_parameters()
        )
        if has_body or has_query or self.get_override_parameters():
            codes.append("400")
        if self.path_regex and "{" in self.path:
            codes.append("404")
        return codes

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # drf-spectacular documents a decimal as `^-?\d{0,12}(?:\.\d{0,2})?$`, which
        # takes "" and "-": DRF refuses both. At least one digit before the point
        # (found by schemathesis' positive_data_acceptance).
        if (
            isinstance(field, serializers.DecimalField)
            and schema.get("type") == "string"
            and field.max_digits is not None
            and field.decimal_places is not None
        ):
            whole = max(field.max_digits - field.decimal_places, 1)
            schema["pattern"] = (
                rf"^-?\d{{1,{whole}}}(?:\.\d{{0,{field.decimal_places}}})?$"
            )
        # A bounded date or datetime (core.api) refuses a year outside 1970-2099;
        # the pattern says so (found by positive_data_acceptance).
        if direction == "request" and isinstance(
            field, BoundedDateField | BoundedDateTimeField
        ):
            schema["pattern"] = BOUNDED_YEAR_PATTERN
        # DRF refuses a blank string (and one of spaces only, after trimming) for a
        # CharField without allow_blank; say so, or a client built from the schema
        # sends "" and is surprised by the 400.
        # Every DRF CharField refuses a NUL character (ProhibitNullCharactersValidator);
        # the pattern says so, with the non-blank rule where there is one.
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, serializers.ChoiceField)
            and schema.get("type") == "string"
            and "pattern" not in schema
            and "format" not in schema
            and "enum" not in schema
        ):
            # A RegexField or a RegexValidator (a slug) gets its own pattern from
            # spectacular after this method: leave that one standing.
            regex = isinstance(field, serializers.RegexField) or any(
                isinstance(v, RegexValidator) for v in field.validators
            )
            if regex:
                if not field.allow_blank:
                    schema.setdefault("minLength", 1)
            elif field.allow_blank:
                schema["pattern"] = r"^[^\u0000]*$"
            else:
                schema.setdefault("minLength", 1)
                schema["pattern"] = (
                    r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
                    if getattr(field, "trim_whitespace", False)
                    else r"^[^\u0000]+$"
                )
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A rule across fields (one of these, not both) that no field's schema can
        # state: the serializer states it as JSON Schema, next to the fields.
        rules = getattr(serializer, "schema_rules", None)
        if rules and direction == "request":
            schema = {**schema, **rules}
        return schema

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body written out as a schema (the import upload) is required when it
        # names required fields, as spectacular says of a serializer's; else a
        # client sends none and meets "No file was submitted".
        if isinstance(serializer, dict) and serializer.get("required"):
            required = True
        return schema, required

    def map_parsers(self):
        # The API is JSON. DRF's form and multipart parsers stay in
        # DEFAULT_PARSER_CLASSES (older clients, the browsable forms), but only a
        # view that takes nothing else (the import upload) documents them: a field
        # schema cannot say how a list or an object would be form-encoded, so a
        # client built from the schema would send bodies the API cannot read.
        types = super().map_parsers()
        json_types = [t for t in types if t == "application/json"]
        return json_types or types

    def _get_pagination_parameters(self):
        # A search that takes its terms in a POST body (cases.apis.CustomerSearchApi)
        # is still paged by `limit` and `offset` in the query string; spectacular
        # documents those only for GET lists, so such a view says so.
        if getattr(self.view, "schema_paginated", False):
            paginator = self._get_paginator()
            if paginator:
                return paginator.get_schema_operation_parameters(self.view)
        return super()._get_pagination_parameters()

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        from core.api import ErrorSerializer

        for code in self._standard_errors():
            if code not in bodies:
                bodies[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return dict(sorted(bodies.items()))
