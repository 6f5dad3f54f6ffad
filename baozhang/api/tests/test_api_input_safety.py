"""Input a client can send never makes the API answer 5xx: every refusal is the project's
JSON error (422, 400 or 413) naming what was wrong, and the OpenAPI document states the
bounds and the error answers."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from baozhang.accounts.models import ApiToken
from baozhang.accounts.services import REFUSED_TOKEN_WINDOW_S
from baozhang.api.types import MAX_ID, MAX_PAGE
from baozhang.api_site import api
from baozhang.catalog.models import Service
from baozhang.events.models import Event, EventKind
from baozhang.events.tests.reading import reads
from baozhang.incidents.models import Incident

HUGE = "100000000000000000000"


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields", "codes"}
    assert set(body["error"]["codes"]) == set(body["error"]["fields"])
    return body["error"]


# -- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/organisations?page={HUGE}",
        f"/api/v1/events?page={HUGE}",
        f"/api/v1/organisations/{HUGE}",
        f"/api/v1/tickets/{HUGE}",
        f"/api/v1/monitors?service={HUGE}",
        f"/api/v1/staffing/shifts?person_id={HUGE}",
        "/api/v1/incidents/0",
    ],
)
def test_numbers_out_of_range_are_422_not_500(personas, api_client, url):
    # Given an administrator; when a number beyond any id or page is sent
    response = api_client(personas.admin).get(url)

    # then it is refused as input
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid"


def test_a_customer_gets_422_for_a_huge_id_list_too(personas, api_client):
    response = api_client(personas.contact_a).post(
        "/api/v1/incidents",
        {"title": "x", "customer_ids": [int(HUGE)]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "customer_ids.0" in _error(response)["fields"]


def test_the_openapi_document_states_the_bounds(db):
    doc = api.get_openapi_schema()
    path = doc["paths"]["/api/v1/organisations/{org_id}"]["get"]
    (org_id,) = [p for p in path["parameters"] if p["name"] == "org_id"]
    (page,) = [
        p for p in doc["paths"]["/api/v1/organisations"]["get"]["parameters"] if p["name"] == "page"
    ]
    assert (org_id["schema"]["minimum"], org_id["schema"]["maximum"]) == (1, MAX_ID)
    assert page["schema"]["maximum"] == MAX_PAGE


# -- nulls, times, bodies -----------------------------------------------------------------


def test_an_explicit_null_for_a_field_that_cannot_be_null_is_422(personas, api_client):
    client = api_client(personas.admin)
    response = client.patch(
        f"/api/v1/organisations/{personas.org_a.pk}",
        {"name": None, "is_active": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(_error(response)["fields"]) == {"name", "is_active"}


def test_null_still_clears_a_field_that_may_be_cleared(personas, api_client):
    # Given a service on an incident; when its service is set to null, it has none
    service = Service.objects.create(name="主机", name_en="Hosting", slug="hosting")
    client = api_client(personas.agent)
    created = client.post(
        "/api/v1/incidents",
        {"title": "Disk full", "service_id": service.pk},
        content_type="application/json",
    ).json()
    response = client.patch(
        f"/api/v1/incidents/{created['id']}", {"service_id": None}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["service_id"] is None


def test_a_customers_null_channel_config_is_422(personas, api_client):
    client = api_client(personas.contact_a)
    created = client.post(
        "/api/v1/notify/channels",
        {"name": "ops", "kind": "webhook", "config": {"webhook_url": "http://127.0.0.1:9/hook"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    response = client.patch(
        f"/api/v1/notify/channels/{created.json()['id']}",
        {"config": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "config" in _error(response)["fields"]


def test_a_time_of_day_with_an_offset_is_refused_and_times_read_back_plain(personas, api_client):
    client = api_client(personas.director)
    refused = client.patch(
        "/api/v1/staffing/promise",
        {"day_shift_start": "09:00:00+08:00"},
        content_type="application/json",
    )
    accepted = client.patch(
        "/api/v1/staffing/promise", {"day_shift_start": "08:30"}, content_type="application/json"
    )

    assert refused.status_code == 422
    assert "day_shift_start" in _error(refused)["fields"]
    assert accepted.status_code == 200
    assert accepted.json()["day_shift_start"] == "08:30:00"
    schema = api.get_openapi_schema()["components"]["schemas"]["PromiseOut"]
    assert "format" not in schema["properties"]["day_shift_start"]


@pytest.mark.parametrize("body", ['"zzz"', "[]", "null", "42"])
def test_a_body_that_is_not_an_object_is_422_and_changes_nothing(personas, api_client, body):
    client = api_client(personas.agent)
    created = client.post("/api/v1/incidents", body, content_type="application/json")
    patched = client.patch(
        f"/api/v1/organisations/{personas.org_a.pk}", body, content_type="application/json"
    )
    assert created.status_code == 422
    assert patched.status_code == 422
    assert _error(created)["code"] == "invalid"
    assert not Incident.objects.exists()


def test_a_body_that_is_not_json_is_400_in_the_error_shape(personas, api_client):
    client = api_client(personas.agent)
    for body in ("x", "{not json", '{"title": NaN}'):
        response = client.post("/api/v1/incidents", body, content_type="application/json")
        assert response.status_code == 400
        assert _error(response)["code"] == "bad_request"


def test_a_multipart_body_without_boundary_is_400_json(personas, api_client):
    response = api_client(personas.agent).post(
        "/api/v1/tickets/1/attachments", b"--x--", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


def test_a_body_over_the_limit_is_413_json(personas, api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"title": "x" * 5000})
    response = api_client(personas.agent).post(
        "/api/v1/incidents", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_control_characters_are_refused_naming_the_field(personas, api_client):
    client = api_client(personas.agent)
    response = client.post(
        "/api/v1/incidents",
        {"title": "disk\x00full", "message": "ok\tfine\r\nyes", "customer_ids": []},
        content_type="application/json",
    )
    nested = client.post(
        "/api/v1/notify/channels",
        {"name": "x", "kind": "webhook", "config": {"url": "http://h/\x07"}},
        content_type="application/json",
    )
    query = client.get("/api/v1/events?kind=a%00b")
    surrogate = client.post(
        "/api/v1/incidents", '{"title": "half \\ud800 a pair"}', content_type="application/json"
    )

    assert response.status_code == 422
    assert list(_error(response)["fields"]) == ["title"]
    assert "config.url" in _error(nested)["fields"]
    assert query.status_code == 422
    assert "title" in _error(surrogate)["fields"]
    assert not Incident.objects.exists()


# -- the document -------------------------------------------------------------------------


def _models(annotation, seen):  # type: ignore[no-untyped-def]
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)
    for arg in get_args(annotation):
        _models(arg, seen)


def test_every_schema_in_the_document_has_a_name_of_its_own(db):
    # Two classes with one name would make the document describe one with the other.
    seen: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                for model in op.models:
                    _models(model, seen)
                for response in (op.response_models or {}).values():
                    if response is not None:
                        _models(response, seen)
    names: dict[str, set] = {}
    for cls in seen:
        if cls.__module__.startswith("baozhang."):
            names.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {n: sorted(c) for n, c in names.items() if len(c) > 1} == {}
    doc = api.get_openapi_schema()
    listed = doc["paths"]["/api/v1/notify/messages"]["get"]["responses"][200]
    assert "NotificationOut" in json.dumps(listed)


def test_every_operation_documents_the_error_answers(db):
    doc = api.get_openapi_schema()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert {401, 404, 422} <= set(op["responses"]), (method, path)


# -- authentication -----------------------------------------------------------------------


def test_a_401_says_how_to_authenticate(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response)["code"] == "unauthorised"


def test_refused_tokens_are_recorded_once_per_window_per_address(personas, api_client):
    # Given a revoked token and an unknown one
    api_client(personas.agent)
    token = ApiToken.objects.get(user=personas.agent)
    token.revoked_at = token.created_at
    token.save(update_fields=["revoked_at"])
    bad = Client(headers={"Authorization": f"Bearer {token.prefix}{'x' * 33}"})

    # when it is tried 20 times from one address, and once from another
    for _ in range(20):
        assert bad.get("/api/v1/me").status_code == 401
    Client(headers={"Authorization": "Bearer nonsense"}).get("/api/v1/me", REMOTE_ADDR="127.0.0.2")

    # then each address left one sign-in-failed record, with the token's prefix only
    events = list(Event.objects.filter(kind=EventKind.SIGN_IN_FAILED).order_by("id"))
    assert [e.ip_address for e in events] == ["127.0.0.1", "127.0.0.2"]
    assert events[0].object_id == str(token.pk)
    assert events[0].after == {"prefix": token.prefix, "refused": 1}
    assert reads(events[0]) == ("API 令牌无效", "API token refused")
    assert "x" * 33 not in json.dumps([e.after for e in events])
    assert REFUSED_TOKEN_WINDOW_S > 0


def test_the_count_of_refusals_rides_on_the_next_record(db, settings):
    from django.core.cache import cache

    bad = Client(headers={"Authorization": "Bearer bz_unknown"})
    for _ in range(5):
        bad.get("/api/v1/me")
    cache.delete("baozhang:refused-token:127.0.0.1")  # the window ends

    bad.get("/api/v1/me")

    counts = [e.after["refused"] for e in Event.objects.filter(kind=EventKind.SIGN_IN_FAILED)]
    assert sorted(counts) == [1, 5]


# -- language -----------------------------------------------------------------------------


def test_error_messages_follow_the_request_language(personas, api_client):
    client = api_client(personas.agent)
    english = client.post(
        "/api/v1/incidents", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    chinese = client.post(
        "/api/v1/incidents", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert _error(english)["message"] == "Invalid input"
    assert _error(chinese)["message"] == "输入有误"


# -- incidents ----------------------------------------------------------------------------


def test_an_incident_without_a_service_is_not_public(personas, api_client):
    client = api_client(personas.agent)
    created = client.post("/api/v1/incidents", {"title": "x"}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["is_public"] is False

    refused = client.patch(
        f"/api/v1/incidents/{created.json()['id']}",
        {"is_public": True},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "is_public" in _error(refused)["fields"]


def test_an_incident_loses_public_when_its_service_is_removed(personas, api_client):
    service = Service.objects.create(name="邮件", name_en="Mail", slug="mail")
    client = api_client(personas.agent)
    created = client.post(
        "/api/v1/incidents",
        {"title": "x", "service_id": service.pk},
        content_type="application/json",
    ).json()
    assert created["is_public"] is True

    patched = client.patch(
        f"/api/v1/incidents/{created['id']}", {"service_id": None}, content_type="application/json"
    )
    assert patched.json()["is_public"] is False
