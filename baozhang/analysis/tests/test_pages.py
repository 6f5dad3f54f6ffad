"""The analysis pages in Chinese and English: the taxonomy (MANAGE_CAUSES changes it), the
actions page (open, overdue, mine, done; mark done), the incident's review with its
analysis, and a complaint ticket's analysis panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baozhang.accounts.models import User
from baozhang.analysis import services
from baozhang.analysis.models import Action, Analysis, CauseCategory
from baozhang.analysis.tests.conftest import category
from baozhang.desk import services as desk


def _get(client: Client, url: str, lang: str) -> str:
    """The page in ``lang``: the signed-in person's chosen language wins."""
    User.objects.filter(pk=client.session["_auth_user_id"]).update(language=lang)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-hans", ("原因类别", "不可抗力", "停用")),
        ("en", ("Cause categories", "Force majeure", "Deactivate")),
    ],
)
def test_the_taxonomy_page_in_both_languages(
    login: Callable[..., Client], inspector: Any, lang: str, words: tuple[str, ...]
) -> None:
    page = _get(login(inspector), reverse("analysis:categories"), lang)
    for word in words:
        assert word in page


def test_the_taxonomy_is_changed_on_its_page(login: Callable[..., Client], inspector: Any) -> None:
    client = login(inspector)
    url = reverse("analysis:categories")
    client.post(
        url, {"key": "vendor", "name": "厂商缺陷", "name_en": "Vendor defect", "position": 85}
    )
    assert CauseCategory.objects.get(key="vendor").name_en == "Vendor defect"
    human = category("human")
    change = reverse("analysis:category", args=[human.pk])
    client.post(
        change,
        {
            "op": "save",
            f"c{human.pk}-name": "人为差错",
            f"c{human.pk}-name_en": "Human error",
            f"c{human.pk}-position": 50,
        },
    )
    client.post(change, {"op": "deactivate"})
    human.refresh_from_db()
    assert (human.name, human.name_en, human.active) == ("人为差错", "Human error", False)
    client.post(reverse("analysis:category", args=[category("hardware").pk]), {"op": "delete"})
    assert CauseCategory.objects.filter(key="hardware").exists()


def test_an_agent_reads_the_taxonomy_but_may_not_change_it(
    login: Callable[..., Client], personas: Any
) -> None:
    client = login(personas.agent)
    page = _get(client, reverse("analysis:categories"), "en")
    assert "Add a category" not in page
    response = client.post(
        reverse("analysis:category", args=[category("attack").pk]), {"op": "deactivate"}
    )
    assert response.status_code == 302
    assert category("attack").active
    assert (
        client.post(
            reverse("analysis:categories"),
            {"key": "x", "name": "某", "name_en": "X", "position": 1},
        ).status_code
        == 403
    )


def test_customers_do_not_see_analysis_pages(login: Callable[..., Client], personas: Any) -> None:
    client = login(personas.contact_a)
    assert client.get(reverse("analysis:actions")).status_code == 404
    assert client.get(reverse("analysis:categories")).status_code == 404


def test_the_actions_page_lists_and_marks_done(
    login: Callable[..., Client], personas: Any, analysed: Any
) -> None:
    found = analysed(subject_label="INC-9 机房断电")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = services.add_action(
        personas.engineer, found, description="加装 UPS", owner=personas.engineer, due_on=yesterday
    )
    services.add_action(personas.engineer, found, description="演练切换", owner=personas.agent)
    client = login(personas.engineer)
    for lang, overdue in (("zh-hans", "已逾期"), ("en", "Overdue")):
        page = _get(client, reverse("analysis:actions") + "?show=overdue", lang)
        assert "加装 UPS" in page and "演练切换" not in page and overdue in page
    mine = _get(client, reverse("analysis:actions") + "?show=mine", "en")
    assert "加装 UPS" in mine and "演练切换" not in mine
    client.post(
        reverse("analysis:action_done", args=[late.pk]), {"next": "/analysis/actions/?show=done"}
    )
    late.refresh_from_db()
    assert late.done_at is not None and late.done_by == personas.engineer
    done = _get(client, reverse("analysis:actions") + "?show=done", "en")
    assert "加装 UPS" in done and "Done late" in done


