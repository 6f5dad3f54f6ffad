"""Loopback receivers for the tests and the benchmark: an SMTP server (aiosmtpd) and a
webhook server (http.server), each recording what arrived. Both bind 127.0.0.1 only."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    key: str
    data: Any
    headers: dict[str, str] = field(default_factory=dict)


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[Received] = []

    def add(self, item: Received) -> None:
        with self.lock:
            self.items.append(item)

    def keys(self) -> Counter[str]:
        with self.lock:
            return Counter(i.key for i in self.items)

    def __len__(self) -> int:
        with self.lock:
            return len(self.items)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self) >= count:
                return True
            time.sleep(0.02)
        return len(self) >= count


class WebhookReceiver(_Recorder):
    """POSTs to http://127.0.0.1:<port>/… are recorded (after `delay` seconds) and answered
    with `status`. With `hang`, the server never answers (a target that hangs).
    `connections` counts the TCP connections it accepted."""

    def __init__(self, delay: float = 0.0, status: int = 200, hang: bool = False) -> None:
        super().__init__()
        self.delay = delay
        self.status = status
        self.hang = hang
        self.connections = 0  # TCP connections accepted
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY, as servers set it: the answer's headers and body are written
            # apart, and a kept-alive client would otherwise wait for a delayed ACK.
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if receiver.hang:
                    receiver.release.wait(30)
                    return
                if receiver.delay:
                    time.sleep(receiver.delay)
                ctype = self.headers.get("Content-Type", "")
                data: Any = (
                    json.loads(raw or b"{}")
                    if "json" in ctype
                    else dict(parse_qsl(raw.decode("utf-8")))
                )
                key = self.headers.get("Idempotency-Key", "")
                receiver.add(Received(key, data, dict(self.headers.items())))
                body = b'{"ok": true}'
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender was killed while we answered

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver(_Recorder):
    """An SMTP server on 127.0.0.1 (aiosmtpd). Each message is recorded as a parsed
    email.message.EmailMessage; `delay` is spent in RCPT, before the message is sent."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        from aiosmtpd.controller import Controller

        receiver = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if receiver.delay:
                    import asyncio

                    await asyncio.sleep(receiver.delay)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(
                    envelope.original_content, policy=email.policy.default
                )
                receiver.add(
                    Received(
                        msg.get("X-Baozhang-Dedup-Key", ""),
                        msg,
                        {"to": ",".join(envelope.rcpt_tos)},
                    )
                )
                return "250 Message accepted for delivery"

        self.delay = delay
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()
