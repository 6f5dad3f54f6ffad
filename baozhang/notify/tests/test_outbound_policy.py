"""Notifications go only where the operator allows: a customer's webhook (or SMS gateway,
or SMTP server) pointed at loopback, a private address or a name resolving to one is
refused when saved, by the API and the form, and never called when sent; a redirect to
loopback is not followed; what the operator allows passes.

The listeners here count every TCP connection they accept, so "never called" means no
connection at all, not merely no request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from django.urls import reverse
from django.utils import translation

from baozhang.notify import errors, outbound
from baozhang.notify.apps import _check_outbound_allow_list
from baozhang.notify.delivery import deliver_due
from baozhang.notify.models import Channel, ChannelKind, Message, MessageStatus
from baozhang.notify.tests.conftest import email_config, enqueue_now
from baozhang.notify.tests.receivers import SmtpReceiver, WebhookReceiver

BASE = "/api/v1/notify"


class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts and closes them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.count += 1
            conn.close()

    def __enter__(self) -> ConnectionCounter:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


class Redirector:
    """An HTTP server on 127.0.0.1 that answers every request with 307 to `target`."""

    def __init__(self, target: str) -> None:
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.hits += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(307)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Redirector:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counter() -> Iterator[ConnectionCounter]:
    with ConnectionCounter() as listener:
        yield listener


@pytest.fixture
def default_policy(settings: Any) -> Any:
    """The operator's default: nothing but public addresses."""
    settings.OUTBOUND_ALLOW_HOSTS = []
    return settings


def _create(api: Any, url: str) -> Any:
    body = {"name": "hook", "kind": "webhook", "config": {"webhook_url": url}}
    return api.post(f"{BASE}/channels", body, "application/json")


def test_the_api_refuses_a_customer_webhook_on_loopback_private_or_a_name_resolving_there(
    personas: Any, api_client: Any, default_policy: Any, counter: ConnectionCounter
) -> None:
    # Given a customer contact and the operator's default policy,
    api = api_client(personas.contact_a, language="en")
    port = counter.port
    refused = {
        f"http://127.0.0.1:{port}/hook": "127.0.0.1",
        f"http://localhost:{port}/hook": "localhost",  # a name resolving to loopback
        f"http://[::ffff:127.0.0.1]:{port}/hook": "::ffff:127.0.0.1",
        "http://10.0.0.5/hook": "10.0.0.5",
        "http://169.254.169.254/latest/meta-data": "169.254.169.254",
        "http://100.64.0.1/hook": "100.64.0.1",
        "http://0.0.0.0/hook": "0.0.0.0",
    }
    # when they create a webhook channel pointing at each non-public address,
    for url, host in refused.items():
        response = _create(api, url)
        # then it is a 422 naming the field, in both languages, and nothing is saved.
        assert response.status_code == 422, url
        message = response.json()["error"]["fields"]["webhook_url"][0]
        assert host in message and "public addresses" in message  # one language: English asked
    assert not Channel.objects.filter(organisation=personas.org_a).exists()

    # Given their channel on a host that is not refused, when they PATCH it to loopback
    # and ask for a test message, then the PATCH is a 422 and the channel still points away.
    created = _create(api, "https://hooks.customer.example/in")
    assert created.status_code == 201
    channel_id = created.json()["id"]
    patched = api.patch(
        f"{BASE}/channels/{channel_id}",
        {"config": {"webhook_url": f"http://127.0.0.1:{port}/hook"}},
        "application/json",
    )
    assert patched.status_code == 422
    assert "loopback" in patched.json()["error"]["fields"]["webhook_url"][0]
    assert Channel.objects.get(pk=channel_id).config["webhook_url"].startswith("https://hooks.")
    sms = api.post(
        f"{BASE}/channels",
        {
            "name": "sms",
            "kind": "sms",
            "config": {"sms_gateway_url": "http://192.168.1.1/send", "sms_phone": "13800000000"},
        },
        "application/json",
    )
    assert sms.status_code == 422 and "sms_gateway_url" in sms.json()["error"]["fields"]
    assert counter.count == 0


