from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import said


class EventedAdmin(admin.ModelAdmin):
    """Django admin edits are changes like any other: each one is recorded as an event."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        fields = [f for f in form.changed_data if f in {x.name for x in obj._meta.concrete_fields}]
        with transaction.atomic():
            before = dict(form.initial) if change else {}
            before = {k: before.get(k) for k in fields}
            super().save_model(request, obj, form, change)
            after = snapshot(obj, fields)
            old, new = changed(before, after) if change else ({}, after)
            kind = EventKind.UPDATED if change else EventKind.CREATED
            if new or not change:
                record(
                    kind,
                    obj,
                    actor=request.user,
                    before=old or None,
                    after=new,
                    summary=said("in the admin site"),
                )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            record(EventKind.DELETED, obj, actor=request.user, summary=said("in the admin site"))
            super().delete_model(request, obj)
