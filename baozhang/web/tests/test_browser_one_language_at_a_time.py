"""One language at a time (issue 18 §1), over every page of the demo a person can reach.

A browser signs in as staff, as a customer contact of each language and as nobody, and
walks the pages from the start page by following the links it finds (the menu, the lists,
the details), so that a page added later is visited without being named here: at most
``PER_ROUTE`` pages per URL pattern (one ticket stands for every ticket).

- With the English UI, no CJK character is left once the data people typed is taken out.
- With the Chinese UI, no message of the catalogue (the .po's msgids) shows in English, and
  no run of English words is left once the typed data is taken out.

"Data people typed" is the explicit list ``TYPED`` of fields below (names, subjects, bodies,
titles, descriptions …), read from the database after the demo loads. A name that has an
English form (a service's ``name_en``) is not typed data in its Chinese form on an English
page: it must show in the reader's language. Each problem names the page, the words and
the line they were found in.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polib
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db.models import Q
from django.urls import Resolver404, resolve

from baozhang.accounts.models import Language, User
from baozhang.conftest import sign_in
from baozhang.demo import load_demo
from baozhang.desk import services as desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PER_ROUTE = 1
MAX_PAGES = 160
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,-]+[A-Za-z][a-z']+){2,}")

# Fields whose values people typed (model label → fields). A field with an ``<f>_en``
# sibling is typed only in the rows where the English form is empty.
TYPED: dict[str, tuple[str, ...]] = {
    "accounts.Organisation": ("name",),
    "accounts.User": ("display_name", "username", "email"),
    "catalog.Service": ("name", "name_en", "description", "region"),
    "assets.Asset": (
        "name",
        "location_text",
        "vendor",
        "carrier",
        "end_a",
        "end_b",
        "model",
        "serial",
    ),
    "desk.Ticket": ("subject", "description", "requester"),
    "desk.TicketMessage": ("body", "author_label"),
    "monitoring.Monitor": ("name", "target"),
    "incidents.Incident": ("title", "description", "cause", "resolution"),
    "incidents.IncidentUpdate": ("message",),
    "incidents.IncidentReview": ("cause", "prevention", "summary", "lessons"),
    "maintenance.MaintenanceWindow": ("title", "description"),
    "analysis.Analysis": ("subject_label", "root_cause", "description"),
    "analysis.Action": ("description",),
    "analysis.CauseCategory": ("name", "name_en"),
    "notify.Unreached": ("object_label",),
    "sla.Agreement": ("title", "service"),
    "sla.Target": ("name",),
    "upkeep.Plan": ("item", "description", "team_name"),
    "upkeep.PlanStep": ("title", "requirement", "unit"),
    "upkeep.WorkOrder": ("acceptance_remark",),
    "upkeep.WorkRecord": ("remarks", "reason"),
    "upkeep.Reading": ("title", "requirement_text"),
    "upkeep.Photo": ("filename",),
    "changes.ChangeRequest": (
        "title",
        "reason",
        "description",
        "rollback_plan",
        "outside_low_usage_reason",
        "decision_note",
        "implementation_notes",
        "review_notes",
        "cancel_reason",
    ),
    "changes.EmergencyPlan": ("name", "kind_detail", "content"),
    "changes.Drill": ("participants", "lessons"),
    "staffing.Roster": ("name",),
    "assets.ConstructionProject": ("name", "description", "contractor", "acceptance_note"),
    "assets.AcceptanceTest": ("item", "requirement", "measured"),
    "assets.HandoverItem": ("text",),
    "backups.BackupJob": ("name", "system", "what", "location"),
    "calendars.Calendar": ("name",),
    "calls.Call": ("caller", "summary"),
}

# The visible text, less what is not prose in the page's language: text marked with another
# language (``lang="zh-Hans"`` on the language switch's 简体中文, a table of both forms of a
# name), code (``baozhang assets import``) and long pick lists of proper names (countries,
# time zones).
VISIBLE_TEXT = """() => {
  const own = (document.documentElement.lang || "").slice(0, 2).toLowerCase();
  const hidden = [];
  document.querySelectorAll("[lang], code, kbd, samp, pre, select").forEach((el) => {
    const lang = (el.getAttribute("lang") || "").slice(0, 2).toLowerCase();
    const foreign = el.hasAttribute("lang") && lang && lang !== own;
    const code = ["CODE", "KBD", "SAMP", "PRE"].includes(el.tagName);
    const names = el.tagName === "SELECT" && el.options.length > 50;
    if ((foreign || code || names) && !el.hidden) { el.hidden = true; hidden.push(el); }
  });
  const text = document.body.innerText;
  hidden.forEach((el) => { el.hidden = false; });
  return text;
}"""
ZONE = re.compile(r"\b[A-Z][A-Za-z]+/[A-Za-z_/+-]+")
# A command to type (``baozhang assets import``) is not a sentence to translate.
COMMAND = re.compile(r"\bbaozhang(?: [a-z][a-z-]*)+")

SKIP = re.compile(
    r"^/(?:admin|api|static|media|i18n)/|/accounts/logout|/export|/download|\.(?:xlsx|pdf|csv|json)\b"
    r"|[?&](?:format|lang)="
)
# Words of the trade that stay as they are in Chinese text.
TERMS = re.compile(
    r"\b(?:API|SLA|HTTP|HTTPS|JSON|TCP|ICMP|DNS|TLS|SMS|SMTP|IP|URL|ID|CSV|XLSX|PDF|OTP|TOTP"
    r"|Baozhang|Bearer|WeCom|DingTalk|Feishu|UPS|NMS|VPN|CPU)\b"
)


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    built_in = importlib.import_module("baozhang.analysis.migrations.0002_built_in_categories")
    built_in.create(django_apps, None)
    password = load_demo()
    assert password
    agent = User.objects.get(username="agent")
    from baozhang.accounts.models import Organisation
    from baozhang.demo import DEMO_CUSTOMERS

    ecc, northwind = (Organisation.objects.get(name=name) for name, _, _ in DEMO_CUSTOMERS)
    desk.open_ticket(
        agent,
        customer=northwind,
        kind="fault",
        subject="Portal blank after sign-in on the reports page",
        description="Since this morning the reports page stays blank.",
    )
    desk.open_ticket(agent, customer=ecc, kind="fault", subject="vm-12 重启后无法连接")
    return {"password": password}


def typed_data() -> list[str]:
    """Every value of ``TYPED`` (len ≥ 2), longest first, so that a longer value is taken out
    before a shorter one inside it."""
    values: set[str] = set()
    for label, fields in TYPED.items():
        try:
            model = django_apps.get_model(label)
        except LookupError:
            continue
        own = {f.name for f in model._meta.get_fields()}
        for name in fields:
            if name not in own:
                continue
            rows = model.objects.all()
            if f"{name}_en" in own:
                rows = rows.filter(Q(**{f"{name}_en": ""}))
            for value in rows.values_list(name, flat=True):
                for line in str(value or "").splitlines():
                    if len(line.strip()) >= 2:
                        values.add(line.strip())
    # A former value is data too: the event log shows a renamed organisation's old name.
    from baozhang.events.models import Event

    fields_of = {label.lower(): set(fields) for label, fields in TYPED.items()}
    for object_type, before, after in Event.objects.values_list("object_type", "before", "after"):
        for data in (before, after):
            if isinstance(data, dict) and object_type in fields_of:
                for name in fields_of[object_type] & set(data):
                    if isinstance(data[name], str) and len(data[name].strip()) >= 2:
                        values.add(data[name].strip())
    # A language is named in itself wherever it is offered or shown (the switch, a
    # customer's language): 简体中文 on an English page is the choice's own name.
    values.update(label for _code, label in Language.choices)
    return sorted(values, key=len, reverse=True)


def catalogue_phrases() -> list[str]:
    """The literal pieces of every translated msgid of the project's catalogue that read as
    an English phrase (two words or more), longest first."""
    po_path = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    phrases: set[str] = set()
    for entry in po:
        if entry.obsolete or not entry.msgstr or entry.msgstr == entry.msgid:
            continue
        for piece in re.split(r"%\(\w+\)[sdf]|%[sd]|\{[^}]*\}|<[^>]+>|\n", entry.msgid):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 8 and len(piece.split()) >= 2 and not CJK.search(piece):
                phrases.add(piece)
    return sorted(phrases, key=len, reverse=True)


def _without(text: str, typed: list[str]) -> str:
    for value in typed:
        if value in text:
            text = text.replace(value, " ")
    return text


def _route(path: str) -> str | None:
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    query = ",".join(sorted({q.split("=")[0] for q in parts.query.split("&") if q}))
    return f"{match.view_name}?{query}"


def crawl(page: Any, base: str, starts: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Walk the pages from ``starts``: (path, visible text) of each page and the problems
    met on the way (an answer that is not 200)."""
    seen_routes: Counter[str] = Counter()
    queue = list(starts)
    visited: set[str] = set()
    pages: list[tuple[str, str]] = []
    problems: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        route = _route(path)
        if route is None or seen_routes[route] >= PER_ROUTE:
            continue
        seen_routes[route] += 1
        response = page.goto(base + path)
        status = response.status if response is not None else 0
        if status != 200:
            if status >= 500 or status == 0:
                problems.append(f"{path}: answered {status}")
            continue
        pages.append((path, COMMAND.sub(" ", ZONE.sub(" ", page.evaluate(VISIBLE_TEXT)))))
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != base:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not SKIP.search(target) and target not in visited:
                queue.append(target)
    return pages, problems


