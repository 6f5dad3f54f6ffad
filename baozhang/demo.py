"""Demo data for `baozhang up --demo`: an operator, two customers and a person per role.

Everything goes through the services, so the demo also fills the event record.
"""

from __future__ import annotations

import secrets
from typing import Any

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
    _demo_portal(*(Organisation.objects.get(name=name) for name, _, _ in DEMO_CUSTOMERS))
    return password


def _demo_monitoring() -> None:
    """Services, monitors that watch this very platform (so they are really up while it
    runs), a nightly-backup heartbeat, announced maintenance and a past, reviewed fault."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    from baozhang.analysis.models import CauseCategory
    from baozhang.analysis.services import ensure_built_in_categories
    from baozhang.catalog import services as service_catalog
    from baozhang.incidents import services as incidents
    from baozhang.maintenance import services as maintenance
    from baozhang.monitoring import catalog

    ensure_built_in_categories()
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
        category=CauseCategory.objects.get(key="link"),
    )
    _demo_analysis(director, engineer, portal, ecc)
    _demo_assets(director, engineer, portal, hosts, ecc)
    _demo_upkeep(director, engineer)
    _demo_ups_snmp(director)
    _demo_changes(director, engineer)
    _demo_projects_backups_patches(director, engineer)


def _demo_changes(director: User, engineer: User) -> None:
    """Changes and emergency plans (baozhang/changes): the cloud hosts' kernel upgrade
    requested by the engineer inside the announced maintenance window and approved by the
    director; a firewall rule found changed without approval last week; an emergency plan
    for a power failure drilled last quarter and one for a security incident never drilled."""
    import datetime as dt

    from django.utils import timezone

    from baozhang.catalog.models import Service
    from baozhang.changes import services as changes
    from baozhang.maintenance.models import MaintenanceWindow

    hosts = Service.objects.get(slug="hosts")
    window = MaintenanceWindow.objects.get(services=hosts)
    upgrade = changes.create_change(
        engineer,
        title="云主机内核升级 Cloud host kernel upgrade",
        kind="upgrade",
        reason="内核安全更新 / Kernel security update",
        risk="medium",
        services=[hosts],
        rollback_plan="从上一内核启动 / Boot the previous kernel",
        planned_start=window.start + dt.timedelta(minutes=15),
        planned_end=window.end - dt.timedelta(minutes=15),
        maintenance_window=window,
    )
    changes.submit(engineer, upgrade)
    changes.approve(director, upgrade, note="按窗口执行 / Within the window")
    changes.record_unauthorised(
        director,
        title="防火墙规则手工放行 Firewall rule opened by hand",
        kind="configuration",
        reason="配置比对发现 / Found by the nightly configuration diff",
        risk="high",
        implemented_at=timezone.now() - dt.timedelta(days=5),
        implemented_by=engineer,
        result="succeeded",
        notes="无变更单 / No change request",
    )
    power = changes.create_plan(
        director,
        name="机房断电应急预案 Power failure plan",
        kind="power_failure",
        content="1. 确认 UPS 供电 / Check the UPS carries the load\n"
        "2. 启动发电机 / Start the generator\n3. 通知客户 / Tell the customers",
        owner=engineer,
        drill_interval_days=180,
    )
    today = timezone.localdate()
    changes.record_drill(
        director,
        power,
        held_on=today - dt.timedelta(days=90),
        participants="engineer, director",
        result="partly",
        lessons="发电机启动用了 4 分钟 / The generator took 4 minutes",
    )
    changes.schedule_drill(director, power, scheduled_on=today + dt.timedelta(days=60))
    changes.create_plan(
        director,
        name="安全事件应急预案 Security incident plan",
        kind="security_incident",
        content="1. 隔离主机 / Isolate the host\n2. 保全日志 / Keep the logs",
        owner=director,
    )


def _demo_assets(director: User, engineer: User, portal: Any, hosts: Any, ecc: Any) -> None:
    """The asset register: a machine room and a rack, a critical core switch (two people
    responsible, X5), the egress line watched by the portal's TCP monitor, and the
    network-management software itself watched by the sign-in page's monitor."""
    import datetime as dt

    from django.utils import timezone

    from baozhang.assets import services as assets
    from baozhang.monitoring import catalog
    from baozhang.monitoring.models import Monitor

    operator = services.operator_organisation()
    room = assets.create_asset(
        engineer,
        name="一号机房 Machine room 1",
        kind="room",
        owner=operator,
        location_text="上海市浦东新区 Pudong, Shanghai",
    )
    rack = assets.create_asset(engineer, name="A01", kind="rack", owner=operator, location=room)
    assets.create_asset(
        engineer,
        name="核心交换机 Core switch A",
        kind="network_device",
        owner=operator,
        location=rack,
        vendor="华为 Huawei",
        model="CE6881",
        serial="2102351234",
        role="primary",
        is_critical=True,
        responsible=[engineer, director],
        warranty_end=timezone.localdate() + dt.timedelta(days=400),
        services=[portal, hosts],
    )
    line = assets.create_asset(
        engineer,
        name="电信出口 Telecom egress",
        kind="line",
        owner=operator,
        carrier="中国电信 China Telecom",
        bandwidth_mbps=1000,
        end_a="一号机房 A01",
        end_b="电信浦东局 Telecom Pudong",
        role="primary",
        is_critical=True,
        responsible=[engineer, director],
        services=[portal, hosts],
        customers=[ecc],
    )
    nms = assets.create_asset(
        engineer,
        name="保障网管平台",
        kind="nms",
        owner=operator,
        vendor="Baozhang",
        responsible=[engineer, director],
        is_critical=True,
    )
    for name, asset in (
        ("门户端口 Portal TCP port", line),
        ("门户登录页 Portal sign-in page", nms),
    ):
        monitor = Monitor.objects.get(name=name)
        catalog.update_monitor(director, monitor, registered_assets=[asset])


