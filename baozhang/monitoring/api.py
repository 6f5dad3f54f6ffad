"""API for what is monitored (/api/v1/services, /monitors, /probe-regions). Thin: every
step is a catalogue function or a selector.

A customer's people read the services they use and the monitors that watch for them:
name, kind, state and schedule; the settings that say how and where a monitor checks
(target, headers, tokens, regions …) come back as null. SNMP secrets (community,
passphrases) are write-only: nobody reads them back, staff see only which are set. Probe
regions are the operator's alone: 404 for anyone else.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, ValidationInfo, model_validator

from baozhang.accounts.permissions import is_operator_staff
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Count, Float, Id, Int32
from baozhang.catalog import services as service_catalog
from baozhang.catalog.selectors import get_service, visible_services
from baozhang.monitoring import catalog
from baozhang.monitoring.models import (
    SNMP_SECRETS,
    DnsRecordType,
    HttpMethod,
    Monitor,
    MonitorKind,
    MonitorStatus,
    SnmpAuthProtocol,
    SnmpPrivProtocol,
    SnmpVersion,
)
from baozhang.monitoring.selectors import (
    filter_monitors,
    get_monitor,
    get_region,
    visible_monitors,
    visible_regions,
)

router = Router(tags=["monitoring"])


class _In(Schema):
    # A misspelt field is an error, not silently nothing.
    model_config = ConfigDict(extra="forbid")


def _staff(context: Any) -> bool:
    request = (context or {}).get("request")
    return request is not None and is_operator_staff(request.auth)


# -- services -------------------------------------------------------------------------------


class ServiceIn(_In):
    name: str = Field(..., max_length=120, description="The name in Chinese")
    name_en: str = Field("", max_length=120)
    slug: str = Field("", max_length=60, description="Empty: made from the English name")
    description: str = ""
    is_public: bool = True
    region: str = Field("", max_length=60, description="Machine room or node region")
    position: Int32 = 0
    customer_ids: list[Id] = []


class ServicePatch(_In, PatchIn):
    name: str | None = Field(None, max_length=120)
    name_en: str | None = Field(None, max_length=120)
    slug: str | None = Field(None, max_length=60)
    description: str | None = None
    is_public: bool | None = None
    region: str | None = Field(None, max_length=60)
    position: Int32 | None = None
    customer_ids: list[Id] | None = None


class ServiceOut(Schema):
    id: int
    name: str
    name_en: str
    slug: str
    description: str
    is_public: bool
    region: str
    position: Int32
    customer_ids: list[int] | None = Field(None, description="Staff only; null for customers")

    @staticmethod
    def resolve_customer_ids(obj: Any, context: Any) -> list[int] | None:
        return [c.pk for c in obj.customers.all()] if _staff(context) else None


def _service_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "customer_ids" in data:
        data["customers"] = data.pop("customer_ids")
    return data


@router.get("/services", response=list[ServiceOut])
@paginate(Pages, page_size=50)
def list_services(request: HttpRequest):  # type: ignore[no-untyped-def]
    return visible_services(request.auth).prefetch_related("customers")


@router.post("/services", response={201: ServiceOut})
def create_service(request: HttpRequest, payload: ServiceIn):  # type: ignore[no-untyped-def]
    return Status(
        201, service_catalog.create_service(request.auth, **_service_fields(payload.dict()))
    )


@router.get("/services/{service_id}", response=ServiceOut)
def get_service_(request: HttpRequest, service_id: Id):  # type: ignore[no-untyped-def]
    return get_service(request.auth, service_id)


@router.patch("/services/{service_id}", response=ServiceOut)
def update_service(request: HttpRequest, service_id: Id, payload: ServicePatch):  # type: ignore[no-untyped-def]
    service = get_service(request.auth, service_id)
    fields = _service_fields(payload.dict(exclude_unset=True))
    return service_catalog.update_service(request.auth, service, **fields)


@router.delete("/services/{service_id}", response={204: None})
def delete_service(request: HttpRequest, service_id: Id):  # type: ignore[no-untyped-def]
    service_catalog.delete_service(request.auth, get_service(request.auth, service_id))
    return Status(204, None)


# -- monitors -------------------------------------------------------------------------------


class MonitorIn(_In):
    """A new monitor. Only the settings of its kind are used; the others keep their
    defaults (a push monitor has no target and gets its heartbeat URL)."""

    name: str = Field(..., max_length=200)
    kind: MonitorKind
    enabled: bool = True
    target: str = Field(
        "", description="http: URL; tcp: host:port; icmp: host; dns: name; snmp: host[:port]"
    )
    http_method: HttpMethod = HttpMethod.GET
    http_headers: dict[str, str] = {}
    http_body: str = ""
    expected_status: str = Field("200-399", description="Codes or ranges: 200-299,301")
    keyword: str = ""
    keyword_absent: bool = False
    latency_limit_ms: Count | None = None
    cert_min_days: Count | None = None
    verify_tls: bool = True
    dns_record_type: DnsRecordType = DnsRecordType.A
    dns_expected: str = Field("", description="Comma-separated values that must all answer")
    dns_server: str = Field("", description="ip[:port]; empty: the system's resolver")
    snmp_version: SnmpVersion = SnmpVersion.V2C
    snmp_community: str = Field("", max_length=100, description="snmp v2c; write-only")
    snmp_user: str = Field("", max_length=100, description="snmp v3 user")
    snmp_auth_protocol: SnmpAuthProtocol = SnmpAuthProtocol.SHA
    snmp_auth_key: str = Field("", max_length=200, description="snmp v3, ≥ 8; write-only")
    snmp_priv_protocol: SnmpPrivProtocol = SnmpPrivProtocol.AES
    snmp_priv_key: str = Field("", max_length=200, description="snmp v3, ≥ 8; write-only")
    snmp_oid: str = Field("", max_length=200, description="Numeric OID: 1.3.6.1.2.1.33.1.2.5.0")
    snmp_expected: str = Field("", max_length=100, description="The value must equal this")
    snmp_scale: Float = Field(1, description="The value read is multiplied by this")
    snmp_min: Float | None = Field(None, description="Lowest allowed value (scaled)")
    snmp_max: Float | None = Field(None, description="Highest allowed value (scaled)")
    snmp_unit: str = Field("", max_length=20, description="Shown after the value: V, °C")
    push_period_s: Count | None = Field(None, description="push: seconds between calls, ≥ 10")
    push_grace_s: Count | None = 300
    interval_s: Count = 60
    timeout_s: Float = 10
    retries: Count = 2
    regions: list[str] = Field([], description="Probe region names; empty: local")
    quorum: Count = 1
    assets: str = ""
    service_ids: list[Id] = []
    customer_ids: list[Id] = []
    target_ids: list[Id] = Field([], description="Agreement targets this monitor feeds")


class MonitorPatch(_In, PatchIn):
    nullable = frozenset(
        {
            "latency_limit_ms",
            "cert_min_days",
            "push_period_s",
            "push_grace_s",
            "snmp_min",
            "snmp_max",
        }
    )

    name: str | None = Field(None, max_length=200)
    kind: MonitorKind | None = Field(None, description="Cannot change; here to say so")
    enabled: bool | None = None
    target: str | None = None
    http_method: HttpMethod | None = None
    http_headers: dict[str, str] | None = None
    http_body: str | None = None
    expected_status: str | None = None
    keyword: str | None = None
    keyword_absent: bool | None = None
    latency_limit_ms: Count | None = None
    cert_min_days: Count | None = None
    verify_tls: bool | None = None
    dns_record_type: DnsRecordType | None = None
    dns_expected: str | None = None
    dns_server: str | None = None
    snmp_version: SnmpVersion | None = None
    snmp_community: str | None = Field(None, max_length=100)
    snmp_user: str | None = Field(None, max_length=100)
    snmp_auth_protocol: SnmpAuthProtocol | None = None
    snmp_auth_key: str | None = Field(None, max_length=200)
    snmp_priv_protocol: SnmpPrivProtocol | None = None
    snmp_priv_key: str | None = Field(None, max_length=200)
    snmp_oid: str | None = Field(None, max_length=200)
    snmp_expected: str | None = Field(None, max_length=100)
    snmp_scale: Float | None = None
    snmp_min: Float | None = None
    snmp_max: Float | None = None
    snmp_unit: str | None = Field(None, max_length=20)
    push_period_s: Count | None = None
    push_grace_s: Count | None = None
    interval_s: Count | None = None
    timeout_s: Float | None = None
    retries: Count | None = None
    regions: list[str] | None = None
    quorum: Count | None = None
    assets: str | None = None
    service_ids: list[Id] | None = None
    customer_ids: list[Id] | None = None
    target_ids: list[Id] | None = None


# Settings that say how and where a monitor checks: staff only.
STAFF_ONLY = (
    "target",
    "http_method",
    "http_headers",
    "http_body",
    "expected_status",
    "keyword",
    "keyword_absent",
    "latency_limit_ms",
    "cert_min_days",
    "verify_tls",
    "dns_record_type",
    "dns_expected",
    "dns_server",
    "snmp_version",
    "snmp_user",
    "snmp_auth_protocol",
    "snmp_priv_protocol",
    "snmp_oid",
    "snmp_expected",
    "snmp_scale",
    "snmp_min",
    "snmp_max",
    "snmp_unit",
    "snmp_secrets_set",
    "push_period_s",
    "push_grace_s",
    "timeout_s",
    "retries",
    "regions",
    "quorum",
    "assets",
    "status_reason",
    "customer_ids",
    "target_ids",
    "push_url",
)


class MonitorOut(Schema):
    """A monitor. For a customer's people the staff-only settings are null."""

    id: int
    name: str
    kind: MonitorKind
    enabled: bool
    status: MonitorStatus
    status_since: dt.datetime | None
    last_check_at: dt.datetime | None
    last_ping_at: dt.datetime | None
    interval_s: Count
    service_ids: list[int]
    push_url: str | None = Field(None, description="push: the URL the job calls")
    target: str | None = None
    http_method: str | None = None
    http_headers: dict[str, str] | None = None
    http_body: str | None = None
    expected_status: str | None = None
    keyword: str | None = None
    keyword_absent: bool | None = None
    latency_limit_ms: Count | None = None
    cert_min_days: Count | None = None
    verify_tls: bool | None = None
    dns_record_type: str | None = None
    dns_expected: str | None = None
    dns_server: str | None = None
    snmp_version: str | None = None
    snmp_user: str | None = None
    snmp_auth_protocol: str | None = None
    snmp_priv_protocol: str | None = None
    snmp_oid: str | None = None
    snmp_expected: str | None = None
    snmp_scale: float | None = None
    snmp_min: float | None = None
    snmp_max: float | None = None
    snmp_unit: str | None = None
    snmp_secrets_set: list[str] | None = Field(
        None, description="Which SNMP secrets are stored (never their values); staff only"
    )
    push_period_s: Count | None = None
    push_grace_s: Count | None = None
    timeout_s: float | None = None
    retries: Count | None = None
    regions: list[str] | None = None
    quorum: Count | None = None
    assets: str | None = None
    status_reason: str | None = None
    customer_ids: list[int] | None = None
    target_ids: list[int] | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_service_ids(obj: Monitor, context: Any) -> list[int]:
        ids = [s.pk for s in obj.services.all()]
        if _staff(context):
            return ids
        request = context["request"]
        visible = getattr(request, "_monitoring_service_ids", None)
        if visible is None:
            visible = set(visible_services(request.auth).values_list("pk", flat=True))
            request._monitoring_service_ids = visible
        return [pk for pk in ids if pk in visible]

    @staticmethod
    def resolve_customer_ids(obj: Monitor) -> list[int]:
        return [c.pk for c in obj.customers.all()]

    @staticmethod
    def resolve_target_ids(obj: Monitor) -> list[int]:
        return [t.pk for t in obj.targets.all()]

    @staticmethod
    def resolve_snmp_secrets_set(obj: Monitor) -> list[str]:
        return [name for name in SNMP_SECRETS if getattr(obj, name)]

    @staticmethod
    def resolve_push_url(obj: Monitor) -> str | None:
        return catalog.push_url(obj) if obj.push_token else None

    @model_validator(mode="after")
    def _hide_from_customers(self, info: ValidationInfo) -> "MonitorOut":
        if not _staff(info.context):
            for name in STAFF_ONLY:
                setattr(self, name, None)
        return self


