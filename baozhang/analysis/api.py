"""API for cause analysis (/api/v1/analysis/…): the taxonomy of cause categories (the keys
an incident's review takes as ``category``) and the improvement actions with their state.
The operator's staff only (403 for anyone else); changes are made where the subject lives
(the incident's review, the complaint's ticket) and on the pages."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from baozhang.accounts.permissions import is_operator_staff
from baozhang.analysis.models import ActionKind, SubjectKind
from baozhang.analysis.selectors import (
    OVERDUE,
    action_state,
    categories,
    visible_actions,
    with_state,
)
from baozhang.api.pagination import Pages

router = Router(tags=["analysis"])


class CategoryOut(Schema):
    key: str
    name: str
    name_en: str
    position: int
    active: bool
    built_in: bool


class ActionOut(Schema):
    id: int
    kind: ActionKind
    description: str
    owner_id: int
    due_on: dt.date | None
    done_at: dt.datetime | None
    state: Literal["open", "overdue", "done_on_time", "done_late"]
    subject_kind: SubjectKind
    subject_id: int
    category: str | None

    @staticmethod
    def resolve_state(obj: Any) -> str:
        return action_state(obj)

    @staticmethod
    def resolve_subject_kind(obj: Any) -> str:
        return str(obj.analysis.subject_kind)

    @staticmethod
    def resolve_subject_id(obj: Any) -> int:
        return int(obj.analysis.subject_id)

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.analysis.category.key if obj.analysis.category else None


def _staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.auth):
        raise PermissionDenied("只有运维方员工可以查看 / the operator's staff only")


@router.get("/analysis/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The cause categories (Q2), in their order, active and inactive."""
    _staff(request)
    return list(categories())


@router.get("/analysis/actions", response=list[ActionOut])
@paginate(Pages, page_size=100)
def list_actions(  # type: ignore[no-untyped-def]
    request: HttpRequest, show: Literal["open", "overdue", "mine", "done", "all"] = "open"
):
    """Improvement actions of every cause analysis: ``open`` (not done), ``overdue``,
    ``mine`` (open, owned by the caller), ``done`` or ``all``."""
    _staff(request)
    qs = visible_actions(request.auth)
    if show == "open":
        qs = qs.filter(done_at__isnull=True)
    elif show == "overdue":
        qs = with_state(qs, OVERDUE)
    elif show == "mine":
        qs = qs.filter(done_at__isnull=True, owner=request.auth)
    elif show == "done":
        qs = qs.filter(done_at__isnull=False)
    return qs.order_by("due_on", "id")
