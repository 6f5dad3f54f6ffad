"""The desk's fixtures, for the figures read from tickets."""

from baozhang.desk.tests.conftest import groups, ticket_factory  # noqa: F401