def test_the_form_refuses_a_webhook_on_loopback_with_a_field_error(
    personas: Any, login: Any, default_policy: Any, counter: ConnectionCounter
) -> None:
    # Given a customer contact on the new-channel page,
    client = login(personas.contact_a)
    # when they save a webhook pointing at loopback,
    response = client.post(
        reverse("notify:channel_create"),
        {
            "owner": f"org:{personas.org_a.pk}",
            "name": "hook",
            "kind": "webhook",
            "webhook_url": f"http://127.0.0.1:{counter.port}/hook",
            "enabled": "on",
        },
    )
    # then the page shows the field error in both languages and nothing is saved.
    assert response.status_code == 200
    errors = response.context["form"].errors["webhook_url"]
    assert "本机回环地址" in errors[0] and "a loopback address" not in errors[0]
    assert not Channel.objects.filter(organisation=personas.org_a).exists()
    assert counter.count == 0


def test_an_email_channel_on_a_loopback_smtp_server_is_refused_when_saved(
    personas: Any, api_client: Any, default_policy: Any
) -> None:
    api = api_client(personas.contact_a)
    config = {"smtp_host": "127.0.0.1", "from_address": "a@b.cn", "to_addresses": "c@d.cn"}
    response = api.post(
        f"{BASE}/channels", {"name": "mail", "kind": "email", "config": config}, "application/json"
    )
    assert response.status_code == 422
    assert "127.0.0.1" in response.json()["error"]["fields"]["smtp_host"][0]


def test_a_channel_saved_before_the_policy_refused_it_is_never_called_and_dead_at_once(
    personas: Any,
    channel_factory: Any,
    api_client: Any,
    settings: Any,
    counter: ConnectionCounter,
    smtp: SmtpReceiver,
) -> None:
    # Given a webhook and an e-mail channel on loopback, saved while loopback was allowed,
    hook = channel_factory(config={"webhook_url": f"http://127.0.0.1:{counter.port}/hook"})
    mail = channel_factory(ChannelKind.EMAIL, email_config(smtp))
    # when the operator's allow list no longer names loopback and a test is sent,
    settings.OUTBOUND_ALLOW_HOSTS = []
    api = api_client(personas.contact_a)
    assert api.post(f"{BASE}/channels/{hook.pk}/test").status_code == 202
    enqueue_now(mail, "mail-1")
    deliver_due("w1")
    # then neither listener is called, and each message is dead after one try, with the
    # reason recorded on the message and on its attempt.
    assert counter.count == 0 and len(smtp) == 0
    for channel in (hook, mail):
        message = Message.objects.get(channel=channel)
        assert message.status == MessageStatus.DEAD and message.attempts == 1
        assert message.last_error_id == errors.REFUSED
        with translation.override("en"):
            text = message.last_error_text
        assert text.startswith("Refused by the outbound policy")
        assert "127.0.0.1" in text and "a loopback address" in text
        with translation.override("zh-hans"):
            assert "本机回环地址" in message.last_error_text
        attempt = message.attempt_log.get()
        assert attempt.ok is False and attempt.error_text == message.last_error_text


