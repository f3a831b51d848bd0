"""Reading files people give us: limits, encodings and the checks that come before any parser.

Every refusal is `Invalid` naming the file (or the field it came from) and the reason; nothing
here raises anything else. The limits are settings (`BANHANH_IMPORT_MAX_*`); `ImportLimits()`
holds their defaults for code that has no settings at hand.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import Invalid
from models.settings import Settings

if TYPE_CHECKING:
    from documents.plain_text import ParsedText

MB = 1024 * 1024
_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PARAGRAPH_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")
_NOT_TEXT = (
    (b"PK\x03\x04", "a zip file (a Word .docx named otherwise?)"),
    (b"\xd0\xcf\x11\xe0", "an old Word .doc (save it as .docx)"),
    (b"%PDF", "a PDF"),
)
_CONTROL_KEPT = {"\t", "\n", "\r", "\f"}
# Characters that reorder or hide text on screen: the bidirectional embeddings, overrides and
# isolates, and the zero-width ones.
_INVISIBLE = {
    chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200E, 0x200F, 0x2060]
}


def _default(name: str) -> int:
    value = Settings.model_fields[name].default
    assert isinstance(value, int)
    return value


@dataclass(frozen=True)
class ImportLimits:
    max_text_bytes: int = _default("import_max_text_bytes")
    max_docx_bytes: int = _default("import_max_docx_bytes")
    max_unzipped_bytes: int = _default("import_max_unzipped_bytes")
    max_xml_bytes: int = _default("import_max_xml_bytes")
    max_zip_entries: int = _default("import_max_zip_entries")
    max_paragraphs: int = _default("import_max_paragraphs")

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        return cls(**{f.name: getattr(settings, f"import_{f.name}") for f in fields(cls)})


def size(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def read_bytes(path: Path, field: str, limit: int) -> bytes:
    """The file's bytes, refused when it cannot be read or is larger than `limit`."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError as error:
        raise Invalid(field, code="file.missing", path=path) from error
    except IsADirectoryError as error:
        raise Invalid(field, code="file.is_directory", path=path) from error
    except OSError as error:
        raise Invalid(field, code="file.unreadable", path=path, error=error.strerror or error) from error
    if len(data) > limit:
        raise Invalid(field, code="import.too_large", name=path, limit=size(limit))
    return data


def decode_text(data: bytes, field: str, limit: int) -> str:
    """Text from UTF-8 (with or without a BOM) or UTF-16 with its BOM; anything else is refused
    with the line and byte where it stops being UTF-8. A NUL byte means a binary file."""
    if len(data) > limit:
        raise Invalid(field, code="import.larger_than", limit=size(limit))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise Invalid(field, code="import.utf16_bad", byte=error.start + 1) from error
    elif len(data) >= 2 and max(data[0::2].count(0), data[1::2].count(0)) > len(data) // 4:
        raise Invalid(field, code="import.utf16_no_bom")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise Invalid(
                field,
                code="import.not_utf8",
                line=line,
                byte=error.start + 1,
                value=f"{data[error.start]:02x}",
            ) from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise Invalid(field, code="import.binary", line=line)
    return text


def is_strange(c: str) -> bool:
    """A control character (tab and line breaks aside) or one that hides or reorders text."""
    return c in _INVISIBLE or (c not in _CONTROL_KEPT and unicodedata.category(c) == "Cc")


def printable(text: str) -> str:
    """`text` for a terminal: control and invisible characters written as escapes (\\x1b, \\u202e),
    so that text from a file can neither send terminal commands nor reorder what is shown."""
    if not any(is_strange(c) for c in text):
        return text
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") if is_strange(c) else c for c in text
    )


def strange_characters(text: str) -> list[str]:
    """Names of the control and invisible characters in `text` ("U+202E RIGHT-TO-LEFT OVERRIDE")."""
    found = dict.fromkeys(c for c in text if is_strange(c))
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'CONTROL CHARACTER')}" for c in found]


def check_docx_package(data: bytes, limits: ImportLimits) -> None:
    """Refuse a .docx that is too large unzipped, has too many parts, declares a DTD or entities
    (no Word file does), or holds more paragraphs than a plan can have, before any XML is parsed."""
    if len(data) > limits.max_docx_bytes:
        raise Invalid("document", code="import.larger_than", limit=size(limits.max_docx_bytes))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if len(infos) > limits.max_zip_entries:
                raise Invalid(
                    "document", code="import.docx_parts", count=len(infos), limit=limits.max_zip_entries
                )
            total = sum(info.file_size for info in infos)
            if total > limits.max_unzipped_bytes:
                raise Invalid(
                    "document",
                    code="import.zip_bomb",
                    total=size(total),
                    limit=size(limits.max_unzipped_bytes),
                )
            names = {info.filename for info in infos}
            missing = [part for part in ("[Content_Types].xml", "word/document.xml") if part not in names]
            if missing:
                raise Invalid("document", code="import.not_docx", detail=f"no {' or '.join(missing)} in it")
            paragraphs = 0
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                if info.file_size > limits.max_xml_bytes:
                    raise Invalid(
                        "document",
                        code="import.part_too_large",
                        part=info.filename,
                        total=size(info.file_size),
                        limit=size(limits.max_xml_bytes),
                    )
                with package.open(info) as member:
                    xml = member.read(limits.max_xml_bytes + 1)
                if len(xml) > limits.max_xml_bytes:
                    raise Invalid("document", code="import.part_lies", part=info.filename)
                if xml.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    xml = xml.decode("utf-16", errors="replace").encode("utf-8")
                if _DTD_RE.search(xml):
                    raise Invalid("document", code="import.dtd", part=info.filename)
                if info.filename.startswith("word/"):
                    paragraphs += len(_PARAGRAPH_RE.findall(xml))
            if paragraphs > limits.max_paragraphs:
                raise Invalid(
                    "document",
                    code="import.too_many_paragraphs",
                    count=paragraphs,
                    limit=limits.max_paragraphs,
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        raise Invalid("document", code="import.not_docx", detail=f"damaged zip: {error}") from error
    except (RuntimeError, ValueError, zlib.error) as error:  # encrypted members, bad compression data
        raise Invalid("document", code="import.not_docx", detail=error) from error


def parse_file(data: bytes, name: str, limits: ImportLimits | None = None) -> ParsedText:
    """A plan from a file's bytes, by the extension of its name: .docx for Word, anything else
    plain text. Every refusal is `Invalid` naming the file."""
    from documents.docx_import import parse_docx
    from documents.plain_text import parse

    limits = limits or ImportLimits()
    try:
        if name.lower().endswith(".docx"):
            return parse_docx(data, limits)
        for magic, what in _NOT_TEXT:
            if data.startswith(magic):
                raise Invalid("document", code="import.not_text", what=what)
        return parse(decode_text(data, "document", limits.max_text_bytes), limits)
    except Invalid as error:
        if error.field != "document":
            raise
        raise error.at(name) from error
