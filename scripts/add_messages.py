"""Append page messages with their Chinese text to both catalogues (skipping ones present).

    .venv/bin/python scripts/add_messages.py MESSAGES.tsv     # lines: msgid<TAB>中文

Appending (not rewriting) keeps concurrent edits of the catalogues safe; `make messages` can
reorder them later.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1] / "landrenew" / "web" / "translations"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(path: str) -> None:
    pairs = [line.split("\t", 1) for line in Path(path).read_text(encoding="utf-8").splitlines()
             if "\t" in line]
    for locale in ("zh_CN", "en"):
        po = ROOT / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as fh:
            known = {m.id for m in read_po(fh)}
        block = "".join(f"\nmsgid {_quote(mid)}\nmsgstr {_quote(zh if locale == 'zh_CN' else mid)}\n"
                        for mid, zh in pairs if mid not in known)
        with po.open("a", encoding="utf-8") as fh:
            fh.write(block)


if __name__ == "__main__":
    main(sys.argv[1])
