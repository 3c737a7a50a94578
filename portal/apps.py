from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The debtor's self-service page, opened from a link in a reminder (issue 21)."""

    name = "portal"
