"""Loopback servers for the probe tests: aiohttp apps, raw TCP servers that never answer,
a closed port, a self-signed certificate and a tiny UDP DNS responder."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
from aiohttp import web


@contextlib.asynccontextmanager
async def serve(
    app: web.Application, *, ssl_context: ssl.SSLContext | None = None, port: int = 0
) -> AsyncIterator[int]:
    """Serve ``app`` on 127.0.0.1; yields the port."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, ssl_context=ssl_context, reuse_address=True)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def raw_server(
    on_connect: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
    host: str = "127.0.0.1",
) -> AsyncIterator[int]:
    """A raw TCP server calling ``on_connect``; yields the port."""
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        result = on_connect(reader, writer)
        if asyncio.iscoroutine(result):
            await result

    server = await asyncio.start_server(handle, host, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for w in writers:
            w.transport.abort()
        server.close()
        await server.wait_closed()


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept and read, but never write a byte."""
    with contextlib.suppress(Exception):
        await reader.read()  # until the client gives up


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(folder: Path, days: int) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 valid ``days`` days: (cert, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            str(days),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class DnsResponder(asyncio.DatagramProtocol):
    """Answers from ``zone``: {(name, type): [rdata text, ...]}. Names in ``nxdomain``
    don't exist, ``servfail`` fail, ``silent`` get no answer; other names exist with no
    records of the asked type."""

    def __init__(self, zone: dict[tuple[str, str], list[str]]) -> None:
        self.zone = zone
        self.transport: asyncio.DatagramTransport | None = None
        self.queries = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queries += 1
        query = dns.message.from_wire(data)
        q = query.question[0]
        name = q.name.to_text().lower()
        rtype = dns.rdatatype.to_text(q.rdtype)
        if name.startswith("silent."):
            return
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if name.startswith("nxdomain."):
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif name.startswith("servfail."):
            response.set_rcode(dns.rcode.SERVFAIL)
        elif (name, rtype) in self.zone:
            response.answer.append(
                dns.rrset.from_text_list(q.name, 60, "IN", rtype, self.zone[(name, rtype)])
            )
        assert self.transport is not None
        self.transport.sendto(response.to_wire(), addr)


@contextlib.asynccontextmanager
async def dns_server(zone: dict[tuple[str, str], list[str]]) -> AsyncIterator[str]:
    """A loopback DNS responder; yields ``"127.0.0.1:port"``."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: DnsResponder(zone), local_addr=("127.0.0.1", 0)
    )
    try:
        yield f"127.0.0.1:{transport.get_extra_info('sockname')[1]}"
    finally:
        transport.close()
