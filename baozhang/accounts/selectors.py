"""Read queries that enforce who may see what. Every list and detail goes through here."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet

from baozhang.accounts.models import ApiToken, Organisation, OrganisationKind, User
from baozhang.accounts.permissions import Capability, can, is_operator_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=Model)


def scope_to_organisation(
    qs: QuerySet[M], user: User | AnonymousUser, field: str = "organisation"
) -> QuerySet[M]:
    """Rows of `qs` the user may see: all for the operator's staff, only rows whose
    `field` is the user's own organisation for a customer's people, none for anyone else.
    Every area scopes its customer data through this one rule."""
    if is_operator_staff(user):
        return qs
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return qs.none()
    if not user.organisation.is_active:
        return qs.none()
    return qs.filter(**{f"{field}_id": user.organisation_id})


def visible_organisations(user: User | AnonymousUser) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if can(user, Capability.VIEW_ALL_CUSTOMERS):
        return qs
    if not user.is_authenticated or not user.organisation_id:
        return qs.none()
    return qs.filter(pk=user.organisation_id)


def visible_users(user: User | AnonymousUser) -> QuerySet[User]:
    """Staff see everyone; a customer's person sees the people of their own organisation."""
    qs = User.objects.select_related("organisation")
    if is_operator_staff(user):
        return qs
    if not user.is_authenticated or not user.organisation_id:
        return qs.none()
    return qs.filter(organisation_id=user.organisation_id)


def visible_tokens(user: User | AnonymousUser) -> QuerySet[ApiToken]:
    """Administrators see every token; others only their own."""
    qs = ApiToken.objects.select_related("user")
    if can(user, Capability.MANAGE_USERS):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(user=user)


# The fewest characters after "bz_" that name a token on the command line (git's rule for
# abbreviated ids): fewer would too easily name the wrong one.
TOKEN_PREFIX_MIN_CHARS = 4
# What is kept of a token's secret to name it (services.create_token: the first ten).
STORED_PREFIX_CHARS = 10


def tokens_by_prefix(text: str) -> list[ApiToken]:
    """The active tokens that ``text`` names: the whole secret, the identifying prefix
    shown when it was made and in lists (``bz_`` and seven characters), or any start of
    it with at least four characters after ``bz_``; a trailing ellipsis, as lists show it,
    is ignored. Newest first; more than one means ``text`` is ambiguous. Raises
    ValueError (bilingual) for text that cannot name a token."""
    from baozhang.accounts.services import TOKEN_PREFIX

    text = text.strip().rstrip("…").rstrip(".")
    if not text.startswith(TOKEN_PREFIX) or len(text) < len(TOKEN_PREFIX) + (
        TOKEN_PREFIX_MIN_CHARS
    ):
        raise ValueError(
            f"{text!r} does not name a token: give its prefix, {TOKEN_PREFIX} and at least "
            f"{TOKEN_PREFIX_MIN_CHARS} more characters (see listtokens) / {text!r} 不能指明"
            f"令牌：请给出其前缀，即 {TOKEN_PREFIX} 加至少 {TOKEN_PREFIX_MIN_CHARS} 个字符"
            f"（见 listtokens）"
        )
    active = ApiToken.objects.select_related("user").filter(revoked_at__isnull=True)
    if len(text) >= STORED_PREFIX_CHARS:
        # The stored prefix, or longer (the whole secret): the prefix is all that is kept.
        active = active.filter(prefix=text[:STORED_PREFIX_CHARS])
    else:
        active = active.filter(prefix__startswith=text)
    return list(active.order_by("-created_at", "-pk"))


def tokens_listed(username: str | None = None, *, revoked: bool = False) -> list[ApiToken]:
    """API tokens for the command line, newest first: of one person (by user name) or of
    everyone; revoked ones only with ``revoked``."""
    qs = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if username is not None:
        qs = qs.filter(user__username=username)
    if not revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return list(qs)


def staff_filter() -> Q:
    return Q(organisation__kind=OrganisationKind.OPERATOR) | Q(is_superuser=True)


def operator_contact_lines() -> tuple[str, str]:
    """(service hotline, complaint line) as the operator set them on its own organisation;
    empty strings where it has not (or there is no operator organisation yet)."""
    row = (
        Organisation.objects.filter(kind=OrganisationKind.OPERATOR)
        .values_list("hotline", "complaint_line")
        .first()
    )
    return (row[0], row[1]) if row else ("", "")