def english_problems(pages: list[tuple[str, str]], typed: list[str], tag: str) -> list[str]:
    problems = []
    for path, text in pages:
        rest = _without(text, typed)
        for line in rest.splitlines():
            found = CJK.findall(line)
            if found:
                problems.append(f"{tag} {path}: CJK {found} in {line.strip()[:120]!r}")
    return problems


def chinese_problems(
    pages: list[tuple[str, str]], typed: list[str], phrases: list[str], tag: str
) -> list[str]:
    problems = []
    for path, text in pages:
        rest = _without(text, typed)
        for line in rest.splitlines():
            hits = [p for p in phrases if p in line]
            runs = ENGLISH_RUN.findall(TERMS.sub(" ", line))
            if hits or runs:
                found = (hits or runs)[:3]
                problems.append(f"{tag} {path}: English {found} in {line.strip()[:120]!r}")
    return problems


def _walk_as(page: Any, base: str, username: str | None, password: str, language: str) -> Any:
    """Walk in a browser whose own language is ``language`` (what a signed-out reader gets)."""
    context = page.context.browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="en-GB" if language == "en" else "zh-CN"
    )
    try:
        walker = context.new_page()
        if username is None:
            return crawl(walker, base, ["/status/", "/accounts/login/"])
        User.objects.filter(username=username).update(language=language)
        sign_in(walker, base, username, password)
        return crawl(walker, base, ["/"])
    finally:
        context.close()


