from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo seeding (`manage.py seed_demo`): on top of the apps it fills, below the
    project package."""

    name = "demo"
    verbose_name = _("Demo data")
