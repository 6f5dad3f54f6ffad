"""Customer isolation, everywhere: for every API endpoint and every page that shows an
object, a contact of organisation B gets 404 for organisation A's object.

The URL lists are read from the URL configuration and the OpenAPI document, so a new
object route that is missing here fails the test instead of going unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from baozhang.accounts import services
from baozhang.api.urls import api
from baozhang.events.models import Event, EventKind


def _a_objects(personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One object of organisation A of every kind that has a detail page or endpoint."""
    from baozhang.notify import services as notify_services
    from baozhang.notify.models import Channel

    channel = Channel.objects.create(
        organisation=personas.org_a,
        kind="webhook",
        name="A's webhook",
        config={"url": "http://127.0.0.1:9/hook"},
    )
    message = notify_services.enqueue(channel, "test", {}, dedup_key="matrix-a")
    token, _secret = services.create_token(None, personas.contact_a)
    event = Event.objects.filter(organisation=personas.org_a, kind=EventKind.CREATED).first()
    return {
        "organisation": personas.org_a.pk,
        "user": personas.contact_a.pk,
        "event": event.pk,
        "token": token.pk,
        "channel": channel.pk,
        "message": message.pk,
    }


# Which object each parameter of a web URL stands for, by URL name.
WEB_OBJECT_OF: dict[str, str] = {
    "web:organisation": "organisation",
    "web:user": "user",
    "web:event": "event",
    "accounts:revoke_token": "token",
    "notify:channel_edit": "channel",
    "notify:channel_test": "channel",
    "notify:message_detail": "message",
    "notify:message_retry": "message",
}

# Which object each path parameter of the API stands for, and a valid body per method, so
# that a 404 comes from the object lookup and not from input validation.
API_OBJECT_OF: dict[str, str] = {
    "org_id": "organisation",
    "user_id": "user",
    "event_id": "event",
    "token_id": "token",
    "channel_id": "channel",
    "message_id": "message",
}
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("patch", "/api/v1/organisations/{org_id}"): {"name": "taken over"},
    ("put", "/api/v1/users/{user_id}/roles"): {"roles": ["customer_contact"]},
    ("patch", "/api/v1/notify/channels/{channel_id}"): {"name": "taken over"},
    ("put", "/api/v1/notify/channels/{channel_id}"): {
        "name": "taken over",
        "kind": "webhook",
        "settings": {"url": "http://127.0.0.1:9/x"},
    },
}


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            found.extend(_walk(p.url_patterns, ns))
        elif isinstance(p, URLPattern) and p.name:
            found.append((f"{prefix}{p.name}", p))
    return found


def web_object_routes() -> list[tuple[str, list[str]]]:
    routes = []
    for name, pattern in _walk(get_resolver().url_patterns):
        params = list(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else []
        if params and not name.startswith(("admin:", "api:")):
            routes.append((name, params))
    return routes


def api_object_routes() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    routes = []
    for path, methods in schema["paths"].items():
        params = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
        if params:
            routes.extend((method, path, params) for method in methods)
    return routes


def test_every_object_route_is_in_the_matrix():
    missing_web = [n for n, _ in web_object_routes() if n not in WEB_OBJECT_OF]
    missing_api = [
        (m, p, prm)
        for m, p, params in api_object_routes()
        for prm in params
        if prm not in API_OBJECT_OF
    ]
    assert not missing_web, f"add these pages to WEB_OBJECT_OF: {missing_web}"
    assert not missing_api, f"add these parameters to API_OBJECT_OF: {missing_api}"
    assert len(web_object_routes()) >= 3
    assert len(api_object_routes()) >= 5


@pytest.mark.parametrize("name,params", web_object_routes())
def test_a_contact_of_b_gets_404_for_a_page_of_as_object(name, params, personas, login):
    from django.urls import reverse

    objects = _a_objects(personas)
    kwargs = {p: objects[WEB_OBJECT_OF[name]] for p in params}
    url = reverse(name, kwargs=kwargs)
    client = login(personas.contact_b)

    assert client.get(url).status_code in {404, 405}
    assert client.post(url, {}).status_code in {404, 405}

    # and the owner of the object is not refused, so the 404 above means isolation
    owner = login(personas.contact_a)
    assert owner.get(url).status_code in {200, 302, 403, 405}


@pytest.mark.parametrize("method,path,params", api_object_routes())
def test_a_contact_of_b_gets_404_for_an_endpoint_of_as_object(
    method, path, params, personas, api_client
):
    objects = _a_objects(personas)
    url = path
    for p in params:
        url = url.replace("{" + p + "}", str(objects[API_OBJECT_OF[p]]))
    body = API_BODIES.get((method, path), {})
    client: Callable[..., Any] = getattr(api_client(personas.contact_b), method)

    response = (
        client(url, body, content_type="application/json") if method != "get" else client(url)
    )

    assert response.status_code == 404, (method, url, response.content)
    assert response.json()["error"]["code"] == "not_found"