def _demo_upkeep(director: User, engineer: User) -> None:
    """Maintenance plans and work orders (baozhang/upkeep): a monthly UPS check of the UPS
    in machine room 1 (battery voltage 13.2–13.8 V, room 18–27 °C and 40–70 % humidity,
    fans running); last month's work order recorded by the engineer and accepted by the
    director, this month's waiting to be done."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from baozhang.assets import services as assets
    from baozhang.assets.models import Asset
    from baozhang.upkeep import services as upkeep

    operator = services.operator_organisation()
    room = Asset.objects.get(kind="room")
    ups = assets.create_asset(
        engineer,
        name="UPS 一号机房 UPS room 1",
        kind="ups",
        owner=operator,
        location=room,
        vendor="山特 Santak",
        model="3C3 Pro 20K",
        responsible=[engineer, director],
        is_critical=True,
    )
    now = timezone.now()
    plan = upkeep.create_plan(
        director,
        assets=[ups],
        team=[engineer],
        supervisors=[director],
        item="UPS 月度巡检 UPS monthly check",
        description="蓄电池、环境与风扇 / Batteries, environment and fans",
        period="monthly",
        starts_on=(timezone.localdate() - dt.timedelta(days=120)).replace(day=1),
        team_name="动力班 Power team",
        time_limit_days=10,
        steps=[
            {
                "title": "蓄电池浮充电压 Battery float voltage",
                "requirement": "range",
                "low": Decimal("13.2"),
                "high": Decimal("13.8"),
                "unit": "V",
            },
            {
                "title": "机房温度 Room temperature",
                "requirement": "range",
                "low": Decimal(18),
                "high": Decimal(27),
                "unit": "°C",
            },
            {
                "title": "机房湿度 Room humidity",
                "requirement": "range",
                "low": Decimal(40),
                "high": Decimal(70),
                "unit": "%",
            },
            {"title": "风扇运转 Fans running", "requirement": "yes_no", "expected_yes": True},
        ],
    )
    last_month = now - dt.timedelta(days=now.day + 1)
    upkeep.generate(last_month, plans=[plan])
    upkeep.generate(now, plans=[plan])
    done = plan.work_orders.order_by("period_start").first()
    performed = min(now, done.due_at - dt.timedelta(days=3))
    upkeep.record_work(
        engineer,
        done,
        values={1: "13.5", 2: "23.5", 3: "52", 4: "yes"},
        remarks="蓄电池外观正常 / Batteries look normal",
        sign=True,
        now=performed,
    )
    upkeep.accept(director, done, remark="抽查电压一致 / Voltage spot-checked", now=performed)


def _demo_ups_snmp(director: User) -> None:
    """An SNMP monitor of the UPS's battery voltage (UPS-MIB, 0.1 V units, 13.2–13.8 V),
    paused: the demo has no UPS to ask, so it checks nothing until someone points it at
    one and enables it."""
    from baozhang.assets.models import Asset
    from baozhang.monitoring import catalog

    catalog.create_monitor(
        director,
        name="UPS 电池电压 UPS battery voltage",
        kind="snmp",
        enabled=False,
        target="127.0.0.1:161",
        snmp_version="2c",
        snmp_community="public",
        snmp_oid="1.3.6.1.2.1.33.1.2.5.0",
        snmp_scale=0.1,
        snmp_min=13.2,
        snmp_max=13.8,
        snmp_unit="V",
        interval_s=300,
        timeout_s=5,
        retries=2,
        registered_assets=list(Asset.objects.filter(kind="ups")),
    )


def _demo_analysis(director: User, engineer: User, portal: Any, ecc: Organisation) -> None:
    """Cause analysis (Q2): an earlier egress-link fault on the portal (a repeat of the same
    cause), whose corrective action is overdue, and an upheld complaint with its actions."""
    import datetime as dt

    from django.utils import timezone

    from baozhang.analysis import services as analysis
    from baozhang.analysis.models import CauseCategory
    from baozhang.desk import services as desk
    from baozhang.incidents import services as incidents

    agent = User.objects.get(username="agent")
    earlier = timezone.now() - dt.timedelta(days=12)
    incident = incidents.open_incident(
        engineer,
        service=portal,
        title="门户间歇性超时 Portal times out now and then",
        severity="minor",
        classification="egress_link",
        responsibility="outside",
        detected_at=earlier,
        message="运营商线路抖动。/ The carrier's line is flapping.",
    )
    incidents.resolve(
        engineer,
        incident,
        cause="运营商线路抖动 / The carrier's line flapped",
        resolution="运营商已修复 / Repaired by the carrier",
        at=earlier + dt.timedelta(minutes=40),
    )
    incidents.review(
        director,
        incident,
        cause="运营商光缆被挖断后临时熔接 / A temporary splice after the carrier's cable was cut",
        prevention="申请第二条不同路由的线路 / Order a second line on another route",
        category=CauseCategory.objects.get(key="link"),
        actions=[
            {
                "description": "向运营商申请第二条线路 / Order a second line from another carrier",
                "owner": engineer,
                "due_on": timezone.localdate() - dt.timedelta(days=2),  # overdue
                "kind": "corrective",
            }
        ],
    )
    complaint = desk.open_ticket(
        None,
        customer=ecc,
        kind="complaint",
        subject="故障期间客服未及时回电 / Nobody called back during the outage",
        channel="hotline",
        requester="ECC 运维 / ECC operations",
        now=earlier + dt.timedelta(hours=2),
    )
    found = analysis.analyse(
        agent,
        subject_kind="complaint",
        subject_id=complaint.pk,
        subject_label=f"{complaint.reference} {complaint.subject}",
        occurred_at=complaint.created_at,
        service=portal,
        category=CauseCategory.objects.get(key="human"),
        root_cause="值班坐席未按故障通报流程回电 / The agent on duty skipped the call-back step",
        upheld=True,
        parent=complaint,
    )
    done = analysis.add_action(
        agent,
        found,
        kind="corrective",
        description="向客户致歉并说明 / Apologise and explain to the customer",
        owner=agent,
        due_on=timezone.localdate() - dt.timedelta(days=8),
        parent=complaint,
    )
    analysis.complete_action(agent, done, parent=complaint)
    analysis.add_action(
        agent,
        found,
        kind="preventive",
        description="故障通报流程培训 / Training on the outage call-back procedure",
        owner=User.objects.get(username="complaints"),
        within_working_days=10,
        parent=complaint,
    )


def _demo_portal(ecc: Organisation, northwind: Organisation) -> None:
    """What a customer contact sees on their home page: the operator's hotline and
    complaint line, an active agreement per customer whose availability target the
    monitors feed, with last month's review, and tickets, one waiting for the customer."""
    import datetime as dt
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    from baozhang.desk import services as desk
    from baozhang.monitoring import catalog
    from baozhang.monitoring.models import Monitor
    from baozhang.sla import services as sla

    director = User.objects.get(username="director")
    agent = User.objects.get(username="agent")
    services.update_organisation(
        None,
        services.operator_organisation(),
        hotline="400-800-1234",
        complaint_line="400-800-5678",
    )
    now = timezone.now()
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    this_month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    monitors = {
        ecc: Monitor.objects.get(name__startswith="门户端口"),
        northwind: Monitor.objects.get(name__startswith="门户登录页"),
    }
    for number, (customer, title) in enumerate(
        (
            (ecc, "云主机与客户门户服务协议 Cloud hosts and portal"),
            (northwind, "Portal and backups service agreement"),
        ),
        start=1,
    ):
        agreement = sla.create_agreement(
            director,
            customer=customer,
            reference=f"SLA-DEMO-{number:03d}",
            title=title,
            monthly_fee=Decimal("20000.00"),
            starts_on=(last_month - dt.timedelta(days=60)).date(),
        )
        target = sla.add_target(
            director,
            agreement,
            name="月可用率 Monthly availability",
            kind="availability",
            objective=Decimal("99.9"),
            calendar_key="24x7",
            tiers=[{"threshold": "99.9", "credit_percent": "10"}],
        )
        sla.add_target(
            director,
            agreement,
            name="首次响应 First response",
            kind="response_time",
            objective=Decimal("95"),
            calendar_key="24x7",
            clock="first_response",
            priority_limits={"P1": "PT15M", "P2": "PT30M", "P3": "PT2H", "P4": "PT4H"},
        )
        sla.transition(director, agreement, "negotiate")
        sla.transition(director, agreement, "activate")
        catalog.update_monitor(director, monitors[customer], targets=[target])
        sla.open_review(director, agreement, period_start=last_month, period_end=this_month)
    contact1 = User.objects.get(username="contact1")
    waiting = desk.open_ticket(
        contact1,
        customer=ecc,
        kind="fault",
        subject="VPN 连接频繁断开 / The VPN keeps dropping",
        description="每隔十几分钟断一次。/ It drops every ten minutes or so.",
    )
    desk.reply(agent, waiting, "请提供断开时的客户端日志。/ Please send the client log of a drop.")
    desk.change_status(agent, waiting, "waiting_customer")
    desk.open_ticket(
        User.objects.get(username="contact2"),
        customer=northwind,
        kind="request",
        subject="Restore test of last night's backup",
    )


