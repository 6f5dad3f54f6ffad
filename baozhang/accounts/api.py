"""API for organisations, people and tokens. Thin: every step is a service or selector."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts import services
from baozhang.accounts.models import Language, OrganisationKind, Role
from baozhang.accounts.permissions import roles_of
from baozhang.accounts.selectors import visible_organisations, visible_tokens, visible_users
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Id

router = Router(tags=["people"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    language: Language
    email_domains: str
    is_active: bool
    hotline: str
    complaint_line: str
    created_at: datetime


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrganisationKind = OrganisationKind.CUSTOMER
    language: Language = Language.ZH_HANS
    email_domains: str = ""


class OrganisationPatch(PatchIn):
    name: str | None = Field(None, min_length=1, max_length=200)
    language: Language | None = None
    email_domains: str | None = None
    is_active: bool | None = None
    # The operator's own organisation: where its customers reach it (the portal's home).
    hotline: str | None = Field(None, max_length=100)
    complaint_line: str | None = Field(None, max_length=100)


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    organisation_id: int | None
    language: Language
    is_active: bool
    roles: list[Role]

    @staticmethod
    def resolve_roles(obj: object) -> list[str]:
        return sorted(r.value for r in roles_of(obj))  # type: ignore[arg-type]


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str | None = None
    organisation_id: Id
    roles: list[Role] = []
    email: str = ""
    display_name: str = ""
    phone: str = ""
    language: Language = Language.ZH_HANS


class RolesIn(Schema):
    roles: list[Role]


class LanguageIn(Schema):
    language: Language


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user_id: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field("", max_length=100)


class NewTokenOut(TokenOut):
    secret: str


@router.get("/organisations", response=list[OrganisationOut])
@paginate(Pages, page_size=50)
def list_organisations(request: HttpRequest):  # type: ignore[no-untyped-def]
    return visible_organisations(request.auth)


@router.get("/organisations/{org_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, org_id: Id):  # type: ignore[no-untyped-def]
    return get_object_or_404(visible_organisations(request.auth), pk=org_id)


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn):  # type: ignore[no-untyped-def]
    return Status(201, services.create_organisation(request.auth, **payload.dict()))


@router.patch("/organisations/{org_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, org_id: Id, payload: OrganisationPatch):  # type: ignore[no-untyped-def]
    org = get_object_or_404(visible_organisations(request.auth), pk=org_id)
    return services.update_organisation(request.auth, org, **payload.dict(exclude_unset=True))


@router.get("/users", response=list[UserOut])
@paginate(Pages, page_size=50)
def list_users(request: HttpRequest):  # type: ignore[no-untyped-def]
    return visible_users(request.auth).prefetch_related("groups")


@router.get("/users/{user_id}", response=UserOut)
def get_user(request: HttpRequest, user_id: Id):  # type: ignore[no-untyped-def]
    return get_object_or_404(visible_users(request.auth), pk=user_id)


@router.post("/users", response={201: UserOut})
def create_user(request: HttpRequest, payload: UserIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    org = get_object_or_404(visible_organisations(request.auth), pk=data.pop("organisation_id"))
    return Status(201, services.create_user(request.auth, organisation=org, **data))


@router.put("/users/{user_id}/roles", response=UserOut)
def set_roles(request: HttpRequest, user_id: Id, payload: RolesIn):  # type: ignore[no-untyped-def]
    person = get_object_or_404(visible_users(request.auth), pk=user_id)
    return services.set_roles(request.auth, person, payload.roles)


@router.get("/me", response=UserOut)
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    return request.auth


@router.put("/me/language", response=UserOut)
def set_my_language(request: HttpRequest, payload: LanguageIn):  # type: ignore[no-untyped-def]
    return services.set_language(request.auth, request.auth, payload.language)


@router.get("/tokens", response=list[TokenOut])
@paginate(Pages, page_size=50)
def list_tokens(request: HttpRequest):  # type: ignore[no-untyped-def]
    return visible_tokens(request.auth)


@router.post("/tokens", response={201: NewTokenOut})
def create_token(request: HttpRequest, payload: TokenIn):  # type: ignore[no-untyped-def]
    token, secret = services.create_token(request.auth, request.auth, name=payload.name)
    token.secret = secret  # type: ignore[attr-defined]
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: Id):  # type: ignore[no-untyped-def]
    token = get_object_or_404(visible_tokens(request.auth), pk=token_id)
    return services.revoke_token(request.auth, token)
