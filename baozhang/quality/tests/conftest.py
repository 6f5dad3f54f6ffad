"""The desk's fixtures, for the figures read from tickets."""

from baozhang.desk.tests.conftest import groups, ticket_factory  # noqa: F401
from baozhang.incidents.tests.conftest import hosting, incident_factory  # noqa: F401
from baozhang.sla.tests.conftest import agreement_factory  # noqa: F401
