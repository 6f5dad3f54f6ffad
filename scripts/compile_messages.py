"""Compile baozhang/locale/*/LC_MESSAGES/django.po to .mo with polib (no gettext needed).

`make messages` runs it after the .po files are edited; a test checks that every .mo
matches its .po and that no message is left untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "baozhang" / "locale"


def main() -> int:
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
        if missing:
            print(f"{po_path}: {len(missing)} untranslated, e.g. {missing[:3]}", file=sys.stderr)
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.with_suffix('.mo')} ({len(po.translated_entries())} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
