"""What the platform backup announces (baozhang/events/announce.py).

BACKUP_DONE: a scheduled backup finished or failed. Payload: ``ok`` (bool), ``message``
(str, at most 300 characters), ``at`` (aware datetime of the run), ``size`` (int, bytes of
the archive, or None when it failed) and ``checksum`` (``sha256:<hex>`` of the archive, or
"").
"""

from __future__ import annotations

BACKUP_DONE = "platform_backup.backup_done"
