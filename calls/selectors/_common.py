"""Helpers the calls selectors share."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def reason_text(reason: dict[str, Any]) -> str:
    """A gate reason in the reader's language."""
    if (get_language() or "").startswith("zh"):
        return reason.get("message_zh") or reason.get("message", "")
    return reason.get("message", "")
