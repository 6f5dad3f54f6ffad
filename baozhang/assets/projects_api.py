"""API of construction projects and their handover (/api/v1/projects…, 工程交接, I6). Thin:
every step is a service of assets/projects.py.

Projects are the operator's: its staff read them, anyone else gets 404. Changes need the
capability of keeping equipment; a refusal (an asset not in construction, an acceptance
signed by the project's tester or requester, tests not passed, the checklist not checked)
is a 422 with the project's JSON error, in both languages.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import User
from baozhang.accounts.permissions import is_operator_staff
from baozhang.api.pagination import Pages
from baozhang.api.types import Date, Id
from baozhang.assets import projects, services
from baozhang.assets.models import Asset, ConstructionProject, HandoverItem, HandoverTopic

router = Router(tags=["construction projects"])


class TestOut(Schema):
    id: int
    item: str
    requirement: str
    measured: str
    passed: bool
    tester_id: int
    tested_on: dt.date


class ItemOut(Schema):
    id: int
    topic: HandoverTopic
    text: str
    checked_by_id: int | None
    checked_at: dt.datetime | None


class ProjectOut(Schema):
    id: int
    name: str
    description: str
    contractor: str
    responsible_ids: list[int]
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    asset_ids: list[int]
    requested_by_id: int | None
    accepted_by_id: int | None
    accepted_at: dt.datetime | None
    acceptance_note: str
    tests: list[TestOut]
    handover_items: list[ItemOut]

    @staticmethod
    def resolve_responsible_ids(obj: ConstructionProject) -> list[int]:
        return sorted(u.pk for u in obj.responsible.all())

    @staticmethod
    def resolve_asset_ids(obj: ConstructionProject) -> list[int]:
        return sorted(a.pk for a in obj.assets.all())

    @staticmethod
    def resolve_tests(obj: ConstructionProject) -> list[Any]:
        return list(obj.tests.all())

    @staticmethod
    def resolve_handover_items(obj: ConstructionProject) -> list[Any]:
        return list(obj.handover_items.all())


class ProjectIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    contractor: str = Field(..., min_length=1, max_length=200)
    responsible_ids: list[Id] = Field(default_factory=list, max_length=100)
    planned_start: Date | None = None
    planned_end: Date | None = None
    actual_start: Date | None = None
    actual_end: Date | None = None
    asset_ids: list[Id] = Field(default_factory=list, max_length=1000)


class TestIn(Schema):
    item: str = Field(..., min_length=1, max_length=200)
    requirement: str = Field(..., min_length=1, max_length=300)
    measured: str = Field(..., min_length=1, max_length=300)
    passed: bool
    tester_id: Id | None = None
    tested_on: Date


class ItemIn(Schema):
    topic: HandoverTopic
    text: str = Field(..., min_length=1, max_length=300)


class HandoverAcceptIn(Schema):
    note: str = Field("", max_length=500)


def _rows(model: Any, ids: list[int], field: str, **extra: Any) -> list[Any]:
    wanted = set(ids)
    found = list(model.objects.filter(pk__in=wanted, **extra))
    if len(found) != len(wanted):
        missing = sorted(wanted - {r.pk for r in found})
        raise ValidationError({field: f"没有这些编号：{missing} / no such ids: {missing}"})
    return found


def _project(request: HttpRequest, project_id: int) -> ConstructionProject:
    if not is_operator_staff(request.auth):  # type: ignore[attr-defined]
        raise Http404
    found = (
        ConstructionProject.objects.filter(pk=project_id)
        .prefetch_related("responsible", "assets", "tests", "handover_items")
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.get("/projects", response=list[ProjectOut])
@paginate(Pages, page_size=100)
def list_projects(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Construction projects, newest first (operator staff only; others see none)."""
    if not is_operator_staff(request.auth):  # type: ignore[attr-defined]
        return ConstructionProject.objects.none()
    return ConstructionProject.objects.prefetch_related(
        "responsible", "assets", "tests", "handover_items"
    ).order_by("-created_at", "-id")


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request: HttpRequest, project_id: Id):  # type: ignore[no-untyped-def]
    return _project(request, project_id)


@router.post("/projects", response={201: ProjectOut})
def create_project(request: HttpRequest, payload: ProjectIn):  # type: ignore[no-untyped-def]
    """A new construction project; its assets must be in construction."""
    services.require_manager(request.auth)  # type: ignore[attr-defined]
    data = payload.dict()
    people = _rows(User, data.pop("responsible_ids"), "responsible_ids", is_active=True)
    assets = _rows(Asset, data.pop("asset_ids"), "asset_ids")
    project = projects.create_project(
        request.auth,  # type: ignore[attr-defined]
        responsible=people,
        assets=assets,
        **data,
    )
    return Status(201, _project(request, project.pk))


@router.post("/projects/{project_id}/tests", response={201: ProjectOut})
def record_test(request: HttpRequest, project_id: Id, payload: TestIn):  # type: ignore[no-untyped-def]
    """One acceptance test's result; the tester is the caller unless named."""
    project = _project(request, project_id)
    data = payload.dict()
    tester_id = data.pop("tester_id")
    tester = (
        _rows(User, [tester_id], "tester_id", is_active=True)[0]
        if tester_id is not None
        else request.auth  # type: ignore[attr-defined]
    )
    projects.record_test(request.auth, project, tester=tester, **data)  # type: ignore[attr-defined]
    return Status(201, _project(request, project_id))


@router.post("/projects/{project_id}/handover-items", response={201: ProjectOut})
def add_item(request: HttpRequest, project_id: Id, payload: ItemIn):  # type: ignore[no-untyped-def]
    project = _project(request, project_id)
    projects.add_handover_item(request.auth, project, topic=payload.topic, text=payload.text)  # type: ignore[attr-defined]
    return Status(201, _project(request, project_id))


@router.post("/projects/{project_id}/handover-items/{item_id}/check", response=ProjectOut)
def check_item(request: HttpRequest, project_id: Id, item_id: Id):  # type: ignore[no-untyped-def]
    project = _project(request, project_id)
    item = HandoverItem.objects.filter(project=project, pk=item_id).first()
    if item is None:
        raise Http404
    projects.check_handover_item(request.auth, item)  # type: ignore[attr-defined]
    return _project(request, project_id)


@router.post("/projects/{project_id}/accept", response=ProjectOut)
def accept(request: HttpRequest, project_id: Id, payload: HandoverAcceptIn):  # type: ignore[no-untyped-def]
    """Accept the handover: the project's assets enter service."""
    project = _project(request, project_id)
    projects.accept_handover(request.auth, project, note=payload.note)  # type: ignore[attr-defined]
    return _project(request, project_id)
