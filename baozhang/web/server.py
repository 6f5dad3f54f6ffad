"""Serving: the ASGI web role, optionally with the background worker in the same process."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import uvicorn

from baozhang.web.limits import MAX_HEADER_BYTES, MAX_URL_BYTES

log = logging.getLogger("baozhang.server")

# The request line and headers h11 buffers: our URL and header limits and a margin.
HEAD_LIMIT_BYTES = MAX_URL_BYTES + MAX_HEADER_BYTES + 1024


def plain_http_warning(host: str) -> str:
    """The warning for serving plain HTTP on `host` while cookies are Secure by default
    (SECURE_COOKIES unset), or "" when there is nothing to warn about: browsers keep
    Secure cookies over plain HTTP only from localhost and 127.0.0.1, so elsewhere no one
    could stay signed in."""
    from django.conf import settings

    told_https = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    loopback = host in ("localhost", "::1") or host.startswith("127.")
    if loopback or told_https or not settings.SESSION_COOKIE_SECURE:
        return ""
    return (
        f"浏览器只在 HTTPS 或本机地址上保存安全 Cookie，在 http://{host} 上将无法登录："
        "请在前面加 HTTPS 并设置 SECURE_COOKIES=1，或设置 SECURE_COOKIES=0 / "
        f"Cookies are Secure and browsers keep them over plain HTTP only on localhost:"
        f" signing in at http://{host} will not work. Put HTTPS in front and set"
        " SECURE_COOKIES=1, or set SECURE_COOKIES=0"
    )


def serve(
    host: str,
    port: int,
    *,
    with_worker: bool,
    with_probe: bool = False,
    worker_concurrency: int = 4,
) -> None:
    """Serve until Ctrl-C or SIGTERM. uvicorn owns the signals; when it returns, the
    worker (and probe) threads are told to stop and are waited for, so in-flight
    deliveries and checks finish."""
    warning = plain_http_warning(host)
    if warning:
        log.warning(warning)
    stop = threading.Event()
    worker_thread: threading.Thread | None = None
    if with_worker:
        from baozhang.jobs.worker import Worker

        worker = Worker(name=None, concurrency=worker_concurrency)
        worker_thread = threading.Thread(
            target=worker.run, args=(stop,), name="baozhang-worker", daemon=True
        )
        worker_thread.start()
    probe_thread: threading.Thread | None = None
    if with_probe:
        from baozhang.monitoring.runner import start_thread

        probe_thread = start_thread(stop)
    config = uvicorn.Config(
        "baozhang.asgi:application",
        host=host,
        port=port,
        lifespan="off",
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=10,
        # Without httptools uvicorn reads requests with h11, whose default 16 KiB for a
        # request head is below our own limits; theirs is raised so ours answer (414/431).
        h11_max_incomplete_event_size=HEAD_LIMIT_BYTES,
    )
    server = uvicorn.Server(config)
    # uvicorn shuts down on SIGINT/SIGTERM, restores the handlers it found and raises the
    # signal again. Handlers that only note it let the worker be stopped and waited for.
    received: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, note)
    try:
        server.run()
    finally:
        stop.set()
        if worker_thread is not None:
            worker_thread.join(timeout=30)
            if worker_thread.is_alive():
                log.warning("worker did not stop within 30 s / 后台任务未能在 30 秒内停止")
        if probe_thread is not None:
            probe_thread.join(timeout=30)
