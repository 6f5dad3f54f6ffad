from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from baozhang.accounts.services import ensure_initial_admin, ensure_role_groups
from baozhang.web.server import serve


def _base_url(host: str, port: int) -> str:
    """The address people and the probe reach this server at: a wildcard host means this
    machine's loopback."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = (
        "Migrate, create the first administrator, and serve the web and the worker in one "
        "process. / 迁移数据库、创建首个管理员，并在一个进程中运行网站与后台任务。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="load demo data / 载入演示数据")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        ensure_role_groups()
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        created = ensure_initial_admin()
        url = f"http://{options['host']}:{options['port']}/"
        if not os.environ.get("BAOZHANG_BASE_URL"):
            # Links in mail and the demo's self-checks point at this server, not port 8000.
            settings.BAOZHANG_BASE_URL = _base_url(options["host"], options["port"])
        self.stdout.write(f"Baozhang 保障 · data in {settings.HOME}")
        if created is not None:
            user, password = created
            self.stdout.write(self.style.SUCCESS("Administrator created / 已创建管理员:"))
            self.stdout.write(f"  user name / 用户名: {user.username}")
            self.stdout.write(f"  password / 密码:   {password}")
            self.stdout.write("  (shown only once / 仅显示这一次)")
        if options["demo"]:
            from baozhang.demo import load_demo

            demo_password = load_demo()
            if demo_password:
                self.stdout.write(
                    "Demo people / 演示账户: agent, engineer, complaints, director, inspector, "
                    "security (operator); contact1, contact2 (customers)"
                )
                self.stdout.write(
                    f"  their password / 密码: {demo_password}  (shown once / 仅显示一次)"
                )
        if options["no_serve"]:
            return
        self.stdout.write(
            self.style.SUCCESS(f"Serving on / 访问地址: {url}  (Ctrl-C to stop / 停止)")
        )
        self.stdout.flush()
        serve(options["host"], options["port"], with_worker=True, with_probe=True)
        self.stdout.write("stopped / 已停止")
