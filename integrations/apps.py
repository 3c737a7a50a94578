from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        # Domain services announce their changes through the kernel's port; the
        # webhook outbox listens (core.events).
        from core.events import event_listener_register

        from .events import LISTENER

        event_listener_register(LISTENER)
