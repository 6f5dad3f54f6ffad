from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from baozhang.core.bilingual import one_language


class AppendOnlyError(Exception):
    """Raised when code tries to edit or delete an event (Q1: raw records stay as written)."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("events are append-only / 事件记录只能追加，不能修改")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("events are append-only / 事件记录只能追加，不能删除")


class EventKind(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    STATE_CHANGED = "state_changed", _("state changed")
    SIGNED_IN = "signed_in", _("signed in")
    SIGNED_OUT = "signed_out", _("signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")
    LOCKED_OUT = "locked_out", _("account locked")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    OTP_ENABLED = "otp_enabled", _("two-factor sign-in enabled")
    OTP_DISABLED = "otp_disabled", _("two-factor sign-in disabled")
    NOTIFICATION_DEAD = "notification_dead", _("notification undeliverable")
    COVERAGE_GAP = "coverage_gap", _("gap in the duty roster")


class Event(models.Model):
    """One append-only record: who did what to which object, when, before → after."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    # The whole the object belongs to (a target's agreement, a reply's ticket): its
    # timeline shows the events of its parts too.
    parent_type = models.CharField(_("belongs to (type)"), max_length=100, blank=True)
    parent_id = models.CharField(_("belongs to (id)"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    # The summary as a message of the catalogue and its parameters (events/text.py), so
    # that each reader reads it in their language; empty for typed text and older rows.
    summary_id = models.CharField(_("summary message"), max_length=300, blank=True)
    summary_params = models.JSONField(
        _("summary parameters"), null=True, blank=True, encoder=DjangoJSONEncoder
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["parent_type", "parent_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.kind} {self.object_label}"

    @property
    def summary_text(self) -> str:
        """The summary in the reader's language: the stored message said again, or for
        typed text and older rows the text as written (a ``中文 / English`` pair in the
        reader's half)."""
        from baozhang.events.text import render

        if self.summary_id:
            return render(self.summary_id, self.summary_params)
        return one_language(self.summary, get_language())

    @property
    def actor_text(self) -> str:
        """Who acted, a ``中文 / English`` pair (``service desk / 服务台``) in the reader's half."""
        return one_language(self.actor_label, get_language())

    @property
    def object_text(self) -> str:
        """The object's recorded label in the reader's language: an object recorded by its
        ``name`` that also has a ``name_en`` (a service) shows that on English pages; a
        ``中文 / English`` pair shows the reader's half."""
        language = get_language() or ""
        if language.startswith("en"):
            for data in (self.after, self.before):
                if (
                    isinstance(data, dict)
                    and data.get("name_en")
                    and data.get("name") == self.object_label
                ):
                    return str(data["name_en"])
        return one_language(self.object_label, language)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("events are append-only / 事件记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("events are append-only / 事件记录只能追加，不能删除")
