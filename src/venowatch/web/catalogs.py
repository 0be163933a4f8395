"""The translation catalogs, read and compiled without GNU gettext.

The compiled .mo files are committed beside their .po sources (docs/translations.md), so a
fresh machine needs no gettext to serve Spanish, French and Italian; `compilemessages` (this
project's, in web/management) rebuilds them with the functions here, and a test checks that
every committed .mo is exactly what its .po compiles to. Only the parts of the .po format
that makemessages writes are read: comments, msgctxt, msgid, msgid_plural, msgstr[n], and
the fuzzy flag (a fuzzy entry is left out, as msgfmt leaves it out).
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@dataclass
class Entry:
    msgid: str = ""
    context: str | None = None
    plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def key(self) -> str:
        """The key the .mo file stores: the context, EOT, then the msgid."""
        return self.msgid if self.context is None else f"{self.context}\x04{self.msgid}"

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and not self.fuzzy


def read_po(text: str) -> list[Entry]:
    """The entries of a .po file, header (msgid "") first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry, part = Entry(), ""
    started = False
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            if started:
                entries.append(entry)
            entry, part, started = Entry(), "", False
        elif line.startswith("#,") and "fuzzy" in line:
            entry.fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, part, _string(line))
        else:
            part, _, rest = line.partition(" ")
            started = True
            if part.startswith("msgstr"):
                entry.msgstr.append("")
            _append(entry, part, _string(rest))
    return entries


def _string(quoted: str) -> str:
    value = ast.literal_eval(quoted)
    if not isinstance(value, str):
        raise ValueError(f"not a quoted string: {quoted!r}")
    return value


def _append(entry: Entry, part: str, text: str) -> None:
    if part == "msgid":
        entry.msgid += text
    elif part == "msgctxt":
        entry.context = (entry.context or "") + text
    elif part == "msgid_plural":
        entry.plural = (entry.plural or "") + text
    elif part.startswith("msgstr"):
        entry.msgstr[-1] += text
    else:
        raise ValueError(f"unknown .po keyword {part!r}")


def compile_mo(entries: list[Entry]) -> bytes:
    """A .mo file (GNU gettext's format, little-endian, no hash table) of the translated
    entries and the header, sorted by key as gettext expects."""
    pairs: dict[bytes, bytes] = {}
    for e in entries:
        if e.msgid == "" and e.context is None:
            pairs[b""] = _header(e.msgstr[0]).encode()
        elif e.translated:
            stored = e.key if e.plural is None else f"{e.key}\x00{e.plural}"
            pairs[stored.encode()] = "\x00".join(e.msgstr).encode()
    keys = sorted(pairs)
    header, n = 7 * 4, len(keys)
    ids_at, strs_at = header, header + n * 8
    data_at = strs_at + n * 8
    ids, strs, data = b"", b"", b""
    for key in keys:
        ids += struct.pack("<II", len(key), data_at + len(data))
        data += key + b"\x00"
    for key in keys:
        value = pairs[key]
        strs += struct.pack("<II", len(value), data_at + len(data))
        data += value + b"\x00"
    head = struct.pack("<7I", 0x950412DE, 0, n, ids_at, strs_at, 0, data_at)
    return head + ids + strs + data


def _header(text: str) -> str:
    """The header as msgfmt keeps it: without the date makemessages stamps on every run, so
    that an unchanged catalog compiles to an unchanged file."""
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("POT-Creation-Date:"))


def catalogs() -> list[Path]:
    """Every .po file under the project's locale folder."""
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def compile_all() -> list[Path]:
    written = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_mo(read_po(po.read_text(encoding="utf-8"))))
        written.append(mo)
    return written
