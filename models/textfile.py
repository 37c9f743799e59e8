"""Store stage helper: read the text files offices and collectors produce, or say exactly what to change.

Both importers (`netral registry import`, `netral import`) call `inspect_text` before writing anything:
it reads the file once as bytes, in constant memory, and refuses a binary file, a spreadsheet workbook
or text that is not UTF-8, naming the line. A CSV saved by an older Excel as Windows-1252 is accepted
when `legacy` is set and nothing in it is UTF-8 (a file mixing both is damaged: it is refused).
`csv_delimiter` picks `,`, `;` (Excel in the Indonesian locale) or tab from the header row.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t")
SAVE_AS = "in Excel: File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"


class TextFileError(ValueError):
    """The file cannot be read as text; the message names the file, the line and what to change."""


@dataclass
class TextInfo:
    encoding: str  # a Python codec name: utf-8, utf-8-sig or cp1252
    sha256: str
    lines: int

    @property
    def note(self) -> str | None:
        return "read as Windows-1252 (not UTF-8)" if self.encoding == "cp1252" else None


def inspect_text(path: Path, legacy: bool = False, kind: str = "CSV") -> TextInfo:
    """Check that the file is text; return its encoding and SHA-256, or raise TextFileError."""
    digest = hashlib.sha256()
    encoding, bad_line, bad_byte, utf8_multibyte, legacy_ok = "utf-8", 0, 0, False, True
    number = 0
    try:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                digest.update(line)
                if number == 1:
                    encoding = _check_start(path, line, kind)
                    if encoding == "utf-8-sig":
                        line, utf8_multibyte = line[3:], True
                if b"\x00" in line:
                    raise TextFileError(f"{path}:{number}: contains a NUL byte: this is a binary file, not {kind} "
                                        f"text; export the data as {kind} in UTF-8")
                if line.isascii():
                    continue
                try:
                    line.decode("utf-8")
                    utf8_multibyte = True
                except UnicodeDecodeError as exc:
                    if not bad_line:
                        bad_line, bad_byte = number, exc.start
                    try:
                        line.decode("cp1252")
                    except UnicodeDecodeError:
                        legacy_ok = False
    except OSError as exc:
        raise TextFileError(f"{path}: cannot read: {exc.strerror}") from None
    if bad_line:
        byte = _byte_at(path, bad_line, bad_byte)
        if legacy and legacy_ok and not utf8_multibyte:
            return TextInfo("cp1252", digest.hexdigest(), number)
        mixed = " (the file mixes UTF-8 with another encoding: it is damaged)" if utf8_multibyte else ""
        how = f" ({SAVE_AS})" if kind == "CSV" else ""
        raise TextFileError(f"{path}:{bad_line}: not UTF-8 text: byte 0x{byte:02X} at column {bad_byte + 1}{mixed}; "
                            f"save the file as UTF-8{how}")
    return TextInfo(encoding, digest.hexdigest(), number)


def _check_start(path: Path, first: bytes, kind: str) -> str:
    if first.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise TextFileError(f"{path}:1: this is a spreadsheet workbook (.xlsx/.xls), not {kind} text; {SAVE_AS}")
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TextFileError(f"{path}:1: this text is UTF-16 ('Unicode Text'); save it as UTF-8 ({SAVE_AS})")
    return "utf-8-sig" if first.startswith(b"\xef\xbb\xbf") else "utf-8"


def _byte_at(path: Path, line: int, offset: int) -> int:
    with path.open("rb") as handle:
        for number, text in enumerate(handle, start=1):
            if number == line:
                if line == 1 and text.startswith(b"\xef\xbb\xbf"):
                    text = text[3:]
                return text[offset]
    return 0


def csv_delimiter(path: Path, header: str, expected: list[str]) -> str:
    """The separator that splits the header into the most expected column names (`,`, `;` or tab)."""
    wanted = set(expected)
    scores = {d: len(wanted & {c.strip().lower() for c in next(csv.reader([header], delimiter=d), [])})
              for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    if scores[best]:
        return best
    try:
        return csv.Sniffer().sniff(header, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        raise TextFileError(f"{path}:1: the header row names none of the expected columns "
                            f"({','.join(expected)}) with ',', ';' or tab between them") from None
