"""schemathesis command-line hooks for bench/fuzz_api.py: before each call, restore the
fuzzing person (token, roles, organisation) named by FUZZ_USER and send their token, as the
test suite's drill does (baozhang/api/tests/fuzz_identity.py). Loaded by `st run` through
SCHEMATHESIS_HOOKS=fuzz_hooks with bench/ on PYTHONPATH; it reads the same database as the
server under test (BAOZHANG_HOME / DATABASE_URL)."""

from __future__ import annotations

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
django.setup()

import schemathesis  # noqa: E402

from baozhang.accounts.models import User  # noqa: E402
from baozhang.api.tests.fuzz_identity import Identity  # noqa: E402

_identity = Identity(User.objects.get(username=os.environ["FUZZ_USER"]))


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    case.headers = {**(case.headers or {}), **_identity.headers()}
