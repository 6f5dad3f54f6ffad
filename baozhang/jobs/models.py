"""Each worker's heartbeat: a row per worker (host:pid) that its loop rewrites every
BEAT_EVERY seconds while it runs, read by /metrics (web/ops.py) so that a stalled or dead
worker shows even when there is nothing to deliver."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    name = models.CharField(_("worker"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)
    # Set when the worker stopped as asked (Ctrl-C, SIGTERM); a worker that died keeps
    # none and its heartbeat grows old.
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.name
