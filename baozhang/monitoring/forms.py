"""Forms read what a person typed; the rules are the catalogue's (catalog.py). A monitor's
form shows only the settings of its kind: the others sit in fieldsets that are hidden
and disabled, so the browser does not send them and the form does not ask for them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.monitoring.catalog import MONITOR_RELATIONS, kind_fields
from baozhang.monitoring.models import SNMP_SECRETS, Monitor, MonitorKind
from baozhang.monitoring.selectors import region_choices

_ALL_KINDS = tuple(MonitorKind.values)
_CHECKED = ("http", "tcp", "icmp", "dns", "snmp")

# (legend, kinds it applies to, fields), in the order of the page.
MONITOR_FIELDSETS: list[tuple[Any, tuple[str, ...], tuple[str, ...]]] = [
    (_("Monitor"), _ALL_KINDS, ("name", "kind", "enabled")),
    (_("What to check"), _CHECKED, ("target",)),
    (
        _("HTTP"),
        ("http",),
        (
            "http_method",
            "expected_status",
            "keyword",
            "keyword_absent",
            "http_headers",
            "http_body",
            "verify_tls",
            "cert_min_days",
        ),
    ),
    (_("DNS"), ("dns",), ("dns_record_type", "dns_expected", "dns_server")),
    (
        _("SNMP"),
        ("snmp",),
        (
            "snmp_version",
            "snmp_community",
            "snmp_oid",
            "snmp_expected",
            "snmp_min",
            "snmp_max",
            "snmp_scale",
            "snmp_unit",
        ),
    ),
    (
        _("SNMPv3 security"),
        ("snmp",),
        (
            "snmp_user",
            "snmp_auth_protocol",
            "snmp_auth_key",
            "snmp_priv_protocol",
            "snmp_priv_key",
        ),
    ),
    (_("Heartbeat"), ("push",), ("push_period_s", "push_grace_s")),
    (
        pgettext_lazy("monitor", "Schedule"),
        _CHECKED,
        ("interval_s", "timeout_s", "retries", "latency_limit_ms", "regions", "quorum"),
    ),
    (
        _("What it stands for"),
        _ALL_KINDS,
        ("services", "customers", "targets", "registered_assets", "assets"),
    ),
]
_COMMON = ("name", "kind", "enabled", "assets", *MONITOR_RELATIONS)
_MODEL_FIELDS = [
    name
    for _legend, _kinds, names in MONITOR_FIELDSETS
    for name in names
    if name not in {"regions", "http_headers"}
]


def headers_text(headers: dict[str, str] | None) -> str:
    return "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())


class MonitorForm(forms.Form):
    http_headers = forms.CharField(
        label=_("HTTP headers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Accept: text/html"}),
        help_text=_("One per line: “Name: value”."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Probe regions that check it; none ticked: the server's own (local)."),
    )

    def __init__(
        self, data: Any = None, *, instance: Monitor | None = None, kind: str = ""
    ) -> None:
        initial: dict[str, Any] = {}
        if instance is not None:
            # secrets are never sent back to the browser; left empty they stay as they are
            fields = [f for f in _MODEL_FIELDS if f not in SNMP_SECRETS]
            initial = model_to_dict(instance, [*fields, "regions"])
            initial["http_headers"] = headers_text(instance.http_headers)
            for rel in MONITOR_RELATIONS:
                initial[rel] = list(getattr(instance, rel).values_list("pk", flat=True))
        elif kind in MonitorKind.values:
            initial["kind"] = kind
        super().__init__(data, initial=initial)
        self.instance = instance
        model_fields = fields_for_model(Monitor, fields=_MODEL_FIELDS)
        declared = self.fields  # deep copies of the declared fields: headers as text, regions
        self.fields = {
            name: model_fields.get(name) or declared[name]
            for name in (n for _l, _k, names in MONITOR_FIELDSETS for n in names)
        }
        self.fields["regions"].choices = self._region_choices(instance)  # type: ignore[attr-defined]
        # "target" alone reads as an agreement's target (指标) in Chinese
        self.fields["target"].label = pgettext_lazy("monitor", "Target")
        self.fields["customers"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.CUSTOMER
        )
        self.fields["targets"].queryset = self.fields["targets"].queryset.select_related(  # type: ignore[attr-defined]
            "agreement"
        )
        self.fields["targets"].label_from_instance = lambda t: f"{t.agreement.reference} · {t}"  # type: ignore[attr-defined]
        # Each service by its name in the reader's language (catalog.fields does the same).
        self.fields["services"].label_from_instance = lambda s: s.display_name()  # type: ignore[attr-defined]
        if instance is not None:
            del self.fields["kind"]
            self.kind = str(instance.kind)
        else:
            chosen = (data or {}).get("kind") if data is not None else None
            self.kind = str(chosen or kind or MonitorKind.HTTP)
            self.fields["kind"].choices = MonitorKind.choices  # type: ignore[attr-defined]
            self.fields["kind"].widget.attrs["data-monitor-kind"] = "1"
        wanted = set(_COMMON) | set(kind_fields(self.kind))
        for name, field in self.fields.items():
            if name not in wanted:
                field.required = False
        for name in SNMP_SECRETS:
            field = self.fields[name]
            field.widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "new-password"}
            )
            if instance is not None and getattr(instance, name):
                field.help_text = _("Stored; leave empty to keep it.")

    @staticmethod
    def _region_choices(instance: Monitor | None) -> list[tuple[str, str]]:
        names = region_choices()
        # a region deactivated since stays ticked on the monitors that name it
        for extra in (instance.regions or []) if instance is not None else []:
            if extra not in names:
                names.append(extra)
        return [(n, n) for n in names]

    def clean_http_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data.get("http_headers", "").splitlines(), 1):
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            if not sep or not name.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write “Name: value”, e.g. “Accept: text/html”.") % {"n": n}
                )
            headers[name.strip()] = value.strip()
        return headers

    def fieldsets(self) -> list[dict[str, Any]]:
        """For the template: each fieldset with its fields, the kinds it applies to and
        whether it is hidden for the current kind."""
        return [
            {
                "legend": legend,
                "kinds": " ".join(kinds),
                "hidden": self.kind not in kinds,
                "fields": [self[n] for n in names if n in self.fields],
            }
            for legend, kinds, names in MONITOR_FIELDSETS
        ]

    def service_fields(self) -> dict[str, Any]:
        """What to pass to the catalogue: the common settings and those of the kind."""
        wanted = set(_COMMON) | set(kind_fields(self.kind))
        data = {k: v for k, v in self.cleaned_data.items() if k in wanted}
        if self.instance is not None:
            data.pop("kind", None)
            data = {k: v for k, v in data.items() if k in self.changed_data}
            for name in SNMP_SECRETS:  # empty: keep the stored secret
                if not data.get(name):
                    data.pop(name, None)
        return data


class RegionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=40,
        help_text=_("Lower-case letters, digits, - and _, e.g. beijing-1."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
