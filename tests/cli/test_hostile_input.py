# ruff: noqa: E501  (the corpus reads best one case a line)
"""Hundreds of hostile arguments and files fed to the `banhanh` command, in-process on one SQLite
database: each ends in a clear message and an exit code (never a traceback), within a few
seconds (never a hang), and a refusal changes nothing in the database.

The corpus is generated: plan ids around 2^63, Rich markup and control characters in every
kind of argument, text in the wrong encodings or too large, damaged and malicious .docx files
(truncated, zip bombs, 1.5 million paragraphs, entity expansion, external entities, deep
nesting), organisation TOML with unknown, misspelt or ill-typed keys, and garbage PDFs.
"""

from __future__ import annotations

import codecs
import io
import os
import random
import shutil
import signal
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from typer.testing import CliRunner

import cli.context as context
from cli.app import app
from models.db import Database
from tests.conftest import PG_URL, _truncate
from tests.documents.wordbuild import seed_docx
from tests.factory import REPO, SECRETARIAT

SEED = (REPO / "examples" / "seeds" / "004_f456acc7e9262ea1.txt").read_text(encoding="utf-8")
HAMLIEM = (REPO / "examples" / "hamliem.toml").read_text(encoding="utf-8")
DUK = (REPO / "examples" / "duk.toml").read_text(encoding="utf-8")
PER_CASE_SECONDS = 15
NOBODY = "nobody@hamliem.example.vn"
MB = 1024 * 1024


class Hang(Exception):
    pass


@dataclass(frozen=True)
class Case:
    id: str
    args: Callable[[Path], list[str]]  # given the folder of generated files
    refused: bool = True  # False: may be accepted (exit 0) or refused
    says: tuple[str, ...] = ()  # text the output must hold, literally (no markup eaten)


CASES: list[Case] = []


def case(
    id: str, args: Callable[[Path], list[str]], refused: bool = True, says: tuple[str, ...] = ()
) -> None:
    CASES.append(Case(id, args, refused, says))


# -- generated files, each made once on first use -------------------------------------------------

FILES: dict[str, Callable[[], bytes]] = {}


def file(name: str, make: Callable[[], bytes]) -> Callable[[Path], str]:
    """Register a generated file; the returned function writes it (once) under the folder given."""
    FILES[name] = make

    def path(folder: Path) -> str:
        target = folder / name
        if not target.exists():
            target.write_bytes(FILES[name]())
        return str(target)

    return path


@cache
def base_docx() -> bytes:
    return seed_docx(
        SEED, header=("ĐẢNG BỘ TỈNH LÂM ĐỒNG", "ĐẢNG ỦY XÃ HÀM LIÊM", "Số -KH/ĐU", "Hàm Liêm, ngày")
    )