def test_an_incident_review_keeps_its_actions_in_the_one_tracker(
    login: Callable[..., Client], personas: Any, incident_factory: Callable[..., Any]
) -> None:
    from baozhang.incidents import services as incidents

    incident = incident_factory()
    incidents.resolve(personas.agent, incident, cause="", resolution="ok")
    client = login(personas.engineer)
    url = reverse("incidents:action", args=[incident.pk])
    client.post(
        url,
        {
            "action": "review",
            "review-cause": "电源模块老化",
            "review-prevention": "定期巡检",
            "review-category": category("hardware").pk,
            "review-action_0_description": "更换电源模块",
            "review-action_0_owner": personas.engineer.pk,
        },
    )
    found = Analysis.objects.get(subject_kind="incident", subject_id=incident.pk)
    assert (found.category.key, found.root_cause) == ("hardware", "电源模块老化")
    assert list(incident.review.actions.values_list("description", flat=True)) == ["更换电源模块"]
    # the analysis form changes the category; another action is added
    client.post(
        url,
        {
            "action": "analyse",
            "analyse-category": category("power").pk,
            "analyse-root_cause": "UPS 老化",
        },
    )
    client.post(
        url,
        {
            "action": "add_action",
            "add_action-kind": "corrective",
            "add_action-description": "更换 UPS 电池",
            "add_action-owner": personas.engineer.pk,
            "add_action-within_working_days": 3,
        },
    )
    found.refresh_from_db()
    assert found.category.key == "power"
    added = Action.objects.get(description="更换 UPS 电池")
    assert added.kind == "corrective" and added.due_on == services.due_in_working_days(3)
    for lang, words in (
        ("zh-hans", ("电源或环境", "纠正")),
        ("en", ("Power or environment", "Corrective")),
    ):
        page = _get(client, reverse("incidents:detail", args=[incident.pk]), lang)
        for word in words:
            assert word in page
    client.post(url, {"action": "complete", "review_action": added.pk})
    added.refresh_from_db()
    assert added.done_at is not None


def test_a_complaint_ticket_has_its_analysis_panel(
    login: Callable[..., Client], personas: Any, hosting: Any
) -> None:
    ticket = desk.open_ticket(
        None,
        customer=personas.org_a,
        kind="complaint",
        subject="服务态度 Rude answer",
        contact=personas.contact_a,
    )
    client = login(personas.agent)
    page = _get(client, reverse("desk:ticket", args=[ticket.pk]), "en")
    assert 'data-testid="complaint-analysis"' in page and "Not analysed yet." in page
    url = reverse("desk:complaint_analysis", args=[ticket.pk])
    client.post(
        url,
        {
            "op": "analyse",
            "analyse-upheld": "yes",
            "analyse-service": hosting.pk,
            "analyse-category": category("human").pk,
            "analyse-root_cause": "坐席未按话术答复",
        },
    )
    found = Analysis.objects.get(subject_kind="complaint", subject_id=ticket.pk)
    assert (found.upheld, found.service, found.category.key) == (True, hosting, "human")
    client.post(
        url,
        {
            "op": "add_action",
            "action-kind": "preventive",
            "action-description": "坐席培训",
            "action-owner": personas.agent.pk,
        },
    )
    assert found.actions.get().description == "坐席培训"
    zh = _get(client, reverse("desk:ticket", args=[ticket.pk]), "zh-hans")
    assert "属实" in zh and "坐席培训" in zh and "人为" in zh
    # the customer's own contact sees no panel
    contact_page = _get(login(personas.contact_a), reverse("desk:ticket", args=[ticket.pk]), "en")
    assert "complaint-analysis" not in contact_page
    # a fault ticket has no panel
    fault = desk.open_ticket(
        None, customer=personas.org_a, kind="fault", subject="x", contact=personas.contact_a
    )
    assert "complaint-analysis" not in _get(
        login(personas.agent), reverse("desk:ticket", args=[fault.pk]), "en"
    )
