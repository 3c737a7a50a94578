"""The kernel's one table: heartbeats of the background processes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process proved it was alive.

    `beat+worker` is written by the `core.tasks.heartbeat` task, which beat schedules
    and a worker runs: a fresh row means the scheduler, the broker and at least one
    worker all work. /readyz reads it (collections_app.views.readyz). A table rather
    than the cache, so it is shared by every process even without Redis.
    """

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    seen_at = models.DateTimeField(_("seen at"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
