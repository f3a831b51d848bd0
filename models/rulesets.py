"""Format rule sets of Party and state documents, each in force from a date (pure).

A plan follows the rule set of its issuer's system (Party or state) in force on the day it
is signed (Asia/Ho_Chi_Minh date). A newer rule set is added as one more `RuleSet` in
`RULESETS` with its `effective_from`, and the previous one gets an `effective_to`: plans
signed before that day keep the old rules, nothing else changes.

The values come from ../shared/reference/vn-documents.md: Party §1.3–1.12 (HD36-HD/VPTW
of 03/04/2018, replaced by 05-HD/VPTW of 27/5/2026, whose primary text was not available:
the third-party summaries say it keeps the HD36 rules used here), state §2.1–2.5 (NĐ
30/2020/NĐ-CP) and the checklist of §7. Each rule set cites its own text for every clause
the format check applies (`RuleSet.cite`); a "§" is given only where a source quoted it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from models.numbering import System


class Clause(StrEnum):
    """The parts of a document the format check looks at; each rule set cites its text for each."""

    ISSUER = "issuer"
    PLACE_DATE = "place_date"
    NUMBER = "number"
    TITLE = "title"
    BODY = "body"
    SIGNATURE = "signature"
    RECIPIENTS = "recipients"
    ARCHIVE = "archive"
    REVIEW = "review"  # the office's format check before signing: footnotes, draft labels


@dataclass(frozen=True)
class Margins:
    """Page margins in mm as (least, most) allowed; the renderers use the least."""

    top: tuple[int, int]
    right: tuple[int, int]
    bottom: tuple[int, int]
    left: tuple[int, int]

    @property
    def css(self) -> str:
        """'20mm 15mm 20mm 30mm' (top right bottom left), for `@page { margin: … }`."""
        return " ".join(f"{side[0]}mm" for side in (self.top, self.right, self.bottom, self.left))


@dataclass(frozen=True)
class FontSizes:
    """Sizes in pt of the document's parts (§1.4, §2.1, §7)."""

    heading: int  # ĐẢNG CỘNG SẢN VIỆT NAM, or the Quốc hiệu
    motto: int  # the state Tiêu ngữ; 0: none (Party)
    issuer: int
    number: int
    type_name: int
    recipients_label: int
    recipients: int
    # the same under every rule set so far
    date: int = 14
    summary: int = 14
    body: int = 14
    footnote: int = 12
    signature: int = 14
    page_number: int = 14


@dataclass(frozen=True)
class RuleSet:
    name: str
    short: str  # prefix of every rule cited: "HD36", "HD05", "NĐ30"
    system: System
    effective_from: date
    effective_to: date | None  # the last day in force; None: still in force
    margins: Margins
    sizes: FontSizes
    heading_lines: tuple[str, ...]  # the top right of page 1
    under_issuer: str  # "*" (Party) or "rule" (a short solid line, state)
    number_prefix: str  # "Số " (Party) or "Số: " (state)
    symbol_pattern: str  # a full printed number and symbol (§7)
    recipients_label_style: str  # "underline" (Party) or "bold italic" (state)
    recipient_line_end: str  # "," (Party) or ";" (state); the last line ends with "."
    archive_pattern: str  # the archive line's form, without its leading "- "
    archive_example: str
    signing_forms: tuple[str, ...]  # besides a direct signature (no form)
    collective_form: str  # T/M or TM.: on behalf of a collective body
    deputy_form: str  # K/T or KT.: a deputy signing in place of the head
    deputy_for_collective: bool  # False: K/T is refused for a collective (Party committees)
    # A person authorised for a limited time signs in this form: T/L for the Party (HD05 has no
    # "T/U"), TUQ. for the state (NĐ 30 Art. 13: written, limited in time and scope).
    delegated_form: str
    collective_bodies: tuple[str, ...]  # signature labels that name a collective body
    committee_codes: tuple[str, ...]  # issuer codes of collective bodies (Party committees)
    signer_title_bold: bool
    body_endings: tuple[str, ...]
    title_line_chars: int  # characters of a bold summary line across the text width
    max_title_lines: int  # summary lines the title block takes at most
    citations: tuple[tuple[Clause, str], ...]
    # True: in a collective body's plan a deputy's line ("KT. CHỦ TỊCH") stands under the body's
    # own ("TM. ỦY BAN NHÂN DÂN"), NĐ 30 Phụ lục I; the Party refuses K/T for a committee instead.
    deputy_under_collective: bool = False

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def cite(self, clause: Clause) -> str:
        """The rule a problem breaks, as printed: 'HD36 §1.9 Nơi nhận', 'NĐ30 Art. 13 Thẩm quyền ký'."""
        return next(f"{self.short} {text}" for c, text in self.citations if c is clause)

    def archive_ok(self, text: str) -> bool:
        return bool(re.match(self.archive_pattern, text))

    def is_collective(self, label: str, issuer_code: str = "") -> bool:
        """True when the signature stands for a collective body (or the issuer is a committee)."""
        return bool(self.collective_body(label)) or issuer_code in self.committee_codes

    def collective_body(self, label: str) -> str:
        """The collective body `label` names ("ỦY BAN NHÂN DÂN" in "ỦY BAN NHÂN DÂN XÃ …"), or ""."""
        wanted = _upper(label)
        return next((body for body in self.collective_bodies if body in wanted), "")


def _upper(text: str) -> str:
    """Upper case NFC with the old tone placement folded ("UỶ" is "ỦY")."""
    return unicodedata.normalize("NFC", text).upper().replace("UỶ", "ỦY").replace("OÁ", "ÓA")


