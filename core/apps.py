from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared kernel")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from .metrics import LOGIN_LOCKOUTS

        def _count_lockout(**kwargs) -> None:
            LOGIN_LOCKOUTS.inc()

        user_locked_out.connect(_count_lockout, weak=False, dispatch_uid="metrics")
