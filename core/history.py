"""Every change to domain data is in history with the acting user and a reason
(django-simple-history). Services call these instead of setting the private
`_history_user` / `_change_reason` attributes by hand."""

from __future__ import annotations


def change_reason(what: str, why: str = "") -> str:
    """A change reason: what happened, then the person's why when they gave one."""
    why = (why or "").strip()
    return f"{what}: {why}"[:100] if why else what


def history_note(instance, *, reason: str, user=None):
    """Mark `instance`'s next save with `reason` and the acting `user` (None: the
    request's user, or nobody for a system job). Returns the instance."""
    # simple-history's change-reason column holds 100 characters.
    instance._change_reason = reason[:100]
    if user is not None:
        instance._history_user = user
    return instance


def history_save(instance, *, reason: str, user=None, update_fields=None) -> None:
    """Save through the ORM with a history change reason and the acting user."""
    history_note(instance, reason=reason, user=user)
    instance.save(update_fields=update_fields)
