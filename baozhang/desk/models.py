"""The 7x24 service desk (D1–D7, F1, F2, F4): tickets of every kind from every channel,
with their messages, SLA clocks and escalation level."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketKind(models.TextChoices):
    FAULT = "fault", _("Fault report")
    REQUEST = "request", _("Service request")
    CONSULTATION = "consultation", _("Consultation")
    COMPLAINT = "complaint", _("Complaint")
    REFUND = "refund", _("Refund request")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Customer portal")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    HOTLINE = "hotline", _("Service hotline")
    FREE_800 = "free_800", _("800 number")
    FAX = "fax", _("Fax")
    API = "api", _("API")
    AGENT = "agent", _("Entered by an agent")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 urgent")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 normal")
    P4 = "P4", _("P4 low")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# While a ticket waits for the customer, its clocks stand still (DESIGN.md "SLA clocks").
PAUSING_STATUSES = frozenset({Status.WAITING_CUSTOMER})
FINISHED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


class Level(models.IntegerChoices):
    """The four-level quality chain of D5; escalation follows it."""

    CUSTOMER_SERVICE = 1, _("Customer service")
    TECHNICAL = 2, _("Technical department")
    COMPLAINT_ADMIN = 3, _("Complaint administrator")
    SERVICE_DIRECTOR = 4, _("Service director")


class Group(models.Model):
    """A team that takes tickets at one level of the chain (and the green channel's team)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.CUSTOMER_SERVICE
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="desk_groups"
    )
    is_green_channel = models.BooleanField(_("takes the green channel"), default=False)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A problem category, with its own resolution limit (D3)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    resolution_limit = models.CharField(
        _("resolution limit"),
        max_length=20,
        blank=True,
        help_text=_("ISO 8601 business time (PT8H) or working days (5wd); empty: by priority."),
    )
    calendar_key = models.CharField(_("calendar"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TicketKind.choices)
    customer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets_as_contact",
    )
    requester = models.CharField(
        _("requester"),
        max_length=200,
        blank=True,
        help_text=_("Name, e-mail or phone number of whoever reported it."),
    )
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, default=Priority.P3
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, null=True, blank=True
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.CUSTOMER_SERVICE
    )
    green_channel = models.BooleanField(_("green channel"), default=False)
    agreement = models.ForeignKey(
        "sla.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    # The nearest deadline of the running clocks, kept by the services so that the queue
    # sorts on an index instead of grouping every open ticket's clocks.
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("customer rating (1–5)"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "green_channel", "priority", "created_at"]),
            models.Index(
                models.F("green_channel").desc(),
                # Ascending puts NULLs last on PostgreSQL, as the queue orders them.
                models.F("next_due_at").asc(),
                "created_at",
                name="desk_ticket_queue",
                condition=~models.Q(status__in=[Status.RESOLVED, Status.CLOSED]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def organisation(self):  # type: ignore[no-untyped-def]
        return self.customer


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Reply (the customer sees it)")
    INTERNAL = "internal", _("Internal note")


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    author_label = models.CharField(_("from"), max_length=200)
    from_customer = models.BooleanField(_("from the customer"), default=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    body = models.TextField(_("text"))
    email_message_id = models.CharField(
        _("e-mail Message-ID"), max_length=300, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.author_label}"


class Attachment(models.Model):
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_UPDATE = "next_update", _("Next update")
    RESOLUTION = "resolution", _("Resolution")


class ClockState(models.TextChoices):
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    BREACHED = "breached", _("breached")


class Clock(models.Model):
    """An SLA clock of a ticket. Its facts (start, pauses, stop, target, calendar) are the
    truth; due_at/warn_at/state are derived by core and stored so workers find what is due
    with an index. Recomputing from the facts always gives the same answer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("clock"), max_length=16, choices=ClockKind.choices)
    target = models.CharField(_("target"), max_length=20)
    calendar_key = models.CharField(_("calendar"), max_length=60)
    source = models.CharField(_("from"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    warned = models.BooleanField(_("warning sent"), default=False)
    breached = models.BooleanField(_("breached"), default=False)
    # Set by the worker once the breach was announced and escalated (at most once).
    breach_handled = models.BooleanField(_("breach handled"), default=False)
    provisional = models.BooleanField(_("provisional"), default=False)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=models.Q(stopped_at__isnull=True),
                name="one_running_clock_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.kind}"


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    DONE = "done", _("Done")
    NO_ANSWER = "no_answer", _("No answer")
    CANCELLED = "cancelled", _("Withdrawn: the ticket was reopened")


class Callback(models.Model):
    """Customer follow-up after resolution (D4): a call by an agent from a script, or the
    customer's answer to a survey link; the satisfaction is recorded either way."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks")
    due_at = models.DateTimeField(_("due at"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CallbackStatus.choices,
        default=CallbackStatus.PENDING,
    )
    survey_token = models.CharField(_("survey token"), max_length=64, unique=True)
    outcome = models.TextField(_("outcome"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    answered_by_survey = models.BooleanField(_("answered by survey"), default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    follow_up = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("complaint opened from it"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.ticket.reference} callback"


class SavedView(models.Model):
    """A person's saved queue filter (the query string of the queue page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_views"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filter"), max_length=500)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="one_view_name")]

    def __str__(self) -> str:
        return self.name


class RuleKind(models.TextChoices):
    PRIORITY = "priority", _("Priority at least")
    CUSTOMER = "customer", _("Customer")
    REPEATED_CONTACT = "repeated", _("Repeated contact")
    KIND = "kind", _("Kind of ticket")


class EscalationRule(models.Model):
    """Escalate a new ticket at once to a level when it matches (D5): a severe priority, a
    named customer, a kind, or a customer who contacted us N times within D days."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("rule"), max_length=10, choices=RuleKind.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, blank=True)
    customer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("customer"),
    )
    ticket_kind = models.CharField(
        _("kind of ticket"), max_length=16, choices=TicketKind.choices, blank=True
    )
    times = models.PositiveSmallIntegerField(_("contacts"), default=3)
    within_days = models.PositiveSmallIntegerField(_("within days"), default=7)
    to_level = models.PositiveSmallIntegerField(_("escalate to"), choices=Level.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["-to_level", "name"]

    def __str__(self) -> str:
        return self.name


class InboundSms(models.Model):
    """Every SMS the gateway hands us, kept whether or not it became a ticket."""

    class Outcome(models.TextChoices):
        OPENED = "opened", _("opened a ticket")
        REPLIED = "replied", _("added to a ticket")
        UNMATCHED = "unmatched", _("unknown number")
        FAILED = "failed", _("could not be routed")

    sender = models.CharField(_("from"), max_length=40)
    text = models.TextField(_("text"))
    gateway_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway_id"],
                condition=~models.Q(gateway_id=""),
                name="one_sms_per_gateway_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
