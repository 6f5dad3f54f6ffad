"""A channel's secrets stay with its destination: they do not follow the channel to a new
host, and masked header and extra-field values are kept key by key when settings are saved
back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from baozhang.notify import services
from baozhang.notify.channels import apprise_url
from baozhang.notify.models import Channel
from baozhang.notify.tests.channel_configs import EMAIL, HOOK, SMS


def _fresh(channel: Channel) -> Channel:
    return Channel.objects.get(pk=channel.pk)


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# -- secrets do not follow a changed destination ----------------------------------------


def test_an_smtp_password_is_not_kept_when_the_host_changes(
    personas: Any, channel_factory: Any
) -> None:
    channel = channel_factory("email", EMAIL)
    with pytest.raises(ValidationError) as info:
        services.update_channel(
            personas.contact_a,
            channel,
            config={**EMAIL, "smtp_host": "evil.example", "smtp_password": ""},
        )
    message = _errors(info)["smtp_password"][0]
    assert "destination changed" in message and "请重新输入" in message
    assert _fresh(channel).config["smtp_host"] == "mail.customer.example"
    assert _fresh(channel).config["smtp_password"] == "CustomerSecret"
    # the port and the user name are part of the destination too
    for change in ({"smtp_port": "2525"}, {"smtp_username": "someone-else"}):
        with pytest.raises(ValidationError) as info:
            services.update_channel(
                personas.contact_a, channel, config={**EMAIL, **change, "smtp_password": "***"}
            )
        assert "smtp_password" in _errors(info)
    # typed again, it is accepted; the same destination keeps it without typing
    services.update_channel(
        personas.contact_a,
        channel,
        config={**EMAIL, "smtp_host": "relay.example", "smtp_password": "NewSecret"},
    )
    services.update_channel(
        personas.contact_a,
        channel,
        config={
            **EMAIL,
            "smtp_host": "RELAY.example",
            "smtp_password": "",
            "to_addresses": "x@y.cn",
        },
    )
    config = _fresh(channel).config
    assert (config["smtp_password"], config["to_addresses"]) == ("NewSecret", ["x@y.cn"])
    # moving to a relay without authentication drops the password without asking for it
    services.update_channel(
        personas.contact_a,
        channel,
        config={
            **EMAIL,
            "smtp_host": "open-relay.example",
            "smtp_username": "",
            "smtp_password": "",
        },
    )
    assert _fresh(channel).config["smtp_password"] == ""


def test_the_edit_form_cannot_send_the_stored_password_to_another_host(
    personas: Any, channel_factory: Any, login: Any
) -> None:
    channel = channel_factory("email", EMAIL)
    client = login(personas.contact_a)
    response = client.post(
        reverse("notify:channel_edit", args=[channel.pk]),
        {
            "owner": f"org:{personas.org_a.pk}",
            "name": channel.name,
            "kind": "email",
            "enabled": "on",
            **EMAIL,
            "smtp_host": "evil.example",
            "smtp_password": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field-error="smtp_password"' in page and "请重新输入" in page
    assert "destination changed" not in page  # the reader's language only
    assert "evil.example" not in apprise_url("email", _fresh(channel).config)


def test_a_webhook_patch_to_another_host_does_not_keep_the_stored_headers(
    personas: Any, channel_factory: Any, api_client: Any
) -> None:
    channel = channel_factory("webhook", HOOK)
    api = api_client(personas.contact_a, language="en")
    url = f"/api/v1/notify/channels/{channel.pk}"
    response = api.patch(
        url, {"config": {"webhook_url": "https://evil.example/collect"}}, "application/json"
    )
    assert response.status_code == 422, response.content
    fields = response.json()["error"]["fields"]
    assert "Authorization" in fields["webhook_headers"][0]
    assert "destination changed" in fields["webhook_headers"][0]
    assert _fresh(channel).config == {
        "webhook_url": HOOK["webhook_url"],
        "webhook_headers": HOOK["webhook_headers"],
    }
    # a masked URL of another host is not taken for the stored one
    response = api.patch(
        url, {"config": {"webhook_url": "https://evil.example/***"}}, "application/json"
    )
    assert response.status_code == 422 and "webhook_url" in response.json()["error"]["fields"]
    # a new path on the same host keeps the headers; a new host with new headers is fine
    same_host = "https://hooks.customer.example:443/other"
    assert (
        api.patch(url, {"config": {"webhook_url": same_host}}, "application/json").status_code
        == 200
    )
    assert _fresh(channel).config["webhook_headers"] == HOOK["webhook_headers"]
    new = {"webhook_url": "https://new.example/in", "webhook_headers": {"X-Key": "fresh-1"}}
    assert api.patch(url, {"config": new}, "application/json").status_code == 200
    assert _fresh(channel).config == new


def test_sms_extra_fields_do_not_follow_a_new_gateway_and_kind_changes_keep_nothing(
    personas: Any, channel_factory: Any
) -> None:
    channel = channel_factory("sms", SMS)
    moved = {**SMS, "sms_gateway_url": "http://evil.example/send", "sms_extra": "apikey=***"}
    with pytest.raises(ValidationError) as info:
        services.update_channel(personas.contact_a, channel, config=moved)
    assert "apikey" in _errors(info)["sms_extra"][0]
    assert _fresh(channel).config["sms_extra"] == SMS["sms_extra"]
    with pytest.raises(ValidationError) as info:
        services.update_channel(
            personas.contact_a,
            channel,
            kind="webhook",
            config={"webhook_url": "https://x.example/", "webhook_headers": {"apikey": "***"}},
        )
    assert "webhook_headers" in _errors(info)


def test_destination_compares_scheme_host_and_port_only() -> None:
    from baozhang.notify.channels import destination

    assert destination("webhook", {"webhook_url": "https://H.example/a?x=1"}) == destination(
        "webhook", {"webhook_url": "https://h.example:443/b"}
    )
    assert destination("webhook", {"webhook_url": "https://h.example/a"}) != destination(
        "webhook", {"webhook_url": "http://h.example/a"}
    )
    assert destination("email", {"smtp_host": "h", "smtp_security": "ssl"}) == destination(
        "email", {"smtp_host": "h", "smtp_port": 465}
    )


# -- header and extra-field secrets survive a save --------------------------------------


def test_saving_the_edit_form_keeps_masked_headers_key_by_key(
    personas: Any, channel_factory: Any, login: Any
) -> None:
    channel = channel_factory("webhook", HOOK)
    client = login(personas.contact_a)
    url = reverse("notify:channel_edit", args=[channel.pk])
    form = client.get(url).context["form"]
    shown = sorted(form.initial["webhook_headers"].splitlines())
    assert shown == ["Authorization=***", "X-Team=***"]
    response = client.post(
        url,
        {
            "owner": form.initial["owner"],
            "name": "renamed",
            "kind": "webhook",
            "enabled": "on",
            "webhook_url": form.initial["webhook_url"],
            "webhook_headers": "Authorization=***\nX-Trace=on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert _fresh(channel).config == {
        "webhook_url": HOOK["webhook_url"],
        "webhook_headers": {"Authorization": "Bearer CustomerToken", "X-Trace": "on"},
    }


def test_an_api_client_can_send_the_masked_settings_back_unchanged(
    personas: Any, channel_factory: Any, api_client: Any
) -> None:
    channel = channel_factory("sms", SMS)
    api = api_client(personas.contact_a, language="en")
    url = f"/api/v1/notify/channels/{channel.pk}"
    shown = api.get(url).json()["config"]
    assert shown["sms_extra"] == {"apikey": "***", "sign": "***"}
    assert api.patch(url, {"config": shown}, "application/json").status_code == 200
    assert _fresh(channel).config["sms_extra"] == SMS["sms_extra"]
    assert _fresh(channel).config["sms_gateway_url"] == SMS["sms_gateway_url"]
    unknown = api.patch(
        url, {"config": {**shown, "sms_extra": {"token": "***"}}}, "application/json"
    )
    assert unknown.status_code == 422
    assert "no stored value" in unknown.json()["error"]["fields"]["sms_extra"][0]
    assert _fresh(channel).config["sms_extra"] == SMS["sms_extra"]
