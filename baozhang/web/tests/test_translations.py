"""Chinese and English everywhere a person reads: every message has its translation."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def test_every_message_is_translated_into_chinese():
    po = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert missing == []


def test_the_compiled_catalogue_matches_its_source():
    po_path = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"

    def key(e):  # type: ignore[no-untyped-def]
        # the same text may be translated differently in another context (msgctxt)
        return (e.msgctxt or "", e.msgid)

    def value(e):  # type: ignore[no-untyped-def]
        return (e.msgstr, tuple(sorted((e.msgstr_plural or {}).items())))

    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {key(e): value(e) for e in mo}
    source = {key(e): value(e) for e in polib.pofile(str(po_path)) if e.translated()}
    assert compiled == source, "run `make messages` after editing django.po"
