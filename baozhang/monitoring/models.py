"""What the operator watches (S1, F7, N1, Q4): the monitors that measure the services of
the catalogue (``catalog.Service``), the probe regions that run the checks, and the
monitoring data kept so that it grows with outages, not with time (DESIGN.md,
"Monitoring data"):

- ``CheckState``: per monitor, the judged state and last check that every check rewrites;
- ``ProbeResult``: raw check results and heartbeat pings, kept ``MONITOR_RAW_DAYS`` days;
- ``StateSpell``: one row per up/down/maintenance/unknown spell of a monitor;
- ``DailyRollup``: per monitor and day, the collection periods that ran, failed, were
  missed or excluded, and a latency histogram (for the 完好率 of Q4(2));
- ``MonthlyRollup``: per monitor and month, the sums of its daily rollups (kept with them
  by rollups.py), so that a year's 完好率 reads 12 rows per monitor instead of 365.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MonitorKind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP connect")
    ICMP = "icmp", _("ICMP ping")
    DNS = "dns", _("DNS")
    SNMP = "snmp", _("SNMP")
    PUSH = "push", _("Push heartbeat")


class MonitorStatus(models.TextChoices):
    UP = "up", pgettext_lazy("monitor status", "Up")
    DOWN = "down", pgettext_lazy("monitor status", "Down")
    UNKNOWN = "unknown", pgettext_lazy("monitor status", "Unknown")
    MAINTENANCE = "maintenance", pgettext_lazy("monitor status", "Maintenance")


class HttpMethod(models.TextChoices):
    GET = "GET", "GET"
    HEAD = "HEAD", "HEAD"
    POST = "POST", "POST"


class DnsRecordType(models.TextChoices):
    A = "A", "A"
    AAAA = "AAAA", "AAAA"
    CNAME = "CNAME", "CNAME"
    MX = "MX", "MX"
    NS = "NS", "NS"
    TXT = "TXT", "TXT"


class SnmpVersion(models.TextChoices):
    V2C = "2c", "SNMPv2c"
    V3 = "3", "SNMPv3"


class SnmpAuthProtocol(models.TextChoices):
    MD5 = "MD5", "MD5"
    SHA = "SHA", "SHA-1"
    SHA224 = "SHA-224", "SHA-224"
    SHA256 = "SHA-256", "SHA-256"
    SHA384 = "SHA-384", "SHA-384"
    SHA512 = "SHA-512", "SHA-512"


class SnmpPrivProtocol(models.TextChoices):
    DES = "DES", "DES"
    AES = "AES", "AES-128"
    AES192 = "AES-192", "AES-192"
    AES256 = "AES-256", "AES-256"


# The settings of an SNMP monitor that are secrets: stored (the probe needs them), never
# shown back, never written into an event.
SNMP_SECRETS = ("snmp_community", "snmp_auth_key", "snmp_priv_key")

LOCAL_REGION = "local"
PUSH_REGION = "push"


class Monitor(models.Model):
    """One check of one thing, made every ``interval_s`` seconds from its regions."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=MonitorKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    target = models.CharField(
        pgettext_lazy("monitor", "target"),
        max_length=500,
        blank=True,
        help_text=_(
            "HTTP: the URL. TCP: host:port. ICMP: the host. DNS: the name to resolve. "
            "SNMP: the agent's host (and :port, 161 if not given). Push: left empty."
        ),
    )
    # HTTP
    http_method = models.CharField(
        _("HTTP method"), max_length=8, choices=HttpMethod.choices, default=HttpMethod.GET
    )
    http_headers = models.JSONField(_("HTTP headers"), default=dict, blank=True)
    http_body = models.TextField(_("HTTP body"), blank=True)
    expected_status = models.CharField(
        _("expected status"),
        max_length=100,
        default="200-399",
        help_text=_("Codes or ranges, comma-separated: 200-299,301."),
    )
    keyword = models.CharField(_("keyword"), max_length=200, blank=True)
    keyword_absent = models.BooleanField(
        _("keyword must be absent"),
        default=False,
        help_text=_(
            "Fail when the keyword appears (an error page's text), instead of when it is missing."
        ),
    )
    latency_limit_ms = models.PositiveIntegerField(
        _("latency limit (ms)"),
        null=True,
        blank=True,
        help_text=_("A slower answer counts as a failed check."),
    )
    cert_min_days = models.PositiveIntegerField(
        _("TLS certificate: minimum days left"), null=True, blank=True
    )
    verify_tls = models.BooleanField(_("verify the TLS certificate"), default=True)
    # DNS
    dns_record_type = models.CharField(
        _("DNS record type"), max_length=8, choices=DnsRecordType.choices, default="A"
    )
    dns_expected = models.CharField(
        _("expected DNS answer"),
        max_length=500,
        blank=True,
        help_text=_(
            "Values that must all be in the answer, comma-separated. Empty: any answer will do."
        ),
    )
    dns_server = models.CharField(
        _("DNS server"),
        max_length=100,
        blank=True,
        help_text=_("IP address (and :port) of the resolver to ask; empty: the system's."),
    )
    # SNMP: GET of one OID, its value against an expected value or range
    snmp_version = models.CharField(
        _("SNMP version"), max_length=3, choices=SnmpVersion.choices, default=SnmpVersion.V2C
    )
    snmp_community = models.CharField(
        _("SNMP community"), max_length=100, blank=True, help_text=_("SNMPv2c only.")
    )
    snmp_user = models.CharField(_("SNMPv3 user"), max_length=100, blank=True)
    snmp_auth_protocol = models.CharField(
        _("SNMPv3 authentication protocol"),
        max_length=8,
        choices=SnmpAuthProtocol.choices,
        default=SnmpAuthProtocol.SHA,
    )
    snmp_auth_key = models.CharField(
        _("SNMPv3 authentication passphrase"),
        max_length=200,
        blank=True,
        help_text=_("At least 8 characters; empty: no authentication (noAuthNoPriv)."),
    )
    snmp_priv_protocol = models.CharField(
        _("SNMPv3 privacy protocol"),
        max_length=8,
        choices=SnmpPrivProtocol.choices,
        default=SnmpPrivProtocol.AES,
    )
    snmp_priv_key = models.CharField(
        _("SNMPv3 privacy passphrase"),
        max_length=200,
        blank=True,
        help_text=_("At least 8 characters; empty: no encryption (authNoPriv)."),
    )
    snmp_oid = models.CharField(
        _("OID"),
        max_length=200,
        blank=True,
        help_text=_("Numeric, e.g. 1.3.6.1.2.1.33.1.2.5.0 (UPS-MIB battery voltage)."),
    )
    snmp_expected = models.CharField(
        _("expected value"),
        max_length=100,
        blank=True,
        help_text=_("The value must equal this (a number or a text). Or give a range below."),
    )
    snmp_scale = models.FloatField(
        _("scale"),
        default=1,
        help_text=_(
            "A number read is multiplied by this before it is judged: 0.1 for a value in "
            "tenths (UPS-MIB gives the battery voltage in 0.1 V)."
        ),
    )
    snmp_min = models.FloatField(_("lowest allowed value"), null=True, blank=True)
    snmp_max = models.FloatField(_("highest allowed value"), null=True, blank=True)
    snmp_unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("Shown after the value: V, °C, %.")
    )
    # Push heartbeats
    push_token = models.CharField(
        _("push token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    push_period_s = models.PositiveIntegerField(
        _("expected period (seconds)"),
        null=True,
        blank=True,
        help_text=_("How often the job calls the heartbeat URL (172800 for every 2 days)."),
    )
    push_grace_s = models.PositiveIntegerField(
        _("grace time (seconds)"), null=True, blank=True, default=300
    )
    last_ping_at = models.DateTimeField(_("last ping"), null=True, blank=True, editable=False)
    # Schedule and decision
    interval_s = models.PositiveIntegerField(
        _("interval (seconds)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(86_400)],
    )
    timeout_s = models.FloatField(
        _("timeout (seconds)"),
        default=10,
        validators=[MinValueValidator(0.1), MaxValueValidator(120)],
    )
    retries = models.PositiveSmallIntegerField(
        _("failed checks before down"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    regions = models.JSONField(
        _("regions"),
        default=list,
        blank=True,
        help_text=_("Probe regions that check it; empty: the server's own (local)."),
    )
    quorum = models.PositiveSmallIntegerField(
        _("regions that must agree"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("k of n: how many regions must see it down before it is down."),
    )
    # What it stands for
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services"), related_name="monitors", blank=True
    )
    assets = models.CharField(
        _("assets"),
        max_length=500,
        blank=True,
        help_text=_("Servers, links or equipment it watches, comma-separated."),
    )
    registered_assets = models.ManyToManyField(
        "assets.Asset",
        verbose_name=_("registered assets"),
        related_name="monitors",
        blank=True,
        help_text=_("Assets of the register it watches: their downtime and availability read it."),
    )
    customers = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("customers"),
        related_name="monitors",
        blank=True,
    )
    targets = models.ManyToManyField(
        "sla.Target",
        verbose_name=_("agreement targets fed"),
        related_name="monitors",
        blank=True,
    )
    # The judged status, changed only by a transition. The state behind it, rewritten by
    # every check, is kept in CheckState.
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MonitorStatus.choices,
        default=MonitorStatus.UNKNOWN,
        editable=False,
    )
    status_since = models.DateTimeField(_("since"), null=True, blank=True, editable=False)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monitor")
        verbose_name_plural = _("monitors")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "enabled"], name="monitor_kind_enabled")]

    def __str__(self) -> str:
        return self.name

    @property
    def region_names(self) -> list[str]:
        """The regions that check it ("push" for a heartbeat)."""
        if self.kind == MonitorKind.PUSH:
            return [PUSH_REGION]
        return list(self.regions) or [LOCAL_REGION]

    @property
    def last_check_at(self) -> dt.datetime | None:
        """When its newest result was checked (None before the first). Lists of monitors
        read it with ``select_related("check_state")``."""
        try:
            return self.check_state.last_check_at
        except CheckState.DoesNotExist:
            return None


