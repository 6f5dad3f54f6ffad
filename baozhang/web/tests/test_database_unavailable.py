"""The database away: every page and API call answers 503 with Retry-After (a page in both
languages, or the API's JSON error), never a 500 or a traceback; the outage is logged
once, not per request; the next request after it is served again without a restart."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from baozhang.accounts import services
from baozhang.web.unavailable import RETRY_AFTER_SECONDS


@contextmanager
def database_away(error: type[Exception] = OperationalError) -> Iterator[None]:
    """Every query fails as it does when PostgreSQL is stopped or the network is cut."""

    def refuse(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        raise error('connection to server at "127.0.0.1" failed: Connection refused')

    with connection.execute_wrapper(refuse):
        yield


def _api_client(user: Any) -> Client:
    _token, secret = services.create_token(None, user, name="drill")
    return Client(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)


def _page_client(user: Any | None = None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user, backend="baozhang.accounts.backends.ActiveOrganisationBackend")
    return client


@pytest.mark.django_db
def test_the_api_answers_503_json_with_retry_after_while_the_database_is_away(
    personas: Any,
) -> None:
    client = _api_client(personas.contact_a)
    # given the database away
    with database_away():
        # when a customer lists and opens tickets through the API
        listed = client.get("/api/v1/tickets")
        opened = client.post(
            "/api/v1/tickets",
            {"kind": "fault", "subject": "lost?"},
            content_type="application/json",
        )
        # and when one asks in English
        listed_en = client.get("/api/v1/tickets", HTTP_ACCEPT_LANGUAGE="en")
    # then both answer 503 in the API's error shape, in the reader's language (Chinese by
    # default, English when asked), with Retry-After
    for response in (listed, opened, listed_en):
        assert response.status_code == 503
        assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        error = response.json()["error"]
        assert error["code"] == "unavailable"
        assert error["fields"] == {}
    assert "请稍后重试" in listed.json()["error"]["message"]
    assert "try again" in listed_en.json()["error"]["message"]
    assert "请稍后重试" not in listed_en.json()["error"]["message"]
    # and once the database is back the same client is served without a restart
    assert client.get("/api/v1/tickets").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_signed_in_page_answers_a_503_page_in_the_readers_language_and_no_traceback(
    personas: Any, error: type[Exception]
) -> None:
    client = _page_client(personas.agent)
    # given the database away (the session and the person cannot be read either)
    with database_away(error):
        # when an agent opens the queue
        response = client.get("/desk/")
        response_en = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en")
    # then a 503 page in the reader's language, not cached, with no traceback in it
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "暂时无法使用" in page and "Temporarily unavailable" not in page
    page_en = response_en.content.decode()
    assert response_en.status_code == 503
    assert "Temporarily unavailable" in page_en and "暂时无法使用" not in page_en
    assert "Traceback" not in page and "Connection refused" not in page
    # and afterwards the queue is served again
    assert client.get("/desk/").status_code == 200


@pytest.mark.django_db
def test_the_public_status_page_answers_503_and_the_outage_is_logged_once(
    personas: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = _page_client()
    caplog.set_level(logging.INFO)
    # given the database away, when the status page is asked for five times
    with database_away():
        statuses = [client.get("/status/").status_code for _ in range(5)]
    # then each answer is 503
    assert statuses == [503] * 5
    # and the log holds no traceback and no per-request error, only one outage line
    assert not [r for r in caplog.records if r.exc_info]
    assert not [r for r in caplog.records if r.name == "django.request"]
    said = [r for r in caplog.records if "database is unavailable" in r.getMessage()]
    assert len(said) <= 1  # one per outage (an earlier test in this process may own it)


@pytest.mark.django_db
def test_an_error_that_is_not_the_database_away_is_still_a_500(personas: Any) -> None:
    client = _page_client()

    def broken(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        raise RuntimeError("a bug, not an outage")

    # given a query that fails for another reason
    with connection.execute_wrapper(broken):
        response = client.get("/status/")
    # then it is not disguised as a 503
    assert response.status_code == 500
