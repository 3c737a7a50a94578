"""Helpers the calls selectors share."""

from __future__ import annotations

import re
from typing import Any

from compliance.reasons import reason_text

# The gate's messages are whole sentences for the ledger: "Blocked: <why>. Next
# permitted: <time>." A banner already says "Blocked until <time>:", so it shows the
# why alone (issue 18: "Blocked: Blocked: ...", the next time twice).
_VERDICT = re.compile(r"^(?:Blocked|Review|拦截|待复核)[:：]\s*")
_NEXT_EN = re.compile(r"\s*Next permitted: [^.]*\.?$")
_NEXT_ZH = re.compile(r"[，,]?最早可于.*?联系。?$")


def reason_summary(reason: dict[str, Any]) -> str:
    """reason_text without its verdict and next-permitted clause, for a banner."""
    text = _VERDICT.sub("", reason_text(reason).strip())
    text = _NEXT_ZH.sub("。", _NEXT_EN.sub("", text)).strip()
    return text
