"""API errors in one language, the reader's (issue 18 §1): ``Accept-Language`` when the
request sends it, else the language of the token's owner; each with a stable code for the
answer and for each field."""

from __future__ import annotations

import pytest
from django.test import Client

from baozhang.core.bilingual import has_chinese

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


def _all_text(error: dict) -> str:
    return " ".join([error["message"], *(m for ms in error["fields"].values() for m in ms)])


@pytest.mark.parametrize(
    ("headers", "chinese"),
    [(ENGLISH, False), (CHINESE, True)],
    ids=["en", "zh"],
)
def test_wrong_fields_in_the_requested_language_with_codes(personas, api_client, headers, chinese):
    client = api_client(personas.director)
    response = client.post(
        "/api/v1/organisations",
        {"kind": "martian", "language": "fr"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid"
    assert error["codes"] == {
        "name": ["missing"],
        "kind": ["enum"],
        "language": ["enum"],
    }
    text = _all_text(error)
    if chinese:
        assert error["message"] == "输入有误"
        assert error["fields"]["name"] == ["此项为必填项"]
        assert "必须是以下之一" in error["fields"]["kind"][0]
        assert "customer" in error["fields"]["kind"][0]
        assert "Field required" not in text and "Input should" not in text
    else:
        assert error["message"] == "Invalid input"
        assert error["fields"]["name"] == ["This field is required"]
        assert error["fields"]["kind"][0].startswith("Must be one of: ")
        assert not has_chinese(text)


@pytest.mark.parametrize(("headers", "chinese"), [(ENGLISH, False), (CHINESE, True)])
def test_a_query_parameter_of_the_wrong_type(personas, api_client, headers, chinese):
    response = api_client(personas.agent).get("/api/v1/tickets?page=abc", **headers)
    error = _error(response)
    assert response.status_code == 422
    assert error["codes"] == {"page": ["int_parsing"]}
    expected = "必须是整数" if chinese else "Must be a whole number"
    assert error["fields"]["page"] == [expected]


@pytest.mark.parametrize(("headers", "chinese"), [(ENGLISH, False), (CHINESE, True)])
def test_a_body_that_is_not_json_or_not_an_object(personas, api_client, headers, chinese):
    client = api_client(personas.agent)
    not_json = client.post(
        "/api/v1/organisations", "{not json", content_type="application/json", **headers
    )
    assert not_json.status_code == 400
    assert _error(not_json)["code"] == "bad_request"
    not_object = client.post(
        "/api/v1/organisations", "[1]", content_type="application/json", **headers
    )
    assert not_object.status_code == 422
    for response in (not_json, not_object):
        assert has_chinese(_all_text(_error(response))) is chinese


@pytest.mark.parametrize(("headers", "chinese"), [(ENGLISH, False), (CHINESE, True)])
def test_a_body_ninja_cannot_read_is_a_plain_bad_request(personas, api_client, headers, chinese):
    # Not UTF-8 at all: Ninja's own "Cannot parse request body" never reaches the reader.
    response = api_client(personas.agent).post(
        "/api/v1/organisations", b"\xff\xfe\x00{", content_type="application/json", **headers
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "bad_request"
    assert "Cannot parse" not in error["message"]
    assert has_chinese(error["message"]) is chinese


@pytest.mark.parametrize(("headers", "chinese"), [(ENGLISH, False), (CHINESE, True)])
def test_not_found_not_allowed_and_not_signed_in(personas, api_client, headers, chinese):
    missing = api_client(personas.agent).get("/api/v1/tickets/999999", **headers)
    refused = api_client(personas.contact_a).post(
        "/api/v1/calls",
        {"channel": "hotline", "started_at": "2026-12-01T10:00:00+08:00"},
        content_type="application/json",
        **headers,
    )
    anonymous = Client().get("/api/v1/organisations", **headers)
    assert (missing.status_code, _error(missing)["code"]) == (404, "not_found")
    assert (refused.status_code, _error(refused)["code"]) == (403, "forbidden")
    assert (anonymous.status_code, _error(anonymous)["code"]) == (401, "unauthorised")
    for response in (missing, refused, anonymous):
        message = _error(response)["message"]
        assert has_chinese(message) is chinese, message
        assert " / " not in message


@pytest.mark.parametrize(("headers", "chinese"), [(ENGLISH, False), (CHINESE, True)])
def test_a_rule_of_core_said_in_both_comes_in_the_readers_half(
    personas, api_client, headers, chinese
):
    # The quality report's period: core says "结束须晚于开始 / the end must be after the start".
    response = api_client(personas.director).get(
        "/api/v1/quality/report?start=2026-12-02T00:00:00%2B08:00&end=2026-12-01T00:00:00%2B08:00",
        **headers,
    )
    assert response.status_code == 422
    error = _error(response)
    text = _all_text(error)
    assert " / " not in text
    assert has_chinese(text) is chinese


def test_without_accept_language_the_token_owners_language(personas, api_client):
    english_owner = api_client(personas.contact_b)  # Customer B's contact reads English
    chinese_owner = api_client(personas.contact_a)
    for client, chinese in ((english_owner, False), (chinese_owner, True)):
        response = client.post("/api/v1/tickets", {}, content_type="application/json")
        assert response.status_code == 422
        assert has_chinese(_all_text(_error(response))) is chinese
    # A header the script sends wins over the owner's choice.
    asked = english_owner.post("/api/v1/tickets", {}, content_type="application/json", **CHINESE)
    assert has_chinese(_all_text(_error(asked)))


@pytest.mark.parametrize(("headers", "chinese"), [(ENGLISH, False), (CHINESE, True)])
def test_a_method_the_address_does_not_take_is_a_json_405(personas, api_client, headers, chinese):
    response = api_client(personas.agent).delete("/api/v1/organisations", **headers)
    assert response.status_code == 405
    error = _error(response)
    assert error["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert has_chinese(error["message"]) is chinese
