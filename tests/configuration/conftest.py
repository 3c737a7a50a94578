"""The configuration pages and the rule-pack drafts run on the escalation tests'
scenario: a small portfolio on a live policy (v1) and a draft (v2)."""

from tests.escalation.conftest import (  # noqa: F401 - fixtures and helpers
    AT,
    _case,
    day,
    draft,
    ladder,
    live,
    portfolio,
)
