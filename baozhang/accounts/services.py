"""The only code that changes people, organisations and tokens. One function per action;
each owns its transaction and records its event."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.models import (
    ApiToken,
    Language,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from baozhang.accounts.permissions import STAFF_ROLES, Capability, remember_roles, require
from baozhang.accounts.token_query import read_token
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import said

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

TOKEN_PREFIX = "bz_"
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "language",
    "email_domains",
    "is_active",
    "hotline",
    "complaint_line",
)
USER_FIELDS = (
    "username",
    "email",
    "display_name",
    "phone",
    "organisation",
    "language",
    "is_active",
    "is_staff",
    "is_superuser",
)


def _check_actor(actor: Actor, capability: Capability) -> None:
    # actor None means the system itself (set-up commands, migrations, demo data).
    if actor is not None:
        require(actor, capability)


def ensure_role_groups() -> None:
    """Create the Django group of every role (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def create_organisation(
    actor: Actor,
    *,
    name: str,
    kind: str = OrganisationKind.CUSTOMER,
    language: str = Language.ZH_HANS,
    email_domains: str = "",
) -> Organisation:
    _check_actor(actor, Capability.MANAGE_ORGANISATIONS)
    org = Organisation(name=name.strip(), kind=kind, language=language, email_domains=email_domains)
    org.full_clean()
    org.save()
    record(EventKind.CREATED, org, actor=actor, after=snapshot(org, ORGANISATION_FIELDS))
    return org


@transaction.atomic
def update_organisation(actor: Actor, org: Organisation, **fields: Any) -> Organisation:
    _check_actor(actor, Capability.MANAGE_ORGANISATIONS)
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown organisation fields: {sorted(unknown)}")
    before = snapshot(org, ORGANISATION_FIELDS)
    for key, value in fields.items():
        setattr(org, key, value)
    org.full_clean()
    org.save(update_fields=list(fields))
    old, new = changed(before, snapshot(org, ORGANISATION_FIELDS))
    if new:
        record(EventKind.UPDATED, org, actor=actor, before=old, after=new)
    return org


def operator_organisation() -> Organisation:
    """The operator's own organisation, created on first use."""
    org = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).first()
    if org is None:
        org = create_organisation(None, name="Operator / 运营方", kind=OrganisationKind.OPERATOR)
    return org


@transaction.atomic
def create_user(
    actor: Actor,
    *,
    username: str,
    password: str | None,
    organisation: Organisation,
    roles: Iterable[str] = (),
    email: str = "",
    display_name: str = "",
    phone: str = "",
    language: str = Language.ZH_HANS,
    is_superuser: bool = False,
    is_active: bool = True,
) -> User:
    """Create a person. Staff roles are refused for a customer's people. A password is
    checked against the validators; None leaves the account without a usable password.
    ``is_active=False`` makes a person who cannot sign in until staff activate them (a
    contact learnt from an e-mail, to review)."""
    _check_actor(actor, Capability.MANAGE_USERS)
    role_set = {Role(r) for r in roles}
    if organisation.kind != OrganisationKind.OPERATOR and role_set & STAFF_ROLES:
        raise ValidationError({"roles": _("A customer's people can only be customer contacts.")})
    user = User(
        username=username.strip(),
        email=email,
        display_name=display_name,
        phone=phone,
        organisation=organisation,
        language=language,
        is_superuser=is_superuser,
        is_staff=is_superuser or Role.ADMINISTRATOR in role_set,
        is_active=is_active,
    )
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    ensure_role_groups()
    user.groups.set(Group.objects.filter(name__in=[r.value for r in role_set]))
    after = snapshot(user, USER_FIELDS) | {"roles": sorted(r.value for r in role_set)}
    record(EventKind.CREATED, user, actor=actor, after=after)
    return user


@transaction.atomic
def set_roles(actor: Actor, user: User, roles: Iterable[str]) -> User:
    _check_actor(actor, Capability.MANAGE_USERS)
    role_set = {Role(r) for r in roles}
    org = user.organisation
    if (org is None or org.kind != OrganisationKind.OPERATOR) and role_set & STAFF_ROLES:
        raise ValidationError({"roles": _("A customer's people can only be customer contacts.")})
    before = sorted(user.groups.values_list("name", flat=True))
    ensure_role_groups()
    user.groups.set(Group.objects.filter(name__in=[r.value for r in role_set]))
    user.is_staff = user.is_superuser or Role.ADMINISTRATOR in role_set
    user.save(update_fields=["is_staff"])
    after = sorted(r.value for r in role_set)
    if before != after:
        record(
            EventKind.UPDATED, user, actor=actor, before={"roles": before}, after={"roles": after}
        )
    user.__dict__.pop("_baozhang_roles", None)
    return user


