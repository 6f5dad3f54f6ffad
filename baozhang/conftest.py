"""Shared fixtures: a few named personas set up once (healthchecks' habit), so permission
tests read like sentences, and factories for organisations and people (saleor's habit)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from baozhang.accounts import services
from baozhang.accounts.models import Organisation, OrganisationKind, Role, User

PASSWORD = "correct-horse-battery-7"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres_only are deselected (not skipped) when the suite runs on
    another database; the PostgreSQL run of `make test` runs them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    keep = [i for i in items if i.get_closest_marker("postgres_only") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


@dataclass
class Personas:
    operator: Organisation
    org_a: Organisation
    org_b: Organisation
    admin: User
    agent: User
    engineer: User
    director: User
    security: User
    contact_a: User
    contact_b: User


# The tests' webhook and SMTP receivers listen on loopback, which notifications refuse by
# default (notify.outbound): the suite allows loopback the way an operator would, through
# the setting, in this process and (by the environment) in workers the tests start. Tests
# of the refusal set OUTBOUND_ALLOW_HOSTS back to the default, empty.
TEST_OUTBOUND_ALLOW_HOSTS = ["127.0.0.0/8", "::1", "localhost"]


@pytest.fixture(autouse=True)
def _outbound_allows_loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.OUTBOUND_ALLOW_HOSTS = list(TEST_OUTBOUND_ALLOW_HOSTS)
    monkeypatch.setenv("BAOZHANG_OUTBOUND_ALLOW_HOSTS", ",".join(TEST_OUTBOUND_ALLOW_HOSTS))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The production hasher is slow on purpose; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user_factory(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(organisation: Organisation, roles: list[str] | None = None, **kw: Any) -> User:
        counter["n"] += 1
        kw.setdefault("username", f"user{counter['n']}")
        kw.setdefault("password", PASSWORD)
        return services.create_user(None, organisation=organisation, roles=roles or [], **kw)

    return make


@pytest.fixture
def organisation_factory(db: Any) -> Callable[..., Organisation]:
    counter = {"n": 0}

    def make(**kw: Any) -> Organisation:
        counter["n"] += 1
        kw.setdefault("name", f"Customer {counter['n']}")
        return services.create_organisation(None, **kw)

    return make


@pytest.fixture
def personas(db: Any, user_factory: Callable[..., User]) -> Personas:
    operator = services.operator_organisation()
    org_a = services.create_organisation(
        None, name="客户甲 Customer A", kind=OrganisationKind.CUSTOMER
    )
    org_b = services.create_organisation(
        None, name="Customer B", kind=OrganisationKind.CUSTOMER, language="en"
    )
    return Personas(
        operator=operator,
        org_a=org_a,
        org_b=org_b,
        admin=user_factory(operator, [Role.ADMINISTRATOR], username="admin", is_superuser=True),
        agent=user_factory(operator, [Role.AGENT], username="agent"),
        engineer=user_factory(operator, [Role.ENGINEER], username="engineer"),
        director=user_factory(operator, [Role.SERVICE_DIRECTOR], username="director"),
        security=user_factory(operator, [Role.SECURITY_OFFICER], username="security"),
        contact_a=user_factory(org_a, [Role.CUSTOMER_CONTACT], username="contact_a"),
        contact_b=user_factory(org_b, [Role.CUSTOMER_CONTACT], username="contact_b", language="en"),
    )


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    """Sign a persona in on the test client (without going through the lockout counter)."""

    def sign_in(user: User) -> Client:
        client.force_login(user, backend="baozhang.accounts.backends.ActiveOrganisationBackend")
        return client

    return sign_in


@pytest.fixture
def api_client(db: Any) -> Callable[[User], Client]:
    """A client that sends `Authorization: Bearer <token>` of the given persona."""

    def make(user: User, language: str = "") -> Client:
        # Answers speak the Accept-Language sent, else the token owner's language.
        _token, secret = services.create_token(None, user, name="test")
        headers = {"Authorization": f"Bearer {secret}"}
        if language:
            headers["Accept-Language"] = language
        return Client(headers=headers)

    return make


# -- the browser (Playwright driving Debian's chromium; never a downloaded browser) --

CHROMIUM = os.environ.get("BAOZHANG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("BAOZHANG_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture
def page() -> Iterator[Any]:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        message = f"no chromium at {CHROMIUM} (apt-get install chromium) or no playwright"
        if ci:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign a persona in through the real sign-in page."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("article button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def sign_out(page: Any) -> None:
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_selector("input[name=username]")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the status page is cached for 30 s)."""
    from django.core.cache import cache

    cache.clear()
    yield
