from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared kernel")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from . import checks  # noqa: F401 - registers the PII keyring checks
        from .metrics import LOGIN_LOCKOUTS

        def _count_lockout(**kwargs) -> None:
            LOGIN_LOCKOUTS.inc()

        user_locked_out.connect(_count_lockout, weak=False, dispatch_uid="metrics")

        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_clock_start

        # The session time-outs count from the sign-in itself.
        user_logged_in.connect(
            session_clock_start, weak=False, dispatch_uid="session_clock"
        )