@transaction.atomic
def set_language(actor: Actor, user: User, language: str) -> User:
    """A person chooses their own language; administrators may set anyone's."""
    if actor is not None and getattr(actor, "pk", None) != user.pk:
        require(actor, Capability.MANAGE_USERS)
    if language not in Language.values:
        raise ValidationError(
            {
                "language": _("Unknown language %(value)s; use one of %(allowed)s.")
                % {"value": language, "allowed": ", ".join(Language.values)}
            }
        )
    if user.language != language:
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        record(
            EventKind.UPDATED,
            user,
            actor=actor,
            before={"language": before},
            after={"language": language},
        )
    return user


@transaction.atomic
def change_password(user: User, new_password: str) -> User:
    """A person sets a new password (the old one was checked by the caller's form)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(EventKind.PASSWORD_CHANGED, user, actor=user)
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def create_token(actor: Actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for `user`; returns the row and the secret, which is never stored
    and cannot be shown again."""
    if actor is not None and getattr(actor, "pk", None) != user.pk:
        require(actor, Capability.MANAGE_USERS)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], digest=_digest(secret)
    )
    record(
        EventKind.TOKEN_CREATED,
        token,
        actor=actor,
        organisation=user.organisation,
        after={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    if actor is not None and getattr(actor, "pk", None) != token.user_id:
        require(actor, Capability.MANAGE_USERS)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            EventKind.TOKEN_REVOKED,
            token,
            actor=actor,
            organisation=token.user.organisation,
            after={"prefix": token.prefix},
        )
    return token


def user_for_token(secret: str) -> User | None:
    """The active user a token belongs to, or None if it is unknown, revoked or the user
    is inactive. Marks the token used (at most once a minute, to spare writes). The
    token, its person, the organisation and the person's roles cost one statement."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    found = read_token(_digest(secret), now - timedelta(seconds=60))
    if found is None or not found.user.is_active:
        return None
    org = found.user.organisation
    if org is not None and not org.is_active:
        return None
    remember_roles(found.user, found.group_names)
    if found.stale:
        ApiToken.objects.filter(pk=found.token_id).update(last_used_at=now)
    return found.user


# Refused bearer tokens are recorded like failed sign-ins, but bounded: at most one event
# per source address per window (it counts the refusals since that address's last record),
# and at most REFUSED_TOKEN_EVENTS_PER_WINDOW events in a window from all addresses, so that
# a flood of bad tokens cannot fill the event table. The counters live in the cache.
REFUSED_TOKEN_WINDOW_S = 60
REFUSED_TOKEN_EVENTS_PER_WINDOW = 60


def _bump(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def record_refused_token(secret: str, ip_address: str | None) -> bool:
    """Record that a bearer token was refused (unknown, revoked, or of an inactive person)
    as a sign-in-failed event, unless this address or everyone was recorded enough in the
    current window. Only the token's public prefix is kept, never the secret. Returns
    whether an event was written."""
    source = ip_address or "-"
    count = _bump(f"baozhang:refused-token:n:{source}", 24 * 3600)
    if not cache.add(f"baozhang:refused-token:{source}", 1, timeout=REFUSED_TOKEN_WINDOW_S):
        return False
    if _bump("baozhang:refused-token:all", REFUSED_TOKEN_WINDOW_S) > (
        REFUSED_TOKEN_EVENTS_PER_WINDOW
    ):
        return False
    cache.set(f"baozhang:refused-token:n:{source}", 0, timeout=24 * 3600)
    prefix = secret[:10] if secret.startswith(TOKEN_PREFIX) else ""
    token = (
        ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    )
    record(
        EventKind.SIGN_IN_FAILED,
        token,
        actor_label=token.user.get_username() if token else "?",
        object_type="" if token else "accounts.apitoken",
        object_id="" if token else "-",
        object_label=f"{prefix}…" if prefix else "",
        organisation=token.user.organisation if token else None,
        after={"prefix": prefix, "refused": count},
        summary=said("API token refused"),
        ip_address=ip_address,
    )
    return True


def ensure_initial_admin(username: str = "admin") -> tuple[User, str] | None:
    """On first run, an administrator with a random password, returned once to be printed.
    None if any superuser already exists."""
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = secrets.token_urlsafe(12)
    user = create_user(
        None,
        username=username,
        password=password,
        organisation=operator_organisation(),
        roles=[Role.ADMINISTRATOR],
        display_name="Administrator / 管理员",
        is_superuser=True,
    )
    return user, password
