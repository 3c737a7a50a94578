"""Every API error leaves as {"code", "message", "errors": {field: [...]}}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api import flatten_errors
from .errors import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, "errors": exc.errors}
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        errors = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": [str(m) for m in exc.messages]}
        )
        body = {"code": "invalid", "message": _("Invalid input."), "errors": errors}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("Invalid input."),
            "errors": flatten_errors(exc.detail),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(detail),
            "errors": {},
        }
    response.data = body
    return response


# --------------------------------------------------------------------------------------
# Errors raised outside a DRF view (collections_app.urls: handler404, handler500)
# --------------------------------------------------------------------------------------


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """A URL under /api/ that matches no route (e.g. `version` not a number) answers
    the API's error body, not the HTML 404 page."""
    if _is_api(request):
        body = {"code": "not_found", "message": _("No such URL."), "errors": {}}
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        body = {
            "code": "server_error",
            "message": _("Something went wrong on our side; it has been logged."),
            "errors": {},
        }
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


class RejectNulCharactersMiddleware:
    """NUL characters in a URL's path or query answer 404 / 400, on every path.

    PostgreSQL cannot store or compare a string containing NUL, so a reference or
    filter value with one would otherwise reach the database and fail there (a 500,
    found by the schemathesis run on PostgreSQL for /api/ and by the security review
    for pages and the admin's search). The API answers its error body; pages answer
    the site's own 404 and 400 pages. Bodies are covered already: DRF's and Django's
    form CharFields refuse NUL characters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return page_not_found(request)
        bad = [
            key.replace("\x00", "")
            for key, values in request.GET.lists()
            if "\x00" in key or any("\x00" in v for v in values)
        ]
        if bad:
            message = _("NUL characters are not allowed.")
            if _is_api(request):
                body = {
                    "code": "invalid",
                    "message": _("Invalid input."),
                    "errors": {key: [message] for key in bad},
                }
                return JsonResponse(body, status=400)
            return bad_request_page(request, message=message, fields=bad)
        return self.get_response(request)


def bad_request_page(request, *, message: str, fields: list[str]):
    """The site's 400 page (templates/400.html) with the request's context, naming
    the parameters at fault; Django's own bad_request renders without a request."""
    context = {"message": message, "fields": fields}
    return render(request, "400.html", context, status=400)