# The text each rule set cites for each clause: (HD36, HD05, NĐ30).
_CITED: dict[Clause, tuple[str, str, str]] = {
    Clause.ISSUER: ("Tên cơ quan ban hành", "Tên cơ quan ban hành", "Art. 8 Tên cơ quan ban hành"),
    Clause.PLACE_DATE: ("Địa danh và ngày tháng", "Địa danh và ngày tháng", "Art. 8 Địa danh và thời gian"),
    Clause.NUMBER: ("§1.3.1 Số và ký hiệu", "Số và ký hiệu", "Art. 15 Số, ký hiệu"),
    Clause.TITLE: ("Tên loại và trích yếu", "Tên loại và trích yếu", "Art. 8 Tên loại và trích yếu"),
    Clause.BODY: ("Nội dung", "Nội dung", "Art. 8 Nội dung"),
    Clause.SIGNATURE: ("§1.7.1 Thể thức đề ký", "Thể thức đề ký", "Art. 13 Thẩm quyền ký"),
    Clause.RECIPIENTS: ("§1.9 Nơi nhận", "Nơi nhận", "Art. 8 Nơi nhận"),
    Clause.ARCHIVE: ("§1.9 Nơi nhận: bản lưu", "Nơi nhận: bản lưu", "PL I Nơi nhận: Lưu: VT"),
    Clause.REVIEW: (
        "§I.4 Kiểm tra thể thức trước khi ký",
        "Kiểm tra thể thức trước khi ký",
        "Art. 12 Kiểm tra trước khi ký",
    ),
}


def _citations(column: int) -> tuple[tuple[Clause, str], ...]:
    return tuple((clause, texts[column]) for clause, texts in _CITED.items())


HD36 = RuleSet(
    name="HD36-HD/VPTW 2018 (Đảng)",
    short="HD36",
    system=System.PARTY,
    effective_from=date(2018, 4, 3),
    effective_to=date(2026, 5, 26),
    margins=Margins(top=(20, 20), right=(15, 15), bottom=(20, 20), left=(30, 30)),
    sizes=FontSizes(
        heading=15, motto=0, issuer=14, number=14, type_name=15, recipients_label=14, recipients=12
    ),
    heading_lines=("ĐẢNG CỘNG SẢN VIỆT NAM",),
    under_issuer="*",
    number_prefix="Số ",
    symbol_pattern=r"^Số \d{2,}-[A-Za-zĐđ]+/[A-Za-zĐđ0-9\-]+$",
    recipients_label_style="underline",
    recipient_line_end=",",
    archive_pattern=r"^Lưu\s+(?!:)(?!VT\b)\S",
    archive_example="Lưu Văn phòng …",
    signing_forms=("T/M", "K/T", "T/L", "Q."),
    collective_form="T/M",
    deputy_form="K/T",
    deputy_for_collective=False,
    delegated_form="T/L",
    collective_bodies=(
        "BAN THƯỜNG VỤ",
        "BAN CHẤP HÀNH",
        "BAN BÍ THƯ",
        "BỘ CHÍNH TRỊ",
        "ĐẢNG ỦY",
        "TỈNH ỦY",
        "THÀNH ỦY",
        "HUYỆN ỦY",
        "QUẬN ỦY",
        "THỊ ỦY",
        "CHI BỘ",
        "ỦY BAN KIỂM TRA",
        "ĐẢNG ĐOÀN",
        "BAN CÁN SỰ ĐẢNG",
        "HỘI ĐỒNG",
        "ĐOÀN CHỦ TỊCH",
    ),
    committee_codes=("TW", "TU", "HU", "QU", "ThU", "ĐU", "ĐUK", "CB", "ĐH"),
    signer_title_bold=False,
    body_endings=(".",),
    title_line_chars=68,
    max_title_lines=4,
    citations=_citations(0),
)

HD05 = replace(
    HD36,
    name="05-HD/VPTW 2026 (Đảng)",
    short="HD05",
    effective_from=date(2026, 5, 27),
    effective_to=None,
    citations=_citations(1),
)

ND30 = RuleSet(
    name="NĐ 30/2020/NĐ-CP (Nhà nước)",
    short="NĐ30",
    system=System.STATE,
    effective_from=date(2020, 3, 5),
    effective_to=None,
    margins=Margins(top=(20, 25), right=(15, 20), bottom=(20, 25), left=(30, 35)),
    sizes=FontSizes(
        heading=13, motto=14, issuer=13, number=13, type_name=14, recipients_label=12, recipients=11
    ),
    heading_lines=("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
    under_issuer="rule",
    number_prefix="Số: ",
    symbol_pattern=r"^Số: \d{2,}/[A-Za-zĐđ0-9.\-]+$",
    recipients_label_style="bold italic",
    recipient_line_end=";",
    archive_pattern=r"^Lưu:\s*VT\b",
    archive_example="Lưu: VT, <đơn vị soạn thảo>",
    signing_forms=("TM.", "KT.", "TL.", "TUQ.", "Q."),
    collective_form="TM.",
    deputy_form="KT.",
    deputy_for_collective=True,
    deputy_under_collective=True,
    delegated_form="TUQ.",
    collective_bodies=("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "HỘI ĐỒNG"),
    committee_codes=(),
    signer_title_bold=True,
    body_endings=(".", "./."),
    title_line_chars=68,
    max_title_lines=4,
    citations=_citations(2),
)

RULESETS: tuple[RuleSet, ...] = (HD36, HD05, ND30)


def ruleset_for(system: System | str, on: date) -> RuleSet:
    """The rule set of `system` in force on `on`; LookupError when none was yet."""
    wanted = System(system)
    for ruleset in RULESETS:
        if ruleset.system is wanted and ruleset.in_force(on):
            return ruleset
    raise LookupError(f"no {wanted.value} rule set is in force on {on.isoformat()}")
