"""HTTP(S) checks against loopback servers: each success and each failure a user sees."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from baozhang.monitoring.probe.checks import CheckContext, cert_not_after, run_check
from baozhang.monitoring.probe.specs import MonitorSpec
from baozhang.monitoring.probe.tests.helpers import (
    closed_port,
    never_answer,
    raw_server,
    self_signed,
    serve,
)

BIG = b"a" * (1 << 20) + b"NEEDLE"  # the keyword lies just past the 1 MiB read


def _app() -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="hello world, all systems nominal")

    async def empty(request: web.Request) -> web.Response:
        return web.Response(status=200)

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="x")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.3)
        return web.Response(text="late")

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=BIG)

    async def redirect(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n == 0:
            return web.Response(text="arrived")
        raise web.HTTPFound(f"/redirect/{n - 1}")

    async def echo(request: web.Request) -> web.Response:
        body = await request.text()
        return web.Response(text=f"{request.method} {request.headers.get('X-Test')} {body}")

    app = web.Application()
    app.add_routes(
        [
            web.get("/ok", ok),
            web.get("/empty", empty),
            web.get("/status/{code}", status),
            web.get("/slow", slow),
            web.get("/big", big),
            web.get("/redirect/{n}", redirect),
            web.route("*", "/echo", echo),
        ]
    )
    return app


def http(target: str, **kw: Any) -> MonitorSpec:
    kw.setdefault("timeout", 3.0)
    return MonitorSpec(id=1, kind="http", target=target, interval=60.0, **kw)


def check_all(
    specs: Callable[[int], list[MonitorSpec]], **serve_kw: Any
) -> list[tuple[bool, float | None, str]]:
    """Serve the test app, run each spec (built from the port) and return the results."""

    async def main() -> list[tuple[bool, float | None, str]]:
        async with serve(_app(), **serve_kw) as port, CheckContext() as ctx:
            return [await run_check(s, ctx) for s in specs(port)]

    return asyncio.run(main())


def one(coro: Callable[[CheckContext], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with CheckContext() as ctx:
            return await coro(ctx)

    return asyncio.run(main())


def test_success_and_status_failures() -> None:
    ok, bad, accepted = check_all(
        lambda p: [
            http(f"http://127.0.0.1:{p}/ok"),
            http(f"http://127.0.0.1:{p}/status/503"),
            http(f"http://127.0.0.1:{p}/status/503", expected_status="200,500-599"),
        ]
    )
    assert ok[0] is True and ok[2] == "" and ok[1] is not None and ok[1] >= 0
    assert bad == (False, bad[1], "status 503 not in 200-399 / 状态码 503 不在 200-399 内")
    assert bad[1] is not None  # the server did answer: latency is known
    assert accepted[0] is True


def test_keyword_present_and_absent() -> None:
    found, missing, unwanted, absent_ok, beyond_limit = check_all(
        lambda p: [
            http(f"http://127.0.0.1:{p}/ok", keyword="nominal"),
            http(f"http://127.0.0.1:{p}/ok", keyword="degraded"),
            http(f"http://127.0.0.1:{p}/ok", keyword="nominal", keyword_absent=True),
            http(f"http://127.0.0.1:{p}/ok", keyword="error", keyword_absent=True),
            http(f"http://127.0.0.1:{p}/big", keyword="NEEDLE"),
        ]
    )
    assert found == (True, found[1], "")
    assert (
        missing[0] is False and missing[2] == "keyword 'degraded' missing / 缺少关键字 'degraded'"
    )
    assert unwanted[0] is False and "keyword 'nominal' present" in unwanted[2]
    assert absent_ok[0] is True
    assert beyond_limit[0] is False and "missing" in beyond_limit[2]


def test_method_headers_and_body_are_sent() -> None:
    (result,) = check_all(
        lambda p: [
            http(
                f"http://127.0.0.1:{p}/echo",
                http_method="POST",
                http_headers=(("X-Test", "yes"),),
                http_body="payload",
                keyword="POST yes payload",
            )
        ]
    )
    assert result == (True, result[1], "")


def test_latency_limit() -> None:
    slow, fast = check_all(
        lambda p: [
            http(f"http://127.0.0.1:{p}/slow", latency_limit_ms=50),
            http(f"http://127.0.0.1:{p}/ok", latency_limit_ms=60_000),
        ]
    )
    assert slow[0] is False and slow[1] is not None and slow[1] >= 300
    assert slow[2].startswith("too slow: ") and "> limit 50 ms" in slow[2]
    assert "超过上限 50 毫秒" in slow[2]
    assert fast[0] is True


def test_redirects_followed_up_to_five() -> None:
    five, six = check_all(
        lambda p: [
            http(f"http://127.0.0.1:{p}/redirect/5", keyword="arrived"),
            http(f"http://127.0.0.1:{p}/redirect/6"),
        ]
    )
    assert five[0] is True
    assert six == (False, None, "more than 5 redirects / 重定向超过 5 次")


def test_a_server_that_never_answers_costs_one_timeout() -> None:
    async def main(ctx: CheckContext) -> tuple[bool, float | None, str]:
        async with raw_server(never_answer) as port:
            return await run_check(http(f"http://127.0.0.1:{port}/", timeout=0.2), ctx)

    assert one(main) == (False, None, "timeout after 0.2 s / 0.2 秒内无响应（超时）")


def test_refused_and_dns_failure() -> None:
    port = closed_port()

    async def main(ctx: CheckContext) -> list[tuple[bool, float | None, str]]:
        return [
            await run_check(http(f"http://127.0.0.1:{port}/"), ctx),
            await run_check(http("http://nonexistent.invalid/"), ctx),
        ]

    refused, unknown = one(main)
    assert refused[0] is False
    assert refused[2].startswith("connection refused (127.0.0.1) / 连接被拒绝")
    assert unknown[0] is False
    assert unknown[2].startswith("DNS lookup failed (nonexistent.invalid) / 域名解析失败")


def test_broken_servers() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    async def main(ctx: CheckContext) -> list[tuple[bool, float | None, str]]:
        async with raw_server(garbage) as p1, raw_server(hang_up) as p2:
            return [
                await run_check(http(f"http://127.0.0.1:{p1}/"), ctx),
                await run_check(http(f"http://127.0.0.1:{p2}/"), ctx),
            ]

    nonsense, closed = one(main)
    assert nonsense[0] is False and nonsense[2].startswith("invalid HTTP response")
    assert closed == (
        False,
        None,
        "server closed the connection without a response / 服务器未响应即关闭连接",
    )


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"), days=10)


def _server_ssl(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def test_tls_certificate_days(tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    results = check_all(
        lambda p: [
            http(f"https://127.0.0.1:{p}/ok", verify_tls=False, cert_min_days=5),
            http(f"https://127.0.0.1:{p}/ok", verify_tls=False, cert_min_days=30),
            # an empty body: aiohttp releases the connection before we see the response
            http(f"https://127.0.0.1:{p}/empty", verify_tls=False, cert_min_days=30),
            http(f"https://127.0.0.1:{p}/ok"),
        ],
        ssl_context=_server_ssl(cert, key),
    )
    enough, too_few, too_few_empty, untrusted = results
    assert enough == (True, enough[1], "")
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).date().isoformat()
    assert too_few[0] is False
    assert too_few[2] == (
        f"TLS certificate expires in 9 days ({day}), fewer than 30 / "
        f"TLS 证书 9 天后（{day}）到期，少于 30 天"
    )
    assert too_few_empty[2] == too_few[2]
    assert untrusted[0] is False
    assert untrusted[2].startswith("TLS certificate not trusted: self-signed certificate")


def test_cert_days_on_plain_http_says_so() -> None:
    (result,) = check_all(lambda p: [http(f"http://127.0.0.1:{p}/ok", cert_min_days=1)])
    assert result[0] is False and "no TLS certificate" in result[2]


def test_cert_not_after_matches_openssl(tls_files: tuple[Path, Path]) -> None:
    cert, _ = tls_files
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-enddate", "-in", str(cert)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    expected = dt.datetime.strptime(out.split("=", 1)[1], "%b %d %H:%M:%S %Y GMT").replace(
        tzinfo=dt.UTC
    )
    assert cert_not_after(der) == expected
    with pytest.raises(ValueError):
        cert_not_after(der[:40])
