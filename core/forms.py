"""Form helpers shared by the HTML views."""

from __future__ import annotations

from django import forms

from .errors import ApplicationError


def form_errors(form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form, each message under its field."""
    for field, msgs in (exc.errors or {"__all__": [exc.message]}).items():
        name = field if field in form.fields else None
        for message in msgs:
            form.add_error(name, message)


class DateInput(forms.DateInput):
    """`<input type="date">` with its value in ISO form whatever the language: the
    Chinese locale's input format (2026/12/03) is one the browser's date picker
    refuses, so the field showed empty and submitted nothing."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """`<input type="datetime-local">` with an ISO value (2026-12-03T08:30) in every
    language, for the same reason as DateInput."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
