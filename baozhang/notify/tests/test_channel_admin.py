"""The channel admin shows settings masked and saves through the service; a refused save
is an error message, not a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from baozhang.events.models import Event, EventKind
from baozhang.notify import services
from baozhang.notify.models import Channel
from baozhang.notify.tests.channel_configs import EMAIL, HOOK


def _fresh(channel: Channel) -> Channel:
    return Channel.objects.get(pk=channel.pk)


# -- the admin ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(personas: Any) -> Client:
    client = Client()
    client.force_login(
        personas.admin, backend="baozhang.accounts.backends.ActiveOrganisationBackend"
    )
    return client


def test_the_admin_shows_settings_masked_and_saves_through_the_service(
    personas: Any, channel_factory: Any, admin_client: Client
) -> None:
    channel = channel_factory("email", EMAIL)
    url = f"/admin/notify/channel/{channel.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "CustomerSecret" not in html and 'name="config"' not in html
    assert "smtp_password" in html and "***" in html
    response = admin_client.post(url, {"name": "renamed in admin", "language": "", "enabled": ""})
    assert response.status_code == 302
    fresh = _fresh(channel)
    assert (fresh.name, fresh.enabled, fresh.config["smtp_password"]) == (
        "renamed in admin",
        False,
        "CustomerSecret",
    )
    event = Event.objects.filter(
        object_id=str(channel.pk), object_type="notify.channel", kind=EventKind.UPDATED
    ).get()
    assert event.actor == personas.admin and event.after["name"] == "renamed in admin"
    assert admin_client.get("/admin/notify/channel/add/").status_code == 403


def test_a_refused_admin_save_is_an_error_message_not_a_server_error(
    personas: Any, channel_factory: Any, admin_client: Client, monkeypatch: Any
) -> None:
    channel = channel_factory("webhook", HOOK)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ValidationError({"name": "名称已被占用 / the name is taken"})

    monkeypatch.setattr(services, "update_channel", refuse)
    url = f"/admin/notify/channel/{channel.pk}/change/"
    response = admin_client.post(url, {"name": "clash", "language": "", "enabled": "on"})
    assert response.status_code == 302 and response.url == url
    shown = [str(m) for m in admin_client.get(url).context["messages"]]
    assert any("the name is taken" in m for m in shown), shown
    assert _fresh(channel).name == channel.name
