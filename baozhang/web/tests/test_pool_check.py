"""The web role's connection pool checks a connection it hands out by a look at its socket
(baozhang/pgpool): no round trip for a healthy connection, and never a connection the
server has ended."""

from __future__ import annotations

import copy
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from baozhang.pgpool.base import DatabaseWrapper, check_pooled_connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pool is PostgreSQL's (psycopg_pool)"
)


def _conninfo() -> str:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if isinstance(v, str | int)}
    )


def test_a_healthy_connection_is_handed_out_without_asking_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(asked.append))
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        check_pooled_connection(conn)
        check_pooled_connection(conn)
    assert asked == []


@pytest.mark.django_db
def test_a_connection_the_server_ended_is_never_handed_out() -> None:
    # Given a pool of one connection, checked as the web role checks it
    with (
        ConnectionPool(
            _conninfo(), min_size=1, max_size=1, check=check_pooled_connection, open=True
        ) as pool,
        psycopg.connect(_conninfo(), autocommit=True) as admin,
    ):
        with pool.connection() as conn:
            first = conn.info.backend_pid
        # When the server ends that session while it is idle in the pool
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [first])
        # Then the next request gets a new connection that works, and no error
        with pool.connection() as conn:
            assert conn.info.backend_pid != first
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_closed_connection_fails_the_check() -> None:
    conn = psycopg.connect(_conninfo(), autocommit=True)
    conn.close()
    with pytest.raises(psycopg.OperationalError):
        check_pooled_connection(conn)


def test_the_backend_builds_its_pool_with_that_check() -> None:
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["OPTIONS"]["pool"] = {"min_size": 0, "max_size": 1}
    settings_dict["CONN_MAX_AGE"] = 0
    settings_dict["CONN_HEALTH_CHECKS"] = True
    wrapper = DatabaseWrapper(settings_dict, alias="pool_check_test")
    try:
        # psycopg_pool keeps its check in _check: if a release renames it, this fails
        assert wrapper.pool._check is check_pooled_connection
    finally:
        wrapper.pool.close()
        DatabaseWrapper._connection_pools.pop("pool_check_test", None)