class CheckState(models.Model):
    """What every check rewrites: a monitor's judged state (core.monitor_state, as JSON
    text) and the time of its newest check. A narrow row of its own, so that a check
    rewrites about 200 bytes, not the monitor's 500-byte row with its indexes (and a
    monitor saved from a form cannot write back a state read before). Made by the first
    check; every writer of a state locks this row (monitoring.judging)."""

    monitor = models.OneToOneField(
        Monitor, on_delete=models.CASCADE, primary_key=True, related_name="check_state"
    )
    # JSON as text, not jsonb: stored as written, so a writer knows the stored spelling
    # without reading it back, and PostgreSQL does not parse it on every write.
    state = models.TextField(_("state"), default="{}")
    last_check_at = models.DateTimeField(_("last check"), null=True, blank=True)

    class Meta:
        verbose_name = _("check state")
        verbose_name_plural = _("check states")

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.last_check_at}"


class ProbeRegion(models.Model):
    """A place probes run from (N1). ``local`` is the server itself and needs no row; a
    remote agent authenticates with its region's token."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    last_seen_from = models.CharField(
        _("last seen from"), max_length=100, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("probe region")
        verbose_name_plural = _("probe regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProbeResult(models.Model):
    """One check from one region, or one heartbeat ping (region ``push``). Raw: pruned
    after ``MONITOR_RAW_DAYS`` days, once its day is rolled up."""

    # No index of its own: the (monitor, …) index below serves every lookup by monitor.
    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    region = models.CharField(_("region"), max_length=40)
    at = models.DateTimeField(_("at"))
    ok = models.BooleanField(_("ok"))
    latency_ms = models.FloatField(_("latency (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("probe result")
        verbose_name_plural = _("probe results")
        indexes = [models.Index(fields=["monitor", "at"], name="result_monitor_at")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.region} {self.at:%Y-%m-%d %H:%M:%S} {self.ok}"


class StateSpell(models.Model):
    """One spell of one state of a monitor: ``[start, end)``; ``end`` is empty while it
    lasts. Rows grow with outages, not with checks."""

    # No index of its own: the (monitor, …) index below serves every lookup by monitor.
    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="spells", db_index=False
    )
    state = models.CharField(_("state"), max_length=12, choices=MonitorStatus.choices)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("state spell")
        verbose_name_plural = _("state spells")
        ordering = ["monitor", "start"]
        indexes = [models.Index(fields=["monitor", "start"], name="spell_monitor_start")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.state} {self.start:%Y-%m-%d %H:%M}"


class DailyRollup(models.Model):
    """One monitor's collection periods over one day (in the operator's time zone)."""

    # No index of its own: the (monitor, …) index below serves every lookup by monitor.
    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="rollups", db_index=False
    )
    day = models.DateField(_("day"))
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    checks = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)
    latency = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        ordering = ["monitor", "day"]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "day"], name="one_rollup_per_monitor_day")
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.day}"


class MonthlyRollup(models.Model):
    """The sums of one monitor's daily rollups over one local month, written with them
    (monitoring/rollups.py, the only writer of both): ``days`` is the number of the
    month's daily rollups counted, those beginning at or after their day's start (a daily
    rollup the 完好率 would not read for a whole day is in no sum). A month is read from
    this row only where it holds every day of the month for a monitor created by the
    month's ``start``, or every day from the creation of one created during the month
    (monitoring.figures); otherwise its days are read from the daily rollups.
    ``start`` is the month's first instant in the operator's time zone when the row was
    written: a row of another time zone is never read."""

    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="monthly_rollups", db_index=False
    )
    month = models.DateField(_("month"))  # its first day
    start = models.DateTimeField()
    days = models.PositiveSmallIntegerField(default=0)
    # The earliest day counted and the earliest start of a rollup counted: a monitor
    # created during the month is read from this row where its first day is that day
    # and the rollup begins at its first period (monitoring.figures).
    first_day = models.DateField(null=True)
    first_start = models.DateTimeField(null=True)
    checks = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly rollup")
        verbose_name_plural = _("monthly rollups")
        ordering = ["monitor", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "month"], name="one_monthly_rollup_per_monitor_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.month:%Y-%m}"


class ReceivedBatch(models.Model):
    """A batch of results a remote probe sent, remembered a few days so that a batch sent
    again (its answer was lost) is recognised and not stored twice."""

    region = models.CharField(max_length=40)
    batch_id = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "batch_id"], name="one_batch_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.region}:{self.batch_id}"
