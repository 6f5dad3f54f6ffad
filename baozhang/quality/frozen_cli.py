"""The frozen reports' subcommands of ``baozhang report`` (Q1):

- ``baozhang report freeze --period 2026-11 [--scope customer:ID|service:ID] --as USER``:
  prepare the snapshot of a closed period;
- ``baozhang report approve --frozen ID --as USER``: approve it (not its preparer);
- ``baozhang report amend --frozen ID --reason TEXT --as USER``: correct a frozen report;
- ``baozhang report export --frozen ID -o FILE``: write it as the file ``verify`` checks;
- ``baozhang report verify FILE``: check that file against its digests and, when the
  platform keeps the report, against the platform's copy (who prepared and approved it,
  when, what it amends and why: the fields the digest does not cover); say what differs;
  exit 0 when intact, 1 when not. The layout of the file (spaces, line ends) is not its
  content: the digest is over canonical JSON.

Messages print both languages (中文 / English): a command has no request language.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import translation

from baozhang.core.frozen_report import compare_with_kept, verify
from baozhang.quality import selectors, services
from baozhang.quality.models import FrozenReport
from baozhang.quality.statistics import Scope, check_scope, parse_scope

SUBCOMMANDS = ("freeze", "approve", "amend", "export", "verify")


def _actor(options: dict[str, Any]) -> Any:
    username = options.get("as_user")
    if not username:
        raise CommandError("请用 --as 指明操作人 / name the person acting with --as USER")
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"没有用户 {username!r} / no user {username!r}") from None


def _report(options: dict[str, Any]) -> FrozenReport:
    if options.get("frozen") is None:
        raise CommandError("请用 --frozen 指明报表编号 / give the report's id with --frozen ID")
    try:
        return selectors.frozen_reports().get(pk=options["frozen"])
    except FrozenReport.DoesNotExist:
        raise CommandError(
            f"没有冻结报表 #{options['frozen']} / no frozen report #{options['frozen']}"
        ) from None


def scope_of(options: dict[str, Any]) -> Scope:
    """The scope of ``--scope customer:ID|service:ID|region:NAME`` (or the older
    ``--customer ID`` / ``--service ID``), checked to exist."""
    try:
        if options.get("scope"):
            scope = parse_scope(options["scope"])
        else:
            scope = Scope(customer_id=options.get("customer"), service_id=options.get("service"))
        check_scope(scope)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    return scope


def verify_file(path: str, out: TextIO) -> bool:
    """Check the exported report at ``path``; write what differs to ``out``; True when
    intact."""
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as exc:
        out.write(f"无法读取报表文件 / cannot read the report file: {exc}\n")
        return False
    if not isinstance(document, dict):
        document = {}
    result = verify(document)
    for section in result.changed:
        kind, _dot, key = section.partition(".")
        if kind == "statistics":
            out.write(f"统计项 {key} 的数字已改变 / the figures of statistic {key} changed\n")
        else:
            out.write(f"记录版本 {key} 已改变 / the record versions of {key} changed\n")
    for problem in result.problems:
        out.write(problem + "\n")
    kept = _kept(document)
    if kept is not None and result.intact:
        intact = True
        if kept.digest != document.get("digest"):
            out.write(
                f"摘要与平台保存的冻结报表 #{kept.pk} 不符 / the digest differs from the "
                f"frozen report #{kept.pk} kept by the platform\n"
            )
            intact = False
        comparison = compare_with_kept(document, selectors.export_document(kept))
        for key in comparison.changed:
            out.write(
                f"字段 {key} 与平台保存的冻结报表 #{kept.pk} 不同 / the field {key} differs "
                f"from the frozen report #{kept.pk} kept by the platform\n"
            )
        if comparison.before_approval:
            out.write(
                f"此文件导出于报表 #{kept.pk} 审批之前 / this file was exported before report "
                f"#{kept.pk} was approved\n"
            )
        if not intact or comparison.changed:
            return False
    if result.intact:
        out.write(f"报表完整 / the report is intact: SHA-256 {document['digest']}\n")
    return result.intact


def _kept(document: dict[str, Any]) -> FrozenReport | None:
    """The frozen report the platform keeps under the file's id, if any."""
    pk = document.get("id")
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return selectors.frozen_reports().filter(pk=pk).first()


def run(options: dict[str, Any], out: TextIO, err: TextIO) -> None:
    kind = options["kind"]
    if kind == "verify":
        if not options.get("file"):
            raise CommandError("请指明报表文件 / give the report file: baozhang report verify FILE")
        if not verify_file(options["file"], out):
            sys.exit(1)
        return
    try:
        if kind == "freeze":
            if not options.get("period"):
                raise CommandError("请用 --period 指明统计期 / give the period with --period")
            report = services.prepare_frozen_report(
                _actor(options), options["period"], scope_of(options)
            )
            out.write(
                f"已准备冻结报表 #{report.pk}，待另一人审批 / frozen report #{report.pk} "
                f"prepared, awaiting a second person's approval (SHA-256 {report.digest})\n"
            )
        elif kind == "approve":
            report = _report(options)
            services.approve(_actor(options), report)
            out.write(f"报表 #{report.pk} 已审批冻结 / report #{report.pk} approved and frozen\n")
        elif kind == "amend":
            original = _report(options)
            report = services.amend(_actor(options), original, options.get("reason") or "")
            out.write(
                f"已准备更正报表 #{report.pk}（更正 #{original.pk}），待另一人审批 / amendment "
                f"#{report.pk} of #{original.pk} prepared, awaiting a second person's approval\n"
            )
        elif kind == "export":
            text = json.dumps(
                selectors.export_document(_report(options)), ensure_ascii=False, indent=2
            )
            if options.get("output", "-") == "-":
                out.write(text + "\n")
            else:
                with open(options["output"], "w", encoding="utf-8") as f:
                    f.write(text + "\n")
                err.write(f"已写入 / written: {options['output']}\n")
    except ValidationError as exc:
        raise CommandError(" ".join(_bilingual(e) for e in exc.error_list)) from None
    except PermissionDenied as exc:
        raise CommandError(f"权限不足 / {exc}") from None


def _bilingual(error: ValidationError) -> str:
    """A service's message in Chinese and English."""
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            text = str(error.message)
            texts.append(text % error.params if error.params else text)
    return " / ".join(texts)
