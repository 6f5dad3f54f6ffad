"""Settings for a worker started as a subprocess by the crash test: the test's own
settings module (BAOZHANG_TEST_BASE_SETTINGS) with the database NAME pointed at the
test database (BAOZHANG_TEST_DB_NAME: the SQLite file or the PostgreSQL test database),
so that the subprocess sees exactly the rows the test wrote."""

import importlib
import os

_base = importlib.import_module(os.environ.get("BAOZHANG_TEST_BASE_SETTINGS", "baozhang.settings"))
globals().update({k: v for k, v in vars(_base).items() if k.isupper()})

if os.environ.get("BAOZHANG_TEST_DB_NAME"):
    DATABASES = {
        "default": {**_base.DATABASES["default"], "NAME": os.environ["BAOZHANG_TEST_DB_NAME"]}
    }
