"""Form helpers shared by the HTML views."""

from __future__ import annotations

from .errors import ApplicationError


def form_errors(form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form, each message under its field."""
    for field, msgs in (exc.errors or {"__all__": [exc.message]}).items():
        name = field if field in form.fields else None
        for message in msgs:
            form.add_error(name, message)
