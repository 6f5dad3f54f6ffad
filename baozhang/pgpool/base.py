"""Django's PostgreSQL backend, except how psycopg's pool checks a connection it hands out.

With ``CONN_HEALTH_CHECKS`` Django has the pool send an empty statement before every
``getconn``: a round trip to the database for each request, a third of a token request's
time. Here the pool looks at the connection's socket instead (``check_pooled_connection``)
and asks the server only when something is waiting there: a server that stopped or ended
the session has said so on the socket, so a dead connection is still never handed out.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import OperationalError
from psycopg_pool import ConnectionPool


def check_pooled_connection(conn: Any) -> None:
    """Return quietly for a connection that is alive as far as its socket tells without
    asking; ask the server (an empty statement) when something waits to be read, and
    raise for a connection that is closed, broken or fails that."""
    if conn.closed or conn.broken:
        raise OperationalError("the connection is closed")
    poll = select.poll()
    poll.register(conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poll.poll(0):
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> ConnectionPool | None:
        pool = super().pool
        if pool is not None and self.settings_dict["CONN_HEALTH_CHECKS"]:
            # Django built the pool with ConnectionPool.check_connection; psycopg_pool keeps
            # its check in this attribute (a test pins that it is the one used).
            pool._check = check_pooled_connection
        return pool
