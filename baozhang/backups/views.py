"""Pages of the backup register (备份登记, M2). Thin: each POST calls one service; a
refusal comes back on the form. The operator's staff read it; a customer's people get 404;
changes need the capability of keeping equipment (services.MANAGE)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import can, is_operator_staff
from baozhang.backups import services
from baozhang.backups.forms import BackupForm, RehearsalForm
from baozhang.backups.selectors import figures_of, get_job, rehearsals_of, visible_jobs
from baozhang.events.selectors import timeline
from baozhang.monitoring.catalog import push_url
from baozhang.ui.feedback import refusal_on_form, report_refusal


def _month_start() -> object:
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _require_manage(request: HttpRequest) -> None:
    if not can(request.user, services.MANAGE):
        raise PermissionDenied


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    now = timezone.now()
    start = _month_start()
    rows = [(job, figures_of(job, start, now)) for job in visible_jobs(request.user)[:500]]  # type: ignore[arg-type]
    return render(
        request,
        "backups/job_list.html",
        {"rows": rows, "can_manage": can(request.user, services.MANAGE), "since": start},
    )


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job(request.user, pk)
    now = timezone.now()
    start = _month_start()
    return render(
        request,
        "backups/job_detail.html",
        {
            "job": job,
            "figures": figures_of(job, start, now),  # type: ignore[arg-type]
            "since": start,
            "reports": list(job.reports.order_by("-at", "-id")[:50]),
            "ping_url": push_url(job.monitor),
            "can_manage": can(request.user, services.MANAGE),
            "rehearsal_form": RehearsalForm(
                initial={"starts_on": timezone.localdate(), "team": [request.user.pk]}
            ),
            "rehearsals": list(job.rehearsal_plans.order_by("pk")),
            "rehearsal_orders": rehearsals_of(job),
            "events": timeline(request.user, job),
        },
    )


@login_required
def job_create(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    _require_manage(request)
    form = BackupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_job(request.user, **form.job_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Backup registered."))
            return redirect("backups:detail", pk=job.pk)
    return render(request, "backups/job_form.html", {"form": form})


@login_required
def job_edit(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job(request.user, pk)
    _require_manage(request)
    form = BackupForm(request.POST or None, instance=job)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_job(request.user, job, **form.job_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Backup saved."))
            return redirect("backups:detail", pk=job.pk)
    return render(request, "backups/job_form.html", {"form": form, "job": job})


@login_required
@require_POST
def rehearsal_add(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job(request.user, pk)
    _require_manage(request)
    form = RehearsalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("backups:detail", pk=job.pk)
    data = form.cleaned_data
    try:
        plan = services.plan_restore_rehearsal(
            request.user,
            job,
            period=data["period"],
            every_days=data["every_days"],
            starts_on=data["starts_on"],
            team=list(data["team"]),
            limit_minutes=data["limit_minutes"],
        )
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("backups:detail", pk=job.pk)
    messages.success(request, _("Restore rehearsal planned."))
    return redirect("upkeep:plan", pk=plan.pk)