def _demo_projects_backups_patches(director: User, engineer: User) -> None:
    """Issue 19's records beside the register: a construction project (two new web
    servers) tested and handed over, its servers now in service; two backups reporting
    through their heartbeats, one on time and one late (its monitor down: the alarm);
    advisories matched against the servers' software inventory, one installed, one
    overdue, one still within its deadline."""
    import datetime as dt

    from django.utils import timezone

    from baozhang.assets import projects
    from baozhang.assets import services as assets
    from baozhang.assets.models import Asset
    from baozhang.backups import services as backups
    from baozhang.monitoring.models import Monitor
    from baozhang.monitoring.push import evaluate_push, ping_message, store_pings
    from baozhang.patches import services as patches

    operator = services.operator_organisation()
    rack = Asset.objects.get(kind="rack")
    now = timezone.now()
    today = timezone.localdate()
    servers = [
        assets.create_asset(
            engineer,
            name=f"门户服务器 Portal web-{n}",
            kind="server",
            owner=operator,
            location=rack,
            vendor="浪潮 Inspur",
            model="NF5280M6",
            status="construction",
            responsible=[engineer, director],
        )
        for n in (1, 2)
    ]
    project = projects.create_project(
        engineer,
        name="门户扩容工程",
        contractor="乙方系统集成公司",
        planned_start=today - dt.timedelta(days=40),
        planned_end=today - dt.timedelta(days=10),
        actual_start=today - dt.timedelta(days=38),
        actual_end=today - dt.timedelta(days=12),
        assets=servers,
        responsible=[engineer],
    )
    for item, requirement, measured in (
        ("加电自检", "无告警", "无告警"),
        ("双电源切换", "切换不断电", "通过"),
        ("网络吞吐", "≥ 9 Gbit/s", "9.4 Gbit/s"),
    ):
        projects.record_test(
            engineer,
            project,
            item=item,
            requirement=requirement,
            measured=measured,
            passed=True,
            tester=engineer,
            tested_on=today - dt.timedelta(days=12),
        )
    for topic, text in (
        ("documents", "竣工图与配置清单"),
        ("monitoring", "已纳入门户登录页监控"),
        ("backup", "已登记每日备份"),
    ):
        projects.check_handover_item(
            engineer, projects.add_handover_item(engineer, project, topic=topic, text=text)
        )
    projects.accept_handover(director, project, note="资料齐全")

    # Two backups, each with its heartbeat: the portal database daily, on time; the
    # NMS configuration every 6 hours, whose last report is 14 hours old (late).
    daily = backups.create_job(
        director,
        name="门户数据库每日备份",
        asset=servers[0],
        what="PostgreSQL 全量转储",
        every=1,
        every_unit="days",
        retention_days=30,
        location="NAS-2 /backup/portal",
        responsible=engineer,
    )
    nms = backups.create_job(
        director,
        name="网管配置备份",
        system="保障网管平台",
        what="配置与证书",
        every=6,
        every_unit="hours",
        retention_days=14,
        location="NAS-2 /backup/nms",
        responsible=engineer,
    )
    # Registered three days ago (the demo's history), then its reports.
    since = now - dt.timedelta(days=3)
    for job in (daily, nms):
        type(job).objects.filter(pk=job.pk).update(created_at=since)
        Monitor.objects.filter(pk=job.monitor_id).update(created_at=since)
    pings = [(daily.monitor_id, now - dt.timedelta(days=d, hours=-1), d) for d in (3, 2, 1)] + [
        (nms.monitor_id, now - dt.timedelta(hours=h), h) for h in (26, 20, 14)
    ]
    for monitor_id, at, k in sorted(pings, key=lambda p: p[1]):
        store_pings(
            [
                (
                    monitor_id,
                    at,
                    True,
                    ping_message(size=734_003_200 + k * 1_048_576, checksum=f"sha256:{k:064x}"),
                )
            ]
        )
        evaluate_push(at + dt.timedelta(seconds=1))
    evaluate_push(now)

    # The servers' software, reported three weeks ago, and three advisories: openssl
    # (critical, found then: overdue), nginx (high, installed since), curl (medium, found
    # yesterday: within its deadline).
    reported = now - dt.timedelta(days=21)
    for server in servers:
        patches.report_inventory(
            engineer,
            server,
            [
                ("openssl", "3.0.11-1~deb12u2"),
                ("nginx", "1.22.1-9"),
                ("curl", "7.88.1-10+deb12u4"),
                ("postgresql-15", "15.8-0+deb12u1"),
            ],
            now=reported,
        )
    for reference, product, fixed, severity, cve, found in (
        ("DSA-5764-1", "openssl", "3.0.14-1~deb12u1", "critical", "CVE-2024-5535", reported),
        ("DSA-5767-1", "nginx", "1.22.1-9+deb12u1", "high", "CVE-2024-7347", reported),
        (
            "DSA-5786-1",
            "curl",
            "7.88.1-10+deb12u8",
            "medium",
            "CVE-2024-9681",
            now - dt.timedelta(days=1),
        ),
    ):
        advisory = patches.create_advisory(
            director,
            now=found,
            reference=reference,
            title=f"{product} security update",
            product=product,
            fixed_version=fixed,
            severity=severity,
            cve_ids=[cve],
            released_on=found.date(),
            source_text="https://security-tracker.debian.org/",
        )
        if product == "nginx":
            patches.set_states(
                engineer,
                advisory.statuses.values_list("pk", flat=True),
                "installed",
                installed_at=now - dt.timedelta(days=5),
            )
