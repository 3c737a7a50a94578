"""The scopes an integration token may hold, and which one each API operation needs.

An API view declares what a token needs per HTTP method:

    class CaseListApi(generics.ListAPIView):
        required_scopes = {"GET": "cases:read"}

A token without the scope gets 403 (core.permissions.TokenHasScope); a view
that declares nothing refuses tokens altogether, so a new endpoint is closed to
integrations until someone decides which scope opens it. Browser sessions are not
scoped: their role rules apply as before.
"""

from django.utils.translation import gettext_lazy as _

SCOPES: dict[str, str] = {
    "customers:read": _("Read customers and loans"),
    "customers:write": _("Create customers and loans"),
    "payments:write": _("Record payments"),
    "cases:read": _("Read cases and calls"),
    "cases:write": _("Claim cases, record calls, promises and repayment plans"),
    "compliance:check": _("Ask the compliance gate (writes nothing)"),
    "compliance:read": _("Read restrictions and the contact ledger"),
    "compliance:write": _("Record restrictions and external contact attempts"),
    "messages:read": _("Read the outbox"),
    "policies:read": _("Read escalation policies"),
    "policies:write": _("Edit and activate escalation policies"),
    "imports:write": _("Import portfolios and payments"),
    "reports:read": _("Read team figures and call records (supervisor reports)"),
    "webhooks:manage": _("Manage webhook subscriptions"),
}


def scope_choices() -> list[tuple[str, str]]:
    return list(SCOPES.items())
