"""Per asset and advisory: pending, scheduled (in a change), installed (when, by whom), not
applicable (why, required); overdue ones alarm once; the compliance rate of a period
(issue 19 §5)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baozhang.notify import services as notify
from baozhang.notify.models import Message
from baozhang.patches import selectors, services
from baozhang.patches.models import PatchState, PatchStatus
from baozhang.patches.tasks import alarm_overdue

SH = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2026, 12, 4, 10, tzinfo=SH)
DUE = dt.datetime(2026, 12, 8, 18, tzinfo=SH)  # two working days later, at the close


@pytest.fixture
def three(personas, servers):
    """A critical advisory matched to the three servers on Friday."""
    for server in servers:
        services.report_inventory(
            personas.engineer, server, [("openssl", "3.0.11-1~deb12u2")], now=FRIDAY
        )
    advisory = services.create_advisory(
        personas.engineer,
        now=FRIDAY,
        reference="DSA-5764-1",
        title="openssl security update",
        product="openssl",
        fixed_version="3.0.14-1~deb12u1",
        severity="critical",
    )
    return advisory, {s.asset.name: s for s in advisory.statuses.select_related("asset")}


def _hook(personas, user):
    notify.create_channel(
        personas.admin,
        name=f"{user.username} hook",
        kind="webhook",
        user=user,
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )


def test_three_matched_one_installed_shows_one_of_three_and_the_overdue_two_alarm(personas, three):
    _hook(personas, personas.engineer)
    _hook(personas, personas.director)
    advisory, statuses = three
    services.set_state(
        personas.engineer,
        statuses["web-2"],
        PatchState.INSTALLED,
        installed_at=FRIDAY + dt.timedelta(hours=5),
        now=FRIDAY + dt.timedelta(hours=6),
    )
    shown = selectors.get_advisory(personas.engineer, advisory.pk)
    assert (shown.settled, shown.matched) == (1, 3)

    assert alarm_overdue(DUE - dt.timedelta(minutes=1)) == 0
    after = DUE + dt.timedelta(minutes=5)
    assert alarm_overdue(after) == 2
    assert alarm_overdue(after) == 0  # once each
    late = list(selectors.overdue(PatchStatus.objects.all(), after))
    assert sorted(s.asset.name for s in late) == ["web-1", "web-3"]
    alarms = Message.objects.filter(template_key="patch_overdue")
    # web-1's responsible engineer; web-3 has nobody responsible: the service directors.
    names = ("web-1", "web-2", "web-3")
    assert sorted(
        (m.channel.user.username, [n for n in names if n in m.subject]) for m in alarms
    ) == [
        ("director", ["web-3"]),
        ("engineer", ["web-1"]),
    ]
    assert all("DSA-5764-1" in m.subject for m in alarms)


def test_installed_records_when_and_by_whom(personas, three):
    _advisory, statuses = three
    at = FRIDAY + dt.timedelta(hours=2)
    status = services.set_state(personas.engineer, statuses["web-1"], "installed", installed_at=at)
    assert (status.state, status.settled_at, status.settled_by) == (
        PatchState.INSTALLED,
        at,
        personas.engineer,
    )
    with pytest.raises(ValidationError) as caught:
        services.set_state(
            personas.engineer,
            statuses["web-2"],
            "installed",
            installed_at=FRIDAY + dt.timedelta(days=1),
            now=FRIDAY,
        )
    assert "installed_at" in caught.value.message_dict


def test_not_applicable_needs_its_reason(personas, three):
    _advisory, statuses = three
    with pytest.raises(ValidationError) as caught:
        services.set_state(personas.engineer, statuses["web-1"], "not_applicable", reason="  ")
    assert "not applicable needs its reason" in caught.value.message_dict["reason"][0]
    status = services.set_state(
        personas.engineer,
        statuses["web-1"],
        "not_applicable",
        reason="The TLS library is not used: the server serves plain HTTP behind the proxy.",
    )
    assert status.state == PatchState.NOT_APPLICABLE and status.settled_by == personas.engineer


def test_scheduled_names_the_change_and_stays_open(personas, three):
    _advisory, statuses = three
    status = services.set_state(
        personas.engineer,
        statuses["web-1"],
        "scheduled",
        change_reference="CHG-2026-0042",
        scheduled_for=FRIDAY + dt.timedelta(days=1),
    )
    assert status.change_reference == "CHG-2026-0042" and status.is_open
    assert status.settled_at is None
    back = services.set_state(personas.engineer, status, "pending")
    assert back.change_reference == "" and back.scheduled_for is None


def test_one_move_is_a_bulk_move_of_one_reading_the_state_before_from_the_row(personas, three):
    from baozhang.events.models import Event

    _advisory, statuses = three
    pk = statuses["web-1"].pk
    stale = PatchStatus.objects.get(pk=pk)  # read before the first move
    services.set_state(
        personas.engineer, statuses["web-1"], "scheduled", change_reference="CHG-1", now=FRIDAY
    )
    later = FRIDAY + dt.timedelta(hours=1)
    moved = services.set_state(personas.engineer, stale, "installed", now=later)
    assert moved is stale
    assert (stale.state, stale.change_reference, stale.settled_at, stale.settled_by) == (
        PatchState.INSTALLED,
        "",
        later,
        personas.engineer,
    )
    events = Event.objects.filter(
        summary_id="Patch of %(reference)s on %(asset)s: %(state)s", object_id=str(pk)
    ).order_by("at")
    assert [(e.before, e.after["state"], e.after["change"], e.at) for e in events] == [
        ({"state": "pending"}, "scheduled", "CHG-1", FRIDAY),
        ({"state": "scheduled"}, "installed", "", later),
    ]


def test_a_customer_contact_and_an_agent_may_not_change_a_patch(personas, three):
    _advisory, statuses = three
    for who in (personas.contact_a, personas.agent):
        with pytest.raises(PermissionDenied):
            services.set_state(who, statuses["web-1"], "installed")


def test_the_compliance_rate_counts_the_patches_due_in_the_period_settled_on_time(personas, three):
    _advisory, statuses = three
    services.set_state(
        personas.engineer, statuses["web-1"], "installed", now=DUE - dt.timedelta(hours=1)
    )
    services.set_state(
        personas.engineer,
        statuses["web-2"],
        "not_applicable",
        reason="retired next week",
        now=DUE + dt.timedelta(hours=1),
    )
    december = selectors.compliance(
        dt.datetime(2026, 12, 1, tzinfo=SH), dt.datetime(2027, 1, 1, tzinfo=SH)
    )
    assert (december.on_time, december.due) == (1, 3)
    november = selectors.compliance(
        dt.datetime(2026, 11, 1, tzinfo=SH), dt.datetime(2026, 12, 1, tzinfo=SH)
    )
    assert november.rate is None
    months = selectors.monthly_compliance(dt.date(2026, 12, 1), 2, SH)
    assert [(m, c.due) for m, c in months] == [(dt.date(2026, 11, 1), 0), (dt.date(2026, 12, 1), 3)]


def test_the_overdue_alarm_is_a_periodic_job_of_the_worker():
    from baozhang.jobs.registry import periodic_jobs

    (job,) = [j for j in periodic_jobs() if j.name == "patches.alarm_overdue"]
    assert job.func is alarm_overdue
    assert job.every_seconds == 300
