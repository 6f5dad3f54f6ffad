from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from baozhang.backups import services
from baozhang.backups.models import BackupJob


@pytest.fixture
def backup_factory(personas: Any) -> Callable[..., BackupJob]:
    counter = {"n": 0}

    def make(**kw: Any) -> BackupJob:
        counter["n"] += 1
        kw.setdefault("name", f"客户数据库备份 {counter['n']}")
        kw.setdefault("system", "客户数据库 Customer database")
        kw.setdefault("what", "全量数据库转储 full database dump")
        kw.setdefault("every", 2)
        kw.setdefault("every_unit", "days")
        kw.setdefault("retention_days", 30)
        kw.setdefault("location", "异地备份存储 NAS-2 /backup/db")
        kw.setdefault("responsible", personas.engineer)
        return services.create_job(personas.engineer, **kw)

    return make
