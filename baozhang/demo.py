"""Demo data for `baozhang up --demo`: an operator, two customers and a person per role.

Everything goes through the services, so the demo also fills the event record.
"""

from __future__ import annotations

import secrets

from django.db import transaction

from baozhang.accounts import services
from baozhang.accounts.models import Language, Organisation, OrganisationKind, Role, User

DEMO_CUSTOMERS = [
    ("华东云商 East China Cloud Commerce", "ecc.example.cn", Language.ZH_HANS),
    ("Northwind Hosting", "northwind.example.com", Language.EN),
]

DEMO_STAFF = [
    ("agent", "客服 王芳 Wang Fang (agent)", Role.AGENT),
    ("engineer", "工程师 李强 Li Qiang (engineer)", Role.ENGINEER),
    ("complaints", "投诉管理员 赵敏 Zhao Min", Role.COMPLAINT_ADMIN),
    ("director", "服务总监 陈刚 Chen Gang", Role.SERVICE_DIRECTOR),
    ("inspector", "质检员 刘洋 Liu Yang", Role.QUALITY_INSPECTOR),
    ("security", "安全员 孙丽 Sun Li", Role.SECURITY_OFFICER),
]


@transaction.atomic
def load_demo() -> str | None:
    """Create the demo organisations and people once. Returns the demo people's shared
    password the first time, None if the demo data is already there."""
    if User.objects.filter(username="agent").exists():
        return None
    password = "demo-" + secrets.token_urlsafe(9)
    operator = services.operator_organisation()
    if operator.name.startswith("Operator"):
        services.update_organisation(None, operator, name="保障云 Baozhang Cloud (operator)")
    for username, name, role in DEMO_STAFF:
        services.create_user(
            None,
            username=username,
            password=password,
            organisation=operator,
            roles=[role],
            display_name=name,
            email=f"{username}@baozhang.example.cn",
        )
    for index, (name, domain, language) in enumerate(DEMO_CUSTOMERS, start=1):
        org = Organisation.objects.filter(name=name).first() or services.create_organisation(
            None, name=name, kind=OrganisationKind.CUSTOMER, language=language, email_domains=domain
        )
        services.create_user(
            None,
            username=f"contact{index}",
            password=password,
            organisation=org,
            roles=[Role.CUSTOMER_CONTACT],
            display_name=f"{name} contact",
            email=f"ops@{domain}",
            language=language,
        )
    _demo_monitoring()
    return password


def _demo_monitoring() -> None:
    """Services, monitors that watch this very platform (so they are really up while it
    runs), a nightly-backup heartbeat, announced maintenance and a past, reviewed fault."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    from baozhang.catalog import services as service_catalog
    from baozhang.incidents import services as incidents
    from baozhang.maintenance import services as maintenance
    from baozhang.monitoring import catalog

    director = User.objects.get(username="director")
    engineer = User.objects.get(username="engineer")
    ecc, northwind = (Organisation.objects.get(name=name) for name, _, _ in DEMO_CUSTOMERS)
    portal = service_catalog.create_service(
        director,
        name="客户门户",
        name_en="Customer portal",
        slug="portal",
        position=1,
        customers=[ecc, northwind],
    )
    hosts = service_catalog.create_service(
        director,
        name="云主机",
        name_en="Cloud hosts",
        slug="hosts",
        position=2,
        customers=[ecc],
    )
    backup = service_catalog.create_service(
        director,
        name="数据备份",
        name_en="Backups",
        slug="backups",
        position=3,
        customers=[northwind],
    )
    base = settings.BAOZHANG_BASE_URL
    catalog.create_monitor(
        director,
        name="门户登录页 Portal sign-in page",
        kind="http",
        target=f"{base}/accounts/login/",
        keyword="Baozhang",
        interval_s=60,
        timeout_s=10,
        retries=2,
        services=[portal],
        customers=[ecc, northwind],
    )
    host, _, port = base.split("//", 1)[1].partition(":")
    catalog.create_monitor(
        director,
        name="门户端口 Portal TCP port",
        kind="tcp",
        target=f"{host}:{port or 80}",
        interval_s=60,
        timeout_s=5,
        retries=2,
        services=[hosts],
        customers=[ecc],
    )
    catalog.create_monitor(
        director,
        name="夜间备份 Nightly backup",
        kind="push",
        push_period_s=86_400,
        push_grace_s=3_600,
        services=[backup],
        customers=[northwind],
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    night = (timezone.now().astimezone(zone) + dt.timedelta(days=3)).replace(
        hour=2, minute=0, second=0, microsecond=0
    )
    maintenance.schedule(
        engineer,
        title="云主机内核升级",
        title_en="Cloud host kernel upgrade",
        description="宿主机轮流重启，每台约 5 分钟。/ Hosts restart in turn, about 5 minutes each.",
        services=[hosts],
        start=night,
        end=night + dt.timedelta(hours=2),
    )
    past = timezone.now() - dt.timedelta(days=6, hours=3)
    incident = incidents.open_incident(
        engineer,
        service=portal,
        title="门户访问缓慢 Portal slow to answer",
        severity="major",
        classification="egress_link",
        responsibility="inside",
        detected_at=past,
        message="出口链路丢包，正在切换。/ Packet loss on the egress link.",
    )
    incidents.resolve(
        engineer,
        incident,
        cause="出口链路光模块故障 / A failed optic on the egress link",
        resolution="已切换到备用链路并更换光模块 / Moved to the standby link, optic replaced",
        at=past + dt.timedelta(minutes=25),
    )
    incidents.review(
        director,
        incident,
        cause="光模块老化 / An ageing optic",
        prevention="每季度检查光功率 / Check optical power every quarter",
        actions=[
            {
                "description": "更换同批次光模块 / Replace optics of the same batch",
                "owner": engineer,
                "due_on": (past + dt.timedelta(days=30)).date(),
            }
        ],
    )
