"""The HTTP API at /api/v1/: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

The assembly of every app's router: it sits at the top of the ranking (docs/architecture.md),
above the apps, while the API's infrastructure (baozhang/api: errors, types, parser,
schemas, pagination, openapi) sits low and is imported by each app's api.py."""

from __future__ import annotations

from baozhang.accounts.api import router as accounts_router
from baozhang.accounts.api_auth import ActiveSessionAuth, TokenAuth
from baozhang.api import errors
from baozhang.api.openapi import BaozhangAPI
from baozhang.api.parser import ApiParser
from baozhang.assets.api import router as assets_router
from baozhang.calendars.api import router as calendars_router
from baozhang.calls.api import router as calls_router
from baozhang.desk.api import router as desk_router
from baozhang.desk.attachment_api import router as attachment_router
from baozhang.desk.sms_api import router as sms_router
from baozhang.events.api import router as events_router
from baozhang.incidents.api import router as incidents_router
from baozhang.maintenance.api import router as maintenance_router
from baozhang.monitoring.api import router as monitoring_router
from baozhang.monitoring.probe_api import router as probe_router
from baozhang.notify.api import router as notify_router
from baozhang.quality.measures_api import router as measures_router
from baozhang.sla.api import router as sla_router
from baozhang.staffing.api import router as staffing_router

api = BaozhangAPI(
    title="Baozhang API",
    version="1",
    description=(
        "Baozhang (保障) HTTP API. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `baozhang createtoken USERNAME` or on your Security page). "
        'Errors are JSON: `{"error": {"code", "message", "fields", "codes"}}`, in the '
        "language of Accept-Language or else the token owner's. "
        "Lists are paginated with `?page=N`."
    ),
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    parser=ApiParser(),
)
errors.install(api)
api.add_router("/", accounts_router)
api.add_router("/", events_router)
api.add_router("/notify/", notify_router)
api.add_router("/", sla_router)
api.add_router("/", calendars_router)
api.add_router("/", desk_router)
api.add_router("/", attachment_router)
api.add_router("/", calls_router)
api.add_router("/", measures_router)
api.add_router("/", "baozhang.quality.report_api.router")
api.add_router("/", "baozhang.quality.frozen_api.router")
api.add_router("/", "baozhang.quality.submissions_api.router")
api.add_router("/", monitoring_router)
api.add_router("/", probe_router)
api.add_router("/", incidents_router)
api.add_router("/", maintenance_router)
api.add_router("/", "baozhang.analysis.api.router")
api.add_router("/", assets_router)
api.add_router("/", "baozhang.assets.projects_api.router")
api.add_router("/", "baozhang.upkeep.api.router")
api.add_router("/", "baozhang.backups.api.router")
api.add_router("/", "baozhang.patches.api.router")
api.add_router("/", "baozhang.changes.api.router")
api.add_router("/", sms_router)
api.add_router("/", staffing_router)
