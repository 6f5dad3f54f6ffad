"""A work order changes hands and gets photos from a phone after its readings were typed,
on the page and through the API, until it is accepted; each change is an event, and what
is refused says why in the reader's language (issue 19 §3, §8)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from baozhang.events.models import Event
from baozhang.events.tests.reading import reads
from baozhang.upkeep import order_changes, services
from baozhang.upkeep.models import WorkOrder
from baozhang.upkeep.photos import MAX_PHOTOS

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=SH)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _order(ups_plan):  # type: ignore[no-untyped-def]
    ups_plan()
    services.generate(NOW)
    return WorkOrder.objects.get(period_start=dt.date(2026, 11, 1))


def _recorded(order, personas):  # type: ignore[no-untyped-def]
    services.record_work(personas.engineer, order, values={1: "13.5", 2: "21", 3: "yes"}, sign=True)
    order.refresh_from_db()
    return order


def test_a_work_order_is_reassigned_on_its_page_and_the_event_says_to_whom(
    ups_plan, personas, engineer2, login
):
    order = _order(ups_plan)
    assert order.assignee == personas.engineer
    client = login(personas.director)
    page = client.get(reverse("upkeep:order", args=[order.pk])).content.decode()
    assert 'data-testid="assign-form"' in page
    client.post(reverse("upkeep:order_assign", args=[order.pk]), {"assignee": engineer2.pk})
    order.refresh_from_db()
    assert order.assignee == engineer2
    event = Event.objects.filter(summary_id__startswith="work order reassigned").get()
    assert reads(event) == (f"工单改派给 {engineer2}", f"work order reassigned to {engineer2}")
    # The same person again changes nothing and records nothing.
    client.post(reverse("upkeep:order_assign", args=[order.pk]), {"assignee": engineer2.pk})
    assert Event.objects.filter(summary_id__startswith="work order reassigned").count() == 1
    client.post(reverse("upkeep:order_assign", args=[order.pk]), {"assignee": ""})
    order.refresh_from_db()
    assert order.assignee is None


def test_a_work_order_goes_only_to_the_operators_staff_and_not_once_accepted(
    ups_plan, personas, engineer2
):
    order = _order(ups_plan)
    with translation.override("en"), pytest.raises(ValidationError, match="active staff"):
        order_changes.reassign(personas.director, order, personas.contact_a)
    with pytest.raises(PermissionDenied):
        order_changes.reassign(personas.agent, order, engineer2)
    _recorded(order, personas)
    services.accept(engineer2, order)
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="已验收"):
        order_changes.reassign(personas.director, order, engineer2)
    order.refresh_from_db()
    assert order.assignee == personas.engineer


def test_photos_join_the_latest_version_through_the_api(ups_plan, personas, engineer2, api_client):
    order = _order(ups_plan)
    engineer = api_client(personas.engineer, "en")
    url = f"/api/v1/upkeep/work-orders/{order.pk}/photos"

    early = engineer.post(url, {"file": SimpleUploadedFile("ups.png", PNG, "image/png")})
    assert early.status_code == 422
    assert "Record the work first" in early.json()["error"]["fields"]["photos"][0]

    _recorded(order, personas)
    added = engineer.post(url, {"file": SimpleUploadedFile("ups.png", PNG, "image/png")})
    assert added.status_code == 201, added.content
    (version,) = added.json()["records"]
    assert [p["filename"] for p in version["photos"]] == ["ups.png"]
    assert order.records.get().photos.get().file.read() == PNG
    event = Event.objects.filter(summary_id__contains="photo(s) added").get()
    assert reads(event) == (
        "原始记录第 1 版添加了 1 张照片",
        "1 photo(s) added to version 1 of the record",
    )

    not_a_photo = engineer.post(
        url, {"file": SimpleUploadedFile("x.sh", b"#!/bin/sh", "text/x-sh")}
    )
    assert not_a_photo.status_code == 422
    assert "is not a photo" in not_a_photo.json()["error"]["fields"]["photos"][0]
    missing = engineer.post(url, {})
    assert missing.status_code == 422
    assert (
        api_client(personas.agent)
        .post(url, {"file": SimpleUploadedFile("a.png", PNG, "image/png")})
        .status_code
        == 403
    )
    assert (
        api_client(personas.contact_a)
        .post(url, {"file": SimpleUploadedFile("a.png", PNG, "image/png")})
        .status_code
        == 404
    )

    services.accept(engineer2, order)
    closed = engineer.post(url, {"file": SimpleUploadedFile("late.png", PNG, "image/png")})
    assert closed.status_code == 422
    assert order.records.get().photos.count() == 1


def test_a_version_holds_at_most_its_photos(ups_plan, personas):
    order = _recorded(_order(ups_plan), personas)
    order_changes.add_photos(
        personas.engineer, order, [(f"{n}.png", "image/png", PNG) for n in range(MAX_PHOTOS)]
    )
    with translation.override("en"), pytest.raises(ValidationError, match="at most 10 photos"):
        order_changes.add_photos(personas.engineer, order, [("11.png", "image/png", PNG)])
    assert order.records.get().photos.count() == MAX_PHOTOS


def test_reassignment_through_the_api(ups_plan, personas, engineer2, api_client):
    order = _order(ups_plan)
    director = api_client(personas.director, "en")
    url = f"/api/v1/upkeep/work-orders/{order.pk}/assign"
    moved = director.post(url, {"assignee_id": engineer2.pk}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["assignee_id"] == engineer2.pk
    nobody = director.post(url, {"assignee_id": None}, content_type="application/json")
    assert nobody.status_code == 200 and nobody.json()["assignee_id"] is None
    unknown = director.post(url, {"assignee_id": 999_999}, content_type="application/json")
    assert unknown.status_code == 422 and "assignee_id" in unknown.json()["error"]["fields"]
    customer = director.post(
        url, {"assignee_id": personas.contact_a.pk}, content_type="application/json"
    )
    assert customer.status_code == 422
    wrong = director.post(url, {"assignee_id": "me"}, content_type="application/json")
    assert wrong.status_code == 422