def _monitor_fields(data: dict[str, Any]) -> dict[str, Any]:
    for ids, rel in (
        ("service_ids", "services"),
        ("customer_ids", "customers"),
        ("target_ids", "targets"),
    ):
        if ids in data:
            data[rel] = data.pop(ids)
    return data


def _with_relations(qs: Any) -> Any:
    return qs.prefetch_related("services", "customers", "targets")


@router.get("/monitors", response=list[MonitorOut])
@paginate(Pages, page_size=50)
def list_monitors(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    status: MonitorStatus | None = None,
    kind: MonitorKind | None = None,
    service: Id | None = None,
):
    qs = visible_monitors(request.auth)
    return _with_relations(filter_monitors(qs, status=status, kind=kind, service=service))


@router.post("/monitors", response={201: MonitorOut})
def create_monitor(request: HttpRequest, payload: MonitorIn):  # type: ignore[no-untyped-def]
    return Status(201, catalog.create_monitor(request.auth, **_monitor_fields(payload.dict())))


@router.get("/monitors/{monitor_id}", response=MonitorOut)
def get_monitor_(request: HttpRequest, monitor_id: Id):  # type: ignore[no-untyped-def]
    return get_monitor(request.auth, monitor_id)


@router.patch("/monitors/{monitor_id}", response=MonitorOut)
def update_monitor(request: HttpRequest, monitor_id: Id, payload: MonitorPatch):  # type: ignore[no-untyped-def]
    monitor = get_monitor(request.auth, monitor_id)
    fields = _monitor_fields(payload.dict(exclude_unset=True))
    return catalog.update_monitor(request.auth, monitor, **fields)


