from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DESIGN.md. Each is a Django group of the same name."""

    CUSTOMER_CONTACT = "customer_contact", _("Customer contact")
    AGENT = "agent", _("Agent")
    ENGINEER = "engineer", _("Engineer")
    COMPLAINT_ADMIN = "complaint_admin", _("Complaint administrator")
    SERVICE_DIRECTOR = "service_director", _("Service director")
    QUALITY_INSPECTOR = "quality_inspector", _("Quality inspector")
    SECURITY_OFFICER = "security_officer", _("Security officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class OrganisationKind(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    CUSTOMER = "customer", _("Customer")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Organisation(models.Model):
    """The operator itself (exactly one) or one of its customers."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=OrganisationKind.choices,
        default=OrganisationKind.CUSTOMER,
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated domains whose senders belong to this organisation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    green_channel = models.BooleanField(
        _("green channel"),
        default=False,
        help_text=_("Tickets of this customer jump the queue and go to the green channel (D6)."),
    )
    # Where the operator's customers reach it (set on the operator's own organisation; the
    # customer portal's home shows them).
    hotline = models.CharField(
        _("service hotline"),
        max_length=100,
        blank=True,
        help_text=_("The operator's service hotline as customers dial it, e.g. 400-800-1234."),
    )
    complaint_line = models.CharField(
        _("complaint line"),
        max_length=100,
        blank=True,
        help_text=_("Where customers complain: a telephone number or an e-mail address."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind=OrganisationKind.OPERATOR),
                name="one_operator_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_operator(self) -> bool:
        return self.kind == OrganisationKind.OPERATOR


class User(AbstractUser):
    """A person who signs in: operator staff or a customer's contact."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    green_channel = models.BooleanField(
        _("green channel"),
        default=False,
        help_text=_("This contact's tickets jump the queue (D6)."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ApiToken(models.Model):
    """An API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