def test_a_name_that_resolves_elsewhere_when_sent_is_checked_again_and_never_reached(
    personas: Any,
    channel_factory: Any,
    default_policy: Any,
    counter: ConnectionCounter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a name that resolves to a public address when the channel is saved and to
    # loopback afterwards (a DNS answer that changes between check and connect),
    answers = iter(["198.41.0.4"])

    def resolver(host: Any, port: Any, *args: Any) -> Any:
        if host != "rebind.example":
            return outbound._system_getaddrinfo(host, port, *args)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(outbound, "_resolve", resolver)
    channel = channel_factory(config={"webhook_url": f"http://rebind.example:{counter.port}/h"})
    # when it is sent,
    enqueue_now(channel, "rebind-1")
    deliver_due("w1")
    # then the connection's own lookup is checked, refused, and nothing is reached.
    message = Message.objects.get(channel=channel)
    assert message.status == MessageStatus.DEAD and "rebind.example" in message.last_error_text
    assert counter.count == 0


def test_a_redirect_to_loopback_is_not_followed(
    personas: Any, channel_factory: Any, settings: Any, counter: ConnectionCounter
) -> None:
    # Given an operator who allows the host "localhost" by name (only), and a webhook
    # there that redirects to 127.0.0.1 (not allowed),
    settings.OUTBOUND_ALLOW_HOSTS = ["localhost"]
    target = f"http://127.0.0.1:{counter.port}/hook"
    with Redirector(target) as redirector:
        channel = channel_factory(config={"webhook_url": f"http://localhost:{redirector.port}/h"})
        # when a message is sent,
        enqueue_now(channel, "redirect-1")
        deliver_due("w1")
        # then the redirect is not followed: the message failed and 127.0.0.1 saw nothing;
        message = Message.objects.get(channel=channel)
        assert redirector.hits == 1 and message.status == MessageStatus.PENDING
        assert message.last_error_text and counter.count == 0
        # and even a client that follows redirects is stopped at the redirect's connection.
        with outbound.guarded() as guard, pytest.raises(requests.ConnectionError):
            requests.post(f"http://localhost:{redirector.port}/h", data=b"x", timeout=5)
        assert redirector.hits == 2 and counter.count == 0
        assert [r.host for r in guard.refusals] == ["127.0.0.1"]


@pytest.mark.parametrize("allowed", [["127.0.0.1/32"], ["localhost"]])
def test_a_host_the_operator_allows_is_reached(
    personas: Any, channel_factory: Any, settings: Any, allowed: list[str]
) -> None:
    # Given an operator who allows a loopback network, or the name "localhost",
    settings.OUTBOUND_ALLOW_HOSTS = allowed
    with WebhookReceiver() as hook:
        host = "127.0.0.1" if "/" in allowed[0] else "localhost"
        channel = channel_factory(config={"webhook_url": f"http://{host}:{hook.port}/hook"})
        # when a message is sent, then it arrives.
        enqueue_now(channel, f"allowed-{host}")
        assert deliver_due("w1") == 1
        assert hook.wait_for(1, 10) and len(hook) == 1
    assert Message.objects.get(channel=channel).status == MessageStatus.SENT


def test_lookups_outside_a_send_are_not_touched(
    default_policy: Any, counter: ConnectionCounter
) -> None:
    # The guard is installed process-wide but acts only inside a send: the probe engine
    # monitors private hosts on purpose.
    outbound.install()
    with socket.create_connection(("127.0.0.1", counter.port), timeout=5):
        pass
    assert socket.getaddrinfo("127.0.0.1", 80)


def test_the_default_allows_nothing_and_a_bad_entry_stops_start_up(settings: Any) -> None:
    # Given no BAOZHANG_OUTBOUND_ALLOW_HOSTS, the settings allow nothing.
    env = {k: v for k, v in os.environ.items() if k != "BAOZHANG_OUTBOUND_ALLOW_HOSTS"}
    code = "import baozhang.settings as s; print(repr(s.OUTBOUND_ALLOW_HOSTS))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stderr
    # Given an entry that is neither a name nor a network, the system check says so.
    settings.OUTBOUND_ALLOW_HOSTS = ["http://hooks.example/", "localhost"]
    errors = _check_outbound_allow_list()
    assert [e.id for e in errors] == ["notify.E001"] and "http://hooks.example/" in errors[0].msg
    # and should the process run anyway, that entry allows nothing, the others still apply.
    allow = outbound.allow_list()
    assert allow.names == {"localhost"} and allow.networks == () and allow.suffixes == ()