@router.delete("/monitors/{monitor_id}", response={204: None})
def delete_monitor(request: HttpRequest, monitor_id: Id):  # type: ignore[no-untyped-def]
    catalog.delete_monitor(request.auth, get_monitor(request.auth, monitor_id))
    return Status(204, None)


@router.post("/monitors/{monitor_id}/enable", response=MonitorOut)
def enable_monitor(request: HttpRequest, monitor_id: Id):  # type: ignore[no-untyped-def]
    return catalog.set_enabled(request.auth, get_monitor(request.auth, monitor_id), True)


@router.post("/monitors/{monitor_id}/disable", response=MonitorOut)
def disable_monitor(request: HttpRequest, monitor_id: Id):  # type: ignore[no-untyped-def]
    return catalog.set_enabled(request.auth, get_monitor(request.auth, monitor_id), False)


@router.post("/monitors/{monitor_id}/rotate-token", response=MonitorOut)
def rotate_push_token(request: HttpRequest, monitor_id: Id):  # type: ignore[no-untyped-def]
    """A push monitor's new heartbeat URL; the old one stops working."""
    return catalog.rotate_push_token(request.auth, get_monitor(request.auth, monitor_id))


# -- probe regions --------------------------------------------------------------------------


class RegionIn(_In):
    name: str = Field(..., max_length=40, description="Lower-case letters, digits, - and _")
    description: str = Field("", max_length=200)


class RegionOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    last_seen_at: dt.datetime | None
    last_seen_from: str
    created_at: dt.datetime


class RegionTokenOut(RegionOut):
    token: str = Field(..., description="The agent's token: shown this once, never again")


def _require_staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.auth):
        raise Http404


@router.get("/probe-regions", response=list[RegionOut])
@paginate(Pages, page_size=50)
def list_regions(request: HttpRequest):  # type: ignore[no-untyped-def]
    _require_staff(request)
    return visible_regions(request.auth)


@router.post("/probe-regions", response={201: RegionTokenOut})
def create_region(request: HttpRequest, payload: RegionIn):  # type: ignore[no-untyped-def]
    _require_staff(request)
    region, token = catalog.create_region(request.auth, **payload.dict())
    region.token = token
    return Status(201, region)


@router.post("/probe-regions/{region_id}/rotate", response=RegionTokenOut)
def rotate_region_token(request: HttpRequest, region_id: Id):  # type: ignore[no-untyped-def]
    region = get_region(request.auth, region_id)
    region.token = catalog.rotate_region_token(request.auth, region)
    return region


@router.post("/probe-regions/{region_id}/deactivate", response=RegionOut)
def deactivate_region(request: HttpRequest, region_id: Id):  # type: ignore[no-untyped-def]
    return catalog.deactivate_region(request.auth, get_region(request.auth, region_id))
