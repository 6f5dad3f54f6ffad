"""The API's contract: JSON errors with field-level messages, pagination, OpenAPI, docs."""

from __future__ import annotations

from django.test import Client


def test_wrong_fields_get_json_errors_naming_each_field(personas, api_client):
    client = api_client(personas.director)
    response = client.post(
        "/api/v1/organisations",
        {"name": "", "kind": "martian", "language": "fr"},
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "kind", "language"}
    assert "输入有误" in error["message"]


def test_a_duplicate_name_is_a_field_error_not_a_crash(personas, api_client):
    client = api_client(personas.director)
    response = client.post(
        "/api/v1/organisations", {"name": "Customer B"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "name" in response.json()["error"]["fields"]


def test_malformed_json_is_a_clear_error(personas, api_client):
    client = api_client(personas.director)
    response = client.post("/api/v1/organisations", "{not json", content_type="application/json")
    assert response.status_code in {400, 422}
    assert "error" in response.json()


def test_no_token_is_401_json(db):
    response = Client().get("/api/v1/organisations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorised"


def test_lists_are_paginated(personas, api_client, organisation_factory):
    for _ in range(55):
        organisation_factory()
    client = api_client(personas.agent)

    first = client.get("/api/v1/organisations").json()
    second = client.get("/api/v1/organisations?page=2").json()

    assert first["count"] == 58  # operator, A, B and 55 more
    assert len(first["items"]) == 50
    assert len(second["items"]) == 8


def test_a_contact_lists_only_their_own_organisation(personas, api_client):
    names = [
        o["name"]
        for o in api_client(personas.contact_b).get("/api/v1/organisations").json()["items"]
    ]
    assert names == ["Customer B"]


def test_openapi_document_describes_the_api(db):
    doc = Client().get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "Baozhang API"
    assert "/api/v1/organisations" in doc["paths"]
    assert "/api/v1/events" in doc["paths"]


def test_docs_page_uses_vendored_assets_only(personas, login):
    page = login(personas.agent).get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_changing_my_language_through_the_api(personas, api_client):
    client = api_client(personas.agent)
    response = client.put(
        "/api/v1/me/language", {"language": "en"}, content_type="application/json"
    )
    assert response.status_code == 200
    personas.agent.refresh_from_db()
    assert personas.agent.language == "en"
