"""One error type for the domain, mapped to API errors in one place (api_errors)."""


class ApplicationError(Exception):
    """A request the domain refuses, with a message a person can act on.

    `errors` maps field names to messages, as the API contract's error body does.
    `status` is the HTTP status the API answers with (400, 403, 404 or 409).

    Messages may be lazy translations (a module's gettext_lazy constant shared with
    a serializer): they are made text here, in the language of the request that
    raised them, so the error body, the log and the form all read the same.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        errors: dict[str, list[str]] | None = None,
        status: int = 400,
    ) -> None:
        message = str(message)
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = {
            field: [str(m) for m in msgs] if isinstance(msgs, list | tuple) else msgs
            for field, msgs in (errors or {}).items()
        }
        self.status = status


class ConflictError(ApplicationError):
    def __init__(self, message: str, *, code: str = "conflict", errors=None) -> None:
        super().__init__(message, code=code, errors=errors, status=409)


def not_found(field: str, message, reference) -> ApplicationError:
    """The one 404 for a reference that does not exist or that the caller may not
    see (the two answer alike, so nothing leaks about other teams' rows).

    `message` is the caller's lazy translation naming the kind of row, with a
    %(reference)r placeholder ("No case with reference %(reference)r.", as
    cases.access.NO_CASE): a whole sentence per noun, so each language orders the
    sentence its own way rather than dropping an English noun into it."""
    message = str(message) % {"reference": reference}
    return ApplicationError(
        message, code="not_found", errors={field: [message]}, status=404
    )
