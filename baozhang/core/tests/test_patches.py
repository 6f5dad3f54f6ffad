"""Patches in core: which installed versions an advisory affects, deadlines per severity,
and the patch compliance rate (issue 19 §5)."""

from __future__ import annotations

import datetime as dt

import pytest

from baozhang.core.patches import (
    DEFAULT_POLICY,
    Allowance,
    Obligation,
    Severity,
    compliance,
    deadline,
    is_affected,
    is_fixed,
    is_overdue,
    parse_policy,
    parse_spec,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("installed", "affected", "fixed", "expected"),
    [
        # dpkg's ordering: the Debian revision, the security suffix, epochs and tildes.
        ("3.0.11-1~deb12u2", "", "3.0.13-1~deb12u1", True),
        ("3.0.13-1~deb12u1", "", "3.0.13-1~deb12u1", False),
        ("3.0.15-1~deb12u1", "", "3.0.13-1~deb12u1", False),
        ("1.2.3~rc1", "", "1.2.3", True),
        ("1:1.0", "", "2.0", False),  # an epoch outranks any upstream version
        ("2.9", ">=2.0, <2.4", "", False),
        ("2.3.9", ">=2.0, <2.4", "", True),
        ("1.9", ">=2.0, <2.4", "2.4", False),
        ("7.4", "", "", True),  # no spec and no fix: every version
        ("7.4", "7.4", "", True),
        ("7.5", "==7.4", "", False),
    ],
)
def test_an_installed_debian_version_is_affected_by_the_spec_and_below_the_fix(
    installed: str, affected: str, fixed: str, expected: bool
) -> None:
    assert is_affected(installed, affected=affected, fixed=fixed, scheme="debian") is expected


def test_pep440_versions_compare_as_python_does() -> None:
    assert is_affected("2.0rc1", fixed="2.0", scheme="pep440") is True
    assert is_affected("2.0.post1", fixed="2.0", scheme="pep440") is False
    assert is_affected("1.10", affected="<1.9", scheme="pep440") is False


def test_a_version_at_or_above_the_fix_is_fixed() -> None:
    assert is_fixed("1.1.1w-0+deb11u2", fixed="1.1.1w-0+deb11u1", scheme="debian")
    assert not is_fixed("1.1.1w-0+deb11u1", fixed="", scheme="debian")


@pytest.mark.parametrize(
    ("bad", "named"),
    [("<<1", "<1"), ("~1", "~1"), ("<abc", "abc"), ("1.0,", "")],
)
def test_a_bad_spec_is_refused_in_both_languages(bad: str, named: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_spec(bad, "debian")
    message = str(caught.value)
    assert named in message
    assert " / " in message and any("\u4e00" <= c <= "\u9fff" for c in message)


def test_a_bad_version_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PEP 440 version"):
        is_affected("one", scheme="pep440")
    with pytest.raises(ValueError, match="not a Debian version"):
        is_affected("v1.0", scheme="debian")


def test_the_policy_reads_its_text_and_keeps_defaults_left_out() -> None:
    policy = parse_policy("critical=1w, low=60d")
    assert policy[Severity.CRITICAL] == Allowance(1, working=True)
    assert policy[Severity.LOW] == Allowance(60, working=False)
    assert policy[Severity.HIGH] == DEFAULT_POLICY[Severity.HIGH] == Allowance(10, True)
    for bad in ("urgent=2w", "critical=2h", "critical=0w", "critical"):
        with pytest.raises(ValueError, match="severity=N"):
            parse_policy(bad)


def test_a_deadline_in_working_days_asks_the_calendar_and_in_days_adds_them() -> None:
    start = dt.datetime(2026, 12, 4, 10, tzinfo=UTC)  # a Friday
    asked: list[tuple[dt.datetime, int]] = []

    def two_days_later_at_close(at: dt.datetime, days: int) -> dt.datetime:
        asked.append((at, days))
        return dt.datetime(2026, 12, 8, 18, tzinfo=UTC)

    assert deadline(start, Allowance(2, True), two_days_later_at_close) == dt.datetime(
        2026, 12, 8, 18, tzinfo=UTC
    )
    assert asked == [(start, 2)]
    assert deadline(start, Allowance(90, False), two_days_later_at_close) == start + dt.timedelta(
        days=90
    )


def _at(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, tzinfo=UTC)


def test_compliance_counts_the_patches_due_in_the_period_settled_by_their_deadline() -> None:
    items = [
        Obligation(due_at=_at(10), settled_at=_at(9)),  # on time
        Obligation(due_at=_at(10), settled_at=_at(10)),  # on time, at the deadline
        Obligation(due_at=_at(12), settled_at=_at(13)),  # late
        Obligation(due_at=_at(20), settled_at=None),  # not done
        Obligation(due_at=dt.datetime(2026, 12, 1, tzinfo=UTC), settled_at=None),  # December
    ]
    result = compliance(items, _at(1), dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert (result.due, result.on_time) == (4, 2)
    assert result.rate == 0.5
    assert compliance([], _at(1), _at(2)).rate is None
    with pytest.raises(ValueError):
        compliance(items, _at(2), _at(1))


def test_overdue_is_unsettled_past_the_deadline() -> None:
    assert is_overdue(Obligation(_at(10), None), _at(10))
    assert not is_overdue(Obligation(_at(10), None), _at(9))
    assert not is_overdue(Obligation(_at(10), _at(11)), _at(12))