def _check_all(
    page: Any, base: str, password: str, who: list[tuple[str | None, str]], at_least: int
) -> None:
    phrases = catalogue_phrases()
    problems: list[str] = []
    visited = 0
    for username, language in who:
        pages, walk_problems = _walk_as(page, base, username, password, language)
        visited += len(pages)
        # The walk found the pages (95 staff, 20 of a customer, 3 public on the demo today):
        # a menu or links it cannot follow any more fail here, not silently.
        assert len(pages) >= at_least, (username, language, [p for p, _ in pages])
        typed = typed_data()
        tag = f"{username or 'public'}-{language}"
        problems += [f"{tag} {p}" for p in walk_problems]
        if language == "en":
            problems += english_problems(pages, typed, tag)
        else:
            problems += chinese_problems(pages, typed, phrases, tag)
    assert visited > 0
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_staff_pages_speak_one_language(page, live_server, demo) -> None:  # type: ignore[no-untyped-def]
    _check_all(
        page,
        live_server.url,
        demo["password"],
        [("director", "en"), ("director", "zh-hans")],
        at_least=60,
    )


def test_portal_pages_speak_the_contacts_language(page, live_server, demo) -> None:  # type: ignore[no-untyped-def]
    _check_all(
        page,
        live_server.url,
        demo["password"],
        [("contact2", "en"), ("contact1", "zh-hans"), ("contact1", "en")],
        at_least=12,
    )


def test_public_pages_speak_one_language(page, live_server, demo) -> None:  # type: ignore[no-untyped-def]
    _check_all(
        page, live_server.url, demo["password"], [(None, "en"), (None, "zh-hans")], at_least=2
    )
