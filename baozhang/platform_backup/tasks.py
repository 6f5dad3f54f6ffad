"""The periodic backup, run by the worker (thin: the rules are in services)."""

from __future__ import annotations

import logging
import threading

from django.db import connection

from baozhang.platform_backup import services

log = logging.getLogger(__name__)

_running = threading.Lock()


def scheduled_backup() -> None:
    """Start a backup on a thread of its own when none runs in this process; the thread
    looks whether one is due (services.run_scheduled_backup) and returns at once if not.
    The worker's loop never waits for a backup."""
    if not _running.acquire(blocking=False):
        return
    threading.Thread(target=_run, name="platform-backup", daemon=True).start()


def _run() -> None:
    try:
        services.run_scheduled_backup()
    except Exception:
        log.exception("scheduled platform backup failed / 定时备份失败")
    finally:
        connection.close()
        _running.release()