def rezip(replace: dict[str, bytes], drop: tuple[str, ...] = (), extra: int = 0) -> bytes:
    """The base .docx with parts replaced, dropped or `extra` empty parts added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base_docx())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in replace.items():
            if name not in src.namelist():
                dst.writestr(name, data)
        for i in range(extra):
            dst.writestr(f"customXml/extra{i}.bin", b"")
    return out.getvalue()


def document_xml() -> bytes:
    with zipfile.ZipFile(io.BytesIO(base_docx())) as z:
        return z.read("word/document.xml")


W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def body_xml(inner: bytes, prolog: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prolog
        + b"<w:document "
        + W_NS
        + b"><w:body>"
        b"<w:p><w:r><w:t>K\xe1\xba\xbe HO\xe1\xba\xa0CH</w:t></w:r></w:p>" + inner + b"</w:body></w:document>"
    )


def zeros_member(name: str, size: int) -> bytes:
    """A zip bomb: one part of `size` zero bytes (compressed to a few KB), made without holding it."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base_docx())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open(zipfile.ZipInfo(name), "w", force_zip64=True) as member:
            chunk = b"\0" * MB
            for _ in range(size // MB):
                member.write(chunk)
    return out.getvalue()


def text_variants() -> dict[str, tuple[Callable[[], bytes], bool]]:
    """name -> (bytes, refused)."""
    nfd = unicodedata.normalize("NFD", SEED)
    rng = random.Random(12)
    lines = SEED.split("\n")
    signer_at = max(i for i, line in enumerate(lines) if line.strip())

    def with_line(index: int, extra: str) -> bytes:
        return "\n".join([*lines[:index], extra, *lines[index:]]).encode()

    variants: dict[str, tuple[Callable[[], bytes], bool]] = {
        "seed.txt": (lambda: SEED.encode(), False),
        "seed-bom.txt": (lambda: codecs.BOM_UTF8 + SEED.encode(), False),
        "seed-utf16le.txt": (lambda: SEED.encode("utf-16"), False),
        "seed-utf16be.txt": (lambda: codecs.BOM_UTF16_BE + SEED.encode("utf-16-be"), False),
        "seed-utf16-nobom.txt": (lambda: SEED.encode("utf-16-le"), True),
        "seed-utf16-odd.txt": (lambda: SEED.encode("utf-16") + b"\x00", True),
        "seed-cp1258.txt": (lambda: nfd.encode("cp1258", errors="replace"), True),
        "seed-latin1.txt": (lambda: SEED.encode("latin-1", errors="replace").replace(b"?", b"\xe0"), True),
        "seed-utf32.txt": (lambda: SEED.encode("utf-32"), True),
        "seed-crlf.txt": (lambda: SEED.replace("\n", "\r\n").encode(), False),
        "seed-cr.txt": (lambda: SEED.replace("\n", "\r").encode(), False),
        "seed-nfd.txt": (lambda: nfd.encode(), False),
        "seed-nul.txt": (lambda: SEED.replace("Phan Minh Quảng", "Phan\x00Minh Quảng").encode(), True),
        "seed-rlo-name.txt": (
            lambda: SEED.replace("Phan Minh Quảng", "Phan \u202eMinh Quảng").encode(),
            False,
        ),
        "seed-controls.txt": (
            lambda: SEED.replace("KẾ HOẠCH", "KẾ HOẠCH\x1b[31m\x07\x08", 1).encode(),
            False,
        ),
        "seed-after-signer.txt": (
            lambda: (SEED.rstrip() + "\n\nTrang 3/3\nfile: ke-hoach.doc\n").encode(),
            False,
        ),
        "seed-markup.txt": (
            lambda: SEED.replace("Đảng ủy UBND xã;", "Đảng ủy [red]UBND[/] xã [/ [[people]];").encode(),
            False,
        ),
        "seed-header-markup.txt": (lambda: ("[bold]Số 12-KH/[/]ĐU [/\n" + SEED).encode(), False),
        "seed-long-header.txt": (lambda: ("x" * (MB + 1) + "\n" + SEED).encode(), False),
        "seed-long-line.txt": (lambda: with_line(signer_at - 20, "a " * (MB // 2)), False),
        "seed-stars.txt": (lambda: with_line(signer_at - 20, "*a" * 200_000), False),
        "seed-markers.txt": (lambda: with_line(signer_at - 20, "¹" * 100_000), False),
        "seed-digits.txt": (lambda: with_line(signer_at - 20, "1." * 100_000), False),
        "seed-many-recipients.txt": (lambda: with_line(signer_at - 3, "- Đơn vị\n" * 2_000), False),
        "too-large.txt": (lambda: SEED.encode() + b"a" * (3 * MB), True),
        "too-many-lines.txt": (lambda: SEED.encode() + b"\n" * 30_000, True),
        "one-huge-line.txt": (lambda: b"x" * (2 * MB - 10), True),
        "empty.txt": (lambda: b"", True),
        "bom-only.txt": (lambda: codecs.BOM_UTF8, True),
        "blank.txt": (lambda: b" \n\t\n\r\n" * 100, True),
        "no-type-line.txt": (lambda: SEED.replace("KẾ HOẠCH", "").encode(), True),
        "surrogates.txt": (lambda: SEED.encode() + b"\xed\xa0\x80", True),
        "overlong.txt": (lambda: b"\xc0\xafetc\n" + SEED.encode(), True),
        "pdf-named.txt": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", True),
        "doc-named.txt": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), True),
        "docx-named.txt": (base_docx, True),
    }
    for n in range(6):
        variants[f"random-{n}.txt"] = (lambda n=n: random.Random(n).randbytes(2000 + 997 * n), True)
    variants["random-utf8.txt"] = (
        lambda: "".join(chr(rng.randrange(0x20, 0x2FFF)) for _ in range(5000)).encode("utf-8", "replace"),
        True,
    )
    return variants


def docx_variants() -> dict[str, tuple[Callable[[], bytes], bool]]:
    laughs = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i, *(i - 1,) * 10))
        for i in range(1, 10)
    )
    billion = body_xml(
        b"<w:p><w:r><w:t>&l9;</w:t></w:r></w:p>", b'<!DOCTYPE w:document [<!ENTITY l0 "ha">' + laughs + b"]>"
    )
    xxe = body_xml(
        b"<w:p><w:r><w:t>&x;</w:t></w:r></w:p>",
        b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    utf16_dtd = codecs.BOM_UTF16_LE + xxe.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(
        "utf-16-le"
    )
    base = document_xml
    variants: dict[str, tuple[Callable[[], bytes], bool]] = {
        "plan.docx": (base_docx, False),
        "billion-laughs.docx": (lambda: rezip({"word/document.xml": billion}), True),
        "xxe.docx": (lambda: rezip({"word/document.xml": xxe}), True),
        "xxe-utf16.docx": (lambda: rezip({"word/document.xml": utf16_dtd}), True),
        "dtd-in-styles.docx": (
            lambda: rezip({"word/styles.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'}),
            True,
        ),
        "paragraphs-1.5M.docx": (lambda: rezip({"word/document.xml": body_xml(b"<w:p/>" * 1_500_000)}), True),
        "paragraphs-other-prefix.docx": (
            lambda: rezip(
                {
                    "word/document.xml": body_xml(b"").replace(
                        b"</w:body>", b"<x:p xmlns:x='urn:x'/>" * 100_000 + b"</w:body>"
                    )
                }
            ),
            True,
        ),
        "bomb-xml.docx": (lambda: zeros_member("word/bomb.xml", 40 * MB), True),
        "bomb-media.docx": (lambda: zeros_member("word/media/image1.png", 80 * MB), True),
        "many-entries.docx": (lambda: rezip({}, extra=1500), True),
        "no-document.docx": (lambda: rezip({}, drop=("word/document.xml",)), True),
        "no-content-types.docx": (lambda: rezip({}, drop=("[Content_Types].xml",)), True),
        "no-rels.docx": (lambda: rezip({}, drop=("_rels/.rels",)), True),
        "truncated-xml.docx": (lambda: rezip({"word/document.xml": base()[: len(base()) // 2]}), True),
        "garbage-xml.docx": (lambda: rezip({"word/document.xml": b"<<<>>>&&&"}), True),
        "empty-xml.docx": (lambda: rezip({"word/document.xml": b""}), True),
        "latin1-xml.docx": (
            lambda: rezip(
                {"word/document.xml": base().replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')}
            ),
            False,
        ),
        "bad-bytes-xml.docx": (
            lambda: rezip({"word/document.xml": base().replace(b"<w:t>", b"<w:t>\xff\xfe", 3)}),
            True,
        ),
        "deep-300.docx": (
            lambda: rezip({"word/document.xml": body_xml(b"<w:sdt>" * 300 + b"</w:sdt>" * 300)}),
            True,
        ),
        "deep-20000.docx": (
            lambda: rezip({"word/document.xml": body_xml(b"<w:sdt>" * 20_000 + b"</w:sdt>" * 20_000)}),
            True,
        ),
        "not-a-plan.docx": (
            lambda: rezip({"word/document.xml": body_xml(b"").replace(b"K\xe1\xba\xbe", b"QU")}),
            True,
        ),
        "control-chars.docx": (
            lambda: rezip({"word/document.xml": base().replace(b"<w:t>", b"<w:t>&#x202E;", 2)}),
            False,
        ),
        "rlo-after-signature.docx": (
            lambda: rezip(
                {
                    "word/document.xml": base().replace(
                        b"<w:sectPr", b"<w:p><w:r><w:t>tail &#x202E;evil</w:t></w:r></w:p><w:sectPr", 1
                    )
                }
            ),
            False,
        ),
        "markup.docx": (
            lambda: rezip({"word/document.xml": base().replace(b"<w:t>", b"<w:t>[/][red]", 5)}),
            False,
        ),
        "rels-to-nowhere.docx": (
            lambda: rezip(
                {
                    "word/_rels/document.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="nowhere.xml"/></Relationships>'
                }
            ),
            True,
        ),
        "empty.docx": (lambda: b"", True),
        "text.docx": (lambda: SEED.encode(), True),
        "zip-of-text.docx": (lambda: _zip({"a.txt": b"hello"}), True),
        "pk-only.docx": (lambda: b"PK\x03\x04" + bytes(100), True),
    }
    size = len(base_docx())
    for n, cut in enumerate((10, 100, size // 4, size // 2, size - 200, size - 22, size - 1)):
        variants[f"truncated-{n}.docx"] = (lambda cut=cut: base_docx()[:cut], True)
    for n in range(6):

        def flipped(n: int = n) -> bytes:
            data = bytearray(base_docx())
            rng = random.Random(100 + n)
            for _ in range(5):
                data[rng.randrange(len(data))] ^= 0xFF
            return bytes(data)

        variants[f"flipped-{n}.docx"] = (flipped, False)
    return variants


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def toml_variants() -> dict[str, tuple[Callable[[], bytes], bool, tuple[str, ...]]]:
    """name -> (bytes, refused, what the message must say)."""

    def edited(old: str, new: str) -> Callable[[], bytes]:
        assert old in HAMLIEM, old
        return lambda: HAMLIEM.replace(old, new, 1).encode()

    def appended(extra: str) -> Callable[[], bytes]:
        return lambda: (HAMLIEM + "\n" + extra + "\n").encode()

    org = 'key = "hamliem"'
    person = 'email = "vanphong@hamliem.example.vn"'
    unit = 'code = "tt-tinh-uy"'
    stage = 'reviewers = ["bxdd@hamliem.example.vn"]'
    v: dict[str, tuple[Callable[[], bytes], bool, tuple[str, ...]]] = {
        "ok.toml": (lambda: HAMLIEM.encode(), False, ()),
        "misspelt.toml": (
            edited("drafter_may_approve_and_sign = false", "drafter_may_aprove_and_sign = true"),
            True,
            ("organisation.drafter_may_aprove_and_sign", "did you mean 'drafter_may_approve_and_sign'"),
        ),
        "unknown-top.toml": (
            lambda: ("holiday = []\n" + HAMLIEM).encode(),
            True,
            ("did you mean 'holidays'",),
        ),
        "unknown-table.toml": (appended("[reminder]\ndue_days = 3"), True, ("did you mean 'reminders'",)),
        "unknown-person-key.toml": (edited(person, person + '\nmail = "x"'), True, ("people[1].mail",)),
        "unknown-unit-key.toml": (
            edited(unit, unit + '\nmember = ["bxdd"]'),
            True,
            ("units[1].member", "'members'"),
        ),
        "unknown-reminder-key.toml": (
            edited("due_days = 3", "due_day = 3"),
            True,
            ("reminders.due_day", "'due_days'"),
        ),
        "unknown-stage-key.toml": (edited(stage, stage + "\nmandatroy = []"), True, ("stages[1].mandatroy",)),
        "unknown-seal-key.toml": (appended('[seal]\npkcs = "x.p12"'), True, ("seal.pkcs",)),
        "markup-key.toml": (edited(org, org + '\n"[/]" = 1'), True, ("organisation.[/]",)),
        "markup-name.toml": (
            edited('name = "ĐẢNG ỦY XÃ HÀM LIÊM"', 'name = "a list of [[people]] tables [/]"'),
            False,
            ("a list of [[people]] tables [/]",),
        ),
        "nul-name.toml": (
            edited('name = "Nguyễn Thị Lan"', 'name = "Nguyễn\\u0000Thị Lan"'),
            True,
            ("people[1].name", "U+0000"),
        ),
        "rlo-name.toml": (
            edited('name = "Nguyễn Thị Lan"', 'name = "Nguyễn \\u202eThị Lan"'),
            True,
            ("people[1].name", "U+202E"),
        ),
        "esc-title.toml": (
            edited('title = "Chánh Văn phòng Đảng ủy"', 'title = "\\u001b[31mX"'),
            True,
            ("people[1].title",),
        ),
        "newline-name.toml": (
            edited('name = "Nguyễn Thị Lan"', 'name = """Nguyễn\nThị Lan"""'),
            True,
            ("people[1].name",),
        ),
        "rlo-alias.toml": (
            edited('aliases = ["Thường trực Tỉnh ủy Lâm Đồng"]', 'aliases = ["\\u202eX"]'),
            True,
            ("aliases[1]",),
        ),
        "crlf-email.toml": (
            edited(person, 'email = "a@hamliem.example.vn\\r\\nBcc: x@evil.example"'),
            True,
            ("people[1].email",),
        ),
        "people-not-a-list.toml": (
            lambda: ('people = "x"\n' + HAMLIEM.split("[reminders]")[0]).encode(),
            True,
            ("people: must be a list of [[people]] tables",),
        ),
        "people-string.toml": (
            lambda: HAMLIEM.replace("[[people]]", "[[persons]]").encode(),
            True,
            ("persons",),
        ),
        "roles-nested.toml": (edited('roles = ["secretariat"]', "roles = [[1]]"), True, ("people[1].roles",)),
        "roles-string.toml": (
            edited('roles = ["secretariat"]', 'roles = "secretariat"'),
            True,
            ("people[1].roles",),
        ),
        "due-huge.toml": (
            edited("due_days = 3", "due_days = 9223372036854775807"),
            True,
            ("reminders.due_days",),
        ),
        "due-negative.toml": (edited("due_days = 3", "due_days = -3"), True, ("reminders.due_days",)),
        "due-bool.toml": (edited("due_days = 3", "due_days = true"), True, ("reminders.due_days",)),
        "due-float.toml": (edited("due_days = 3", "due_days = 1.5"), True, ("reminders.due_days",)),
        "due-text.toml": (edited("due_days = 3", 'due_days = "3"'), True, ("reminders.due_days",)),
        "holiday-bad.toml": (edited('"2026-01-01"', '"2026-02-30"'), True, ("holidays[1]",)),
        "holiday-int.toml": (edited('"2026-01-01"', "2026"), True, ("holidays[1]",)),
        "holiday-datetime.toml": (edited('"2026-01-01"', "2026-01-01T10:00:00"), True, ("holidays[1]",)),
        "members-string.toml": (
            edited('members = ["bxdd", "ubkt", "vp-dang-uy"]', 'members = "bxdd"'),
            True,
            ("members",),
        ),
        "members-unknown.toml": (
            edited('members = ["bxdd", "ubkt", "vp-dang-uy"]', 'members = ["[/]"]'),
            True,
            ("'[/]'",),
        ),
        "reviewers-int.toml": (edited(stage, "reviewers = 5"), True, ("stages[1].reviewers",)),
        "reviewers-ints.toml": (edited(stage, "reviewers = [1, 2]"), True, ("stages[1].reviewers",)),
        "stages-string.toml": (
            edited('name = "mot-trong-hai"', 'name = "mot-trong-hai"\nstages = "x"'),
            True,
            (),
        ),
        "rule-bad.toml": (edited('rule = "1 of 2"', 'rule = "5 of 2"'), True, ("rule",)),
        "system-church.toml": (
            edited('system = "party"', 'system = "church"'),
            True,
            ("organisation.system", "church"),
        ),
        "system-int.toml": (edited('system = "party"', "system = 1"), True, ("organisation.system",)),
        "flag-text.toml": (
            edited("drafter_may_approve_and_sign = false", 'drafter_may_approve_and_sign = "yes"'),
            True,
            (),
        ),
        "no-term.toml": (edited('term = "2025-2030"', ""), True, ("organisation.term",)),
        "org-array.toml": (
            lambda: HAMLIEM.replace("[organisation]", "[[organisation]]").encode(),
            True,
            ("organisation",),
        ),
        "duplicate-key.toml": (edited(org, org + '\nkey = "other"'), True, ("not valid TOML",)),
        "broken.toml": (lambda: b"[organisation\nkey = ", True, ("not valid TOML",)),
        "deep.toml": (lambda: b"a = " + b"[" * 5000 + b"]" * 5000, True, ()),
        "deep-tables.toml": (lambda: b"[" + b".".join([b"a"] * 3000) + b"]\n", True, ()),
        "empty.toml": (lambda: b"", True, ("organisation",)),
        "cp1258.toml": (
            lambda: unicodedata.normalize("NFD", HAMLIEM).encode("cp1258", "replace"),
            True,
            ("UTF-8",),
        ),
        "utf16.toml": (lambda: HAMLIEM.encode("utf-16"), False, ()),
        "utf16-nobom.toml": (lambda: HAMLIEM.encode("utf-16-le"), True, ()),
        "nul.toml": (lambda: HAMLIEM.encode() + b"\x00", True, ("NUL",)),
        "binary.toml": (lambda: random.Random(7).randbytes(4000), True, ()),
        "huge.toml": (lambda: HAMLIEM.encode() + b"#" * (3 * MB), True, ("larger than",)),
        "bad-email.toml": (edited(person, 'email = "[red]x[/red]"'), True, ("[red]x[/red]",)),
        "twice.toml": (
            lambda: (
                HAMLIEM
                + '\n[[people]]\nemail = "vanphong@hamliem.example.vn"\nname = "X"\nroles = ["reviewer"]\n'
            ).encode(),
            True,
            ("appears twice",),
        ),
        # Checked inside the transaction: another organisation's person; the organisation row it
        # had begun to write must not stay.
        "stolen-person.toml": (
            lambda: (
                HAMLIEM.replace('key = "hamliem"', 'key = "khac"')
                .replace("vanphong@hamliem.example.vn", "vanphong@duk.example.vn")
                .encode()
            ),
            True,
            ("already belongs to another organisation",),
        ),
    }
    return v


# -- the corpus -----------------------------------------------------------------------------------

HUGE_IDS = [
    "9223372036854775808",
    "9223372036854775807",
    "2147483648",
    "2147483647",
    "18446744073709551616",
    "-9223372036854775809",
    "1" + "0" * 100,
    "0",
    "-1",
    "1e3",
    "0x10",
    "1.0",  # click reads it as 1
    "NaN",
    "",
    "١٢٣",
    "99999",
]


def _in_range(value: str) -> bool:
    try:
        return 1 <= int(float(value) if value == "1.0" else value) <= 2**31 - 1
    except ValueError:
        return False


ID_COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "show": lambda i: ["plan", "show", i],
    "history": lambda i: ["plan", "history", i],
    "deliveries": lambda i: ["plan", "deliveries", i],
    "follow": lambda i: ["plan", "deliveries", i, "--follow"],
    "check": lambda i: ["plan", "check", i],
    "submit": lambda i: ["plan", "submit", i, "--as", NOBODY],
    "withdraw": lambda i: ["plan", "withdraw", i, "--as", NOBODY],
    "remind": lambda i: ["plan", "remind-ack", i, "--as", NOBODY],
    "assign": lambda i: ["plan", "assign", i, "--as", NOBODY, "--reviewer", NOBODY],
    "sign": lambda i: ["plan", "sign", i, "--as", NOBODY, "--version", "abc"],
    "resend": lambda i: ["plan", "resend", i, "--as", NOBODY, "--to", NOBODY],
    "approve": lambda i: ["review", "approve", i, "--as", NOBODY, "--version", "abc"],
    "reject": lambda i: ["review", "reject", i, "--as", NOBODY, "--version", "abc", "--comment", "x"],
    "outbox": lambda i: ["outbox", "list", "--plan", i],
    "mail": lambda i: ["mail", "list", "--plan", i],
}
for command, make in ID_COMMANDS.items():
    for value in HUGE_IDS:
        # `follow`, `deliveries` and the listings accept an id in range; the others refuse NOBODY.
        lenient = _in_range(value) and command in {"show", "history", "deliveries", "check", "outbox", "mail"}
        case(
            f"id-{command}-{value[:24]!r}", lambda _, make=make, value=value: make(value), refused=not lenient
        )

MARKUP = [
    "[/]",
    "[red]x[/red]",
    "a list of [[people]] tables",
    "[bold",
    "[/bold]",
    "[link=http://evil.example]click[/link]",
    "\\[x]",
    "[#ff0000 on white]x",
    "[@click=quit]x",
    ":warning: [/",
    "x\x00y",
    "\u202eevil",
    "\x1b[31mred",
    "x" * 5000,
]
LITERAL = {m for m in MARKUP if m.isprintable()}
TEXT_ARGS: dict[str, Callable[[str], list[str]]] = {
    "import-org": lambda m: ["plan", "import", "{seed}", "--org", m, "--as", SECRETARIAT],
    "import-as": lambda m: ["plan", "import", "{seed}", "--org", "hamliem", "--as", m],
    "tasks": lambda m: ["tasks", "--as", m],
    "assign-reviewer": lambda m: ["plan", "assign", "1", "--as", SECRETARIAT, "--reviewer", m],
    "assign-recipient": lambda m: ["plan", "assign", "1", "--as", SECRETARIAT, "--recipient", m],
    "assign-template": lambda m: ["plan", "assign", "1", "--as", SECRETARIAT, "--template", m],
    "assign-secrecy": lambda m: ["plan", "assign", "1", "--as", SECRETARIAT, "--secrecy", m],
    "sign-version": lambda m: ["plan", "sign", "1", "--as", "pbt@hamliem.example.vn", "--version", m],
    "register-org": lambda m: ["register", "list", "--org", m],
    "delegate-from": lambda m: [
        "delegate",
        "add",
        "--from",
        m,
        "--to",
        NOBODY,
        "--kind",
        "review",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-02",
        "--as",
        SECRETARIAT,
    ],
    "delegate-kind": lambda m: [
        "delegate",
        "add",
        "--from",
        "bxdd@hamliem.example.vn",
        "--to",
        "ubkt@hamliem.example.vn",
        "--kind",
        m,
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-02",
        "--as",
        SECRETARIAT,
    ],
    "delegate-start": lambda m: [
        "delegate",
        "add",
        "--from",
        "bxdd@hamliem.example.vn",
        "--to",
        "ubkt@hamliem.example.vn",
        "--kind",
        "review",
        "--start",
        m,
        "--end",
        "2026-01-02",
        "--as",
        SECRETARIAT,
    ],
    "verify-head": lambda m: ["audit", "verify", "--head", m, "--org", "hamliem"],
    "verify-org": lambda m: ["audit", "verify", "--head", "1:" + "ab" * 8, "--org", m],
}
ECHOED = {
    "import-org",
    "assign-reviewer",
    "assign-recipient",
    "assign-template",
    "register-org",
    "delegate-start",
}
for command, make in TEXT_ARGS.items():
    for m in MARKUP:
        says = (m,) if command in ECHOED and m in LITERAL and len(m) < 100 else ()
        case(
            f"markup-{command}-{m[:16]!r}",
            lambda folder, make=make, m=m: [a.replace("{seed}", seed(folder)) for a in make(m)],
            says=says,
        )

seed = file("seed-arg.txt", lambda: SEED.encode())

for name, (make, refused) in text_variants().items():
    path = file(name, make)
    case(
        f"import-{name}",
        lambda f, path=path: ["plan", "import", path(f), "--org", "hamliem", "--as", SECRETARIAT],
        refused,
    )
    case(f"parse-{name}", lambda f, path=path: ["document", "parse", path(f)], refused)
    case(
        f"body-{name}",
        lambda f, path=path: ["plan", "edit", "1", "--as", SECRETARIAT, "--body-file", path(f)],
        False,
    )

for name, (make, refused) in docx_variants().items():
    path = file(name, make)
    case(
        f"import-{name}",
        lambda f, path=path: ["plan", "import", path(f), "--org", "hamliem", "--as", SECRETARIAT],
        refused,
    )
    case(f"parse-{name}", lambda f, path=path: ["document", "parse", path(f), "--json"], refused)

for name, (make, refused, says) in toml_variants().items():
    path = file(name, make)
    case(f"load-{name}", lambda f, path=path: ["directory", "load", path(f)], refused, says)
    case(
        f"render-{name}",
        lambda f, path=path: ["document", "render", seed(f), "--format", "text", "--org-config", path(f)],
        refused=False,  # the header reads [organisation] only
    )

PDFS = {
    "random.pdf": lambda: random.Random(3).randbytes(5000),
    "empty.pdf": lambda: b"",
    "text.pdf": lambda: SEED.encode(),
    "header-only.pdf": lambda: b"%PDF-1.7\n",
    "truncated.pdf": lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nxref\n0 1\n",
    "docx.pdf": base_docx,
}
for name, make in PDFS.items():
    path = file(name, make)
    case(f"anchor-{name}", lambda f, path=path: ["audit", "verify", "--anchor", path(f)], False)
    case(f"seal-{name}", lambda f, path=path: ["seal", "check", path(f), "--ca", path(f)])

case(
    "missing-file", lambda f: ["plan", "import", str(f / "nope.txt"), "--org", "hamliem", "--as", SECRETARIAT]
)
case("directory-as-file", lambda f: ["plan", "import", str(f), "--org", "hamliem", "--as", SECRETARIAT])
case("render-unknown-format", lambda f: ["document", "render", seed(f), "--format", "[/]"])
case("render-to-directory", lambda f: ["document", "render", seed(f), "--format", "text", "--out", str(f)])
case("csv-to-directory", lambda f: ["register", "list", "--csv", str(f / "no" / "such" / "dir.csv")])
case("evidence-unknown-plan", lambda f: ["audit", "evidence", "99999", "--out", str(f / "no" / "dir.pdf")])
case("edit-title-rlo", lambda f: ["plan", "edit", "1", "--as", NOBODY, "--title", "\u202e[/]"])
case(
    "edit-title-nul",
    lambda f: ["plan", "edit", "1", "--as", SECRETARIAT, "--title", "Kế\x00hoạch"],
    says=("title",),
)
case(
    "edit-title-newline",
    lambda f: ["plan", "edit", "1", "--as", SECRETARIAT, "--title", "a\r\nBcc: x@evil.example"],
)
case("edit-title-empty", lambda f: ["plan", "edit", "1", "--as", SECRETARIAT, "--title", "  "])
case("follow-draft", lambda f: ["plan", "deliveries", "1", "--follow"], says=("not being distributed",))


# -- running ------------------------------------------------------------------------------------


def dump() -> tuple[Any, ...]:
    """Every row of every table."""
    engine = context.database().engine
    with engine.connect() as conn:
        return tuple(
            (table.name, tuple(map(tuple, conn.execute(text(f'SELECT * FROM "{table.name}" ORDER BY 1')))))
            for table in SQLModel.metadata.sorted_tables
        )


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """One database with hamliem and duk loaded and seed 004 imported as plan 1 (a draft): a SQLite
    file, or the PostgreSQL of TEST_DATABASE_URL with BANHANH_HOSTILE_ON_POSTGRESQL=1."""
    home = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{home / 'banhanh.db'}"
    shutil.copy(sqlite_template, home / "banhanh.db")
    if ON_POSTGRESQL:
        url = request.getfixturevalue("pg_migrated")
        db = Database.from_url(url)
        _truncate(db)
        db.engine.dispose()
    files = home / "files"
    files.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("BANHANH_DATA_DIR", str(home))
        patch.chdir(home)
        context.settings.cache_clear()
        context.database.cache_clear()
        runner = CliRunner()
        (home / "hamliem.toml").write_text(HAMLIEM, encoding="utf-8")
        (home / "duk.toml").write_text(DUK, encoding="utf-8")
        for args in (["directory", "load", "hamliem.toml"], ["directory", "load", "duk.toml"]):
            assert runner.invoke(app, args).exit_code == 0
        imported = runner.invoke(
            app, ["plan", "import", seed(files), "--org", "hamliem", "--as", SECRETARIAT]
        )
        assert imported.exit_code == 0, imported.output
        yield {"runner": runner, "files": files, "before": dump()}
        context.database().engine.dispose()
        context.settings.cache_clear()
        context.database.cache_clear()


ON_POSTGRESQL = bool(PG_URL) and os.environ.get("BANHANH_HOSTILE_ON_POSTGRESQL") == "1"


def _hang(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"no answer within {PER_CASE_SECONDS} s")


def test_the_corpus_has_at_least_300_cases() -> None:
    assert len(CASES) >= 300, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("hostile", CASES, ids=[c.id for c in CASES])
def test_hostile_input_gets_a_clear_error(world: dict[str, Any], hostile: Case) -> None:
    runner: CliRunner = world["runner"]
    args = hostile.args(world["files"])
    if ON_POSTGRESQL and any("\x00" in a for a in args):
        pytest.skip("a command line cannot hold a NUL byte, and PostgreSQL text refuses one")
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.setitimer(signal.ITIMER_REAL, PER_CASE_SECONDS)
    try:
        result = runner.invoke(app, args, catch_exceptions=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    output = result.stdout + result.stderr
    shown = output[:2000]
    assert not isinstance(result.exception, Hang), f"hangs: {args[:6]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{shown}"
    )
    assert "Traceback" not in output, shown
    assert "\x1b" not in output and "\u202e" not in output, (
        f"a control character reached the terminal: {shown}"
    )
    if hostile.refused:
        assert result.exit_code != 0, f"accepted: {shown}"
    if result.exit_code != 0:
        assert result.stderr.strip(), "a refusal says why"
        assert len(result.stderr) < 20_000, "a refusal is a short message"
        assert dump() == world["before"], f"a refusal changed the database: {shown}"
    else:
        world["before"] = dump()
    squeezed = "".join(output.split())
    for said in hostile.says:
        assert "".join(said.split()) in squeezed, f"{said!r} not shown literally in:\n{shown}"


def test_messages_are_never_read_as_markup(world: dict[str, Any]) -> None:
    """A refusal echoing "[red]…[/]" or "[[people]]" shows it as typed."""
    runner: CliRunner = world["runner"]
    for org in ("a list of [[people]] tables", "[red]x[/red]", "[/]", "[bold"):
        result = runner.invoke(app, ["register", "list", "--org", org])
        assert result.exit_code == 4 and f"'{org}'" in result.stderr, result.stderr
