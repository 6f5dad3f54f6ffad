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
    return password
