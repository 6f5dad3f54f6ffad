"""Review findings: secrets do not follow a channel to a new destination, masked header and
extra-field values are kept key by key, the delivery log and retries honour capabilities,
only administrators and service directors change customers' channels, and the admin shows
settings masked and saves through the service."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from baozhang.events.models import Event, EventKind
from baozhang.notify import services
from baozhang.notify.channels import apprise_url
from baozhang.notify.models import Channel, Message, MessageStatus
from baozhang.notify.tests.conftest import enqueue_now

EMAIL = {
    "smtp_host": "mail.customer.example",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_username": "alerts",
    "smtp_password": "CustomerSecret",
    "from_address": "alerts@customer.example",
    "to_addresses": "noc@customer.example",
}
HOOK = {
    "webhook_url": "https://hooks.customer.example/in/abcdefgh12345",
    "webhook_headers": {"Authorization": "Bearer CustomerToken", "X-Team": "noc"},
}
SMS = {
    "sms_gateway_url": "https://sms.customer.example/send",
    "sms_phone": "13800138000",
    "sms_extra": {"apikey": "SmsApiKey123", "sign": "保障"},
}


def _fresh(channel: Channel) -> Channel:
    return Channel.objects.get(pk=channel.pk)


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# -- 1. secrets do not follow a changed destination ----------------------------------------


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
    assert 'data-field-error="smtp_password"' in page and "destination changed" in page
    assert "evil.example" not in apprise_url("email", _fresh(channel).config)


def test_a_webhook_patch_to_another_host_does_not_keep_the_stored_headers(
    personas: Any, channel_factory: Any, api_client: Any
) -> None:
    channel = channel_factory("webhook", HOOK)
    api = api_client(personas.contact_a)
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


# -- 3. header and extra-field secrets survive a save --------------------------------------


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
    api = api_client(personas.contact_a)
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


# -- 2. the delivery log and retries --------------------------------------------------------


@pytest.fixture
def log(personas: Any, channel_factory: Any) -> dict[str, Any]:
    a = channel_factory("webhook", HOOK, organisation=personas.org_a)
    own = channel_factory("webhook", HOOK, user=personas.engineer)
    msg_a = enqueue_now(a, "log-a")
    msg_own = enqueue_now(own, "log-own")
    Message.objects.filter(pk__in=[msg_a.pk, msg_own.pk]).update(status=MessageStatus.DEAD)
    return {"a": a, "own": own, "msg_a": msg_a, "msg_own": msg_own}


def test_staff_without_the_delivery_log_capability_read_only_their_own_messages(
    personas: Any, log: dict[str, Any], api_client: Any, login: Any
) -> None:
    engineer = api_client(personas.engineer)
    listed = engineer.get("/api/v1/notify/messages").json()
    assert [m["id"] for m in listed["items"]] == [log["msg_own"].pk]
    assert engineer.get(f"/api/v1/notify/messages/{log['msg_a'].pk}").status_code == 404
    page = login(personas.engineer).get(reverse("notify:message_list")).content.decode()
    assert reverse("notify:message_detail", args=[log["msg_a"].pk]) not in page
    for reader in (personas.security, personas.director, personas.admin):
        ids = {m["id"] for m in api_client(reader).get("/api/v1/notify/messages").json()["items"]}
        assert ids == {log["msg_a"].pk, log["msg_own"].pk}, reader
    ids = {
        m["id"]
        for m in api_client(personas.contact_a).get("/api/v1/notify/messages").json()["items"]
    }
    assert ids == {log["msg_a"].pk}


def test_reading_the_delivery_log_does_not_allow_retrying(
    personas: Any, log: dict[str, Any], api_client: Any, login: Any
) -> None:
    security = api_client(personas.security)
    response = security.post(f"/api/v1/notify/messages/{log['msg_a'].pk}/retry")
    assert response.status_code == 403
    assert Message.objects.get(pk=log["msg_a"].pk).status == MessageStatus.DEAD
    detail = login(personas.security).get(reverse("notify:message_detail", args=[log["msg_a"].pk]))
    assert reverse("notify:message_retry", args=[log["msg_a"].pk]) not in detail.content.decode()
    # the channel's managers and administrators may
    services.retry_dead(personas.director, log["msg_a"])
    services.retry_dead(personas.admin, log["msg_own"])
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}


# -- 4. who may change customers' channels --------------------------------------------------


def test_only_administrators_directors_and_the_customer_change_a_customer_channel(
    personas: Any, channel_factory: Any, api_client: Any
) -> None:
    a = channel_factory("webhook", HOOK, organisation=personas.org_a)
    operator = channel_factory("webhook", HOOK, organisation=personas.operator)
    agents_own = channel_factory("webhook", HOOK, user=personas.agent)
    for person in (personas.agent, personas.engineer, personas.security):
        with pytest.raises(PermissionDenied):
            services.update_channel(person, a, name="taken over")
        with pytest.raises(PermissionDenied):
            services.send_test(person, a)
    response = api_client(personas.agent).patch(
        f"/api/v1/notify/channels/{a.pk}", {"name": "taken over"}, "application/json"
    )
    assert response.status_code == 403
    for person in (personas.admin, personas.director, personas.contact_a):
        services.update_channel(person, a, name=f"by {person.username}")
    with pytest.raises(PermissionDenied):
        services.update_channel(personas.director, operator, name="x")
    services.update_channel(personas.admin, operator, name="operator's")
    services.update_channel(personas.agent, agents_own, name="mine")
    with pytest.raises(PermissionDenied):
        services.update_channel(personas.engineer, agents_own, name="not mine")
    with pytest.raises(PermissionDenied):
        services.update_channel(personas.contact_b, a, name="not ours")


# -- 5. the admin ---------------------------------------------------------------------------


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
