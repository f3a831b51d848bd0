"""Render a plan (Kế hoạch) to HTML, PDF and plain text.

One Jinja2 template (`templates/documents/plan.html.j2`) serves two media: the screen/email
HTML (footnote markers link to a list after the body) and the paged HTML that WeasyPrint
turns into the PDF (footnotes float to the page foot, page numbers from page 2, the Liberation
Serif font embedded from `documents/fonts`). User text is escaped before any markup is added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import jinja2
from docx.shared import Pt
from markupsafe import Markup

from documents.doc_types import by_code
from documents.markup import default_marker, split_blocks, superscript, to_html, to_plain
from documents.plain_text import is_archive
from models.content import FORM_RE, Draft
from models.numbering import VN_TZ, System, printed_symbol
from models.rulesets import RULESETS, RuleSet, ruleset_for

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
TEMPLATE = "documents/plan.html.j2"
FONT_FAMILY = "LiberationSerif"  # the fonts' PostScript name; no system family has it
_FONT_FILES = (
    ("normal", "normal", "LiberationSerif-Regular.ttf"),
    ("bold", "normal", "LiberationSerif-Bold.ttf"),
    ("normal", "italic", "LiberationSerif-Italic.ttf"),
    ("bold", "italic", "LiberationSerif-BoldItalic.ttf"),
)
PARTY_HEADING = "ĐẢNG CỘNG SẢN VIỆT NAM"
STATE_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
STATE_MOTTO = "Độc lập - Tự do - Hạnh phúc"
_BLANK_NUMBER = "\u00a0" * 6
_SPACED_DASH_RE = re.compile(r"(?<=\S) ([-–]) ")


def _no_line_starts_with_a_dash(text: str) -> str:
    """ "2021 - 2025", "kinh tế - xã hội": a line starting with "- " would read as a bullet."""
    return _SPACED_DASH_RE.sub("\u00a0\\1 ", text)


# The header's left column: 40 % of the text width (A4 less the 30 mm and 15 mm margins), in pt.
_HEADER_COLUMN_PT = 0.4 * (210 - 30 - 15) * 72 / 25.4
# An administrative unit's level starts the second line of a body's name that does not fit:
# "ỦY BAN NHÂN DÂN" / "XÃ HÀM LIÊM", "HỘI ĐỒNG NHÂN DÂN" / "TỈNH THỪA THIÊN HUẾ".
_LEVEL_RE = re.compile(r"\s(?=(?:XÃ|PHƯỜNG|THỊ TRẤN|THỊ XÃ|HUYỆN|QUẬN|THÀNH PHỐ|TỈNH|ĐẶC KHU)\s)")
_AND_RE = re.compile(r"\s(?=VÀ\s)")  # "… CÁC CƠ QUAN" / "VÀ DOANH NGHIỆP"


def header_lines(name: str, size: int, *, bold: bool) -> tuple[str, ...]:
    """`name` on one line when it fits the header column, else broken before its administrative
    level or before "VÀ", else into even parts; each part broken again while it does not fit.
    A break is never inside a word."""
    from documents.docx_parts import text_width

    def fits(text: str) -> bool:
        return bool(text_width(text, Pt(size), bold=bold).pt <= _HEADER_COLUMN_PT)

    def lines(text: str) -> tuple[str, ...]:
        words = text.split()
        if fits(text) or len(words) < 2:
            return (text,)
        for found in (_LEVEL_RE.search(text), _AND_RE.search(text)):
            if found is not None:
                return (*lines(text[: found.start()]), *lines(text[found.end() :]))
        # Two parts as even as the words allow ("BAN CHẤP HÀNH" / "TRUNG ƯƠNG").
        n = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
        return (*lines(" ".join(words[:n])), *lines(" ".join(words[n:])))

    return lines(name) if name else ()


@dataclass(frozen=True)
class DocumentView:
    """Everything the official document shows; strings are printed as given (escaped)."""

    org_superior: str = ""
    org_name: str = ""
    party: bool = True
    symbol: str = ""  # "Số 38-KH/ĐUK"; "" for a draft (a blank number is printed)
    doc_type: str = "KH"
    org_code: str = ""
    date_line: str = ""  # "Hàm Liêm, ngày 05 tháng 12 năm 2026"; "" for a draft
    summary_lines: Sequence[str] = ()
    body: str = ""
    footnotes: Sequence[str] = ()
    recipients: Sequence[tuple[str, str, bool]] = ()  # (text, annotation, archive)
    sign_form: str = ""
    sign_collective: str = ""
    sign_title: str = ""
    signer_name: str = ""
    version_hash: str = ""
    audit_anchor: str = ""  # the audit chain head at signing, printed small at the end of the last page
    place: str = ""  # used in the blank date line of a draft
    rules_on: date | None = None  # the day whose rule set applies (the signing day); None: today

    @property
    def ruleset(self) -> RuleSet:
        """The issuer's rule set (Party or state) in force on `rules_on`, today in Vietnam if unset;
        a day before the first rule set of the system is laid out by that first one."""
        system = System.PARTY if self.party else System.STATE
        try:
            return ruleset_for(system, self.rules_on or datetime.now(VN_TZ).date())
        except LookupError:
            return min((r for r in RULESETS if r.system is system), key=lambda r: r.effective_from)

    @property
    def ruleset_name(self) -> str:
        return self.ruleset.name

    @property
    def issuer_lines(self) -> tuple[str, ...]:
        """The issuing body's name in the header's left column, broken where it does not fit."""
        return header_lines(self.org_name.upper(), self.ruleset.sizes.issuer, bold=True)

    @property
    def superior_lines(self) -> tuple[str, ...]:
        return header_lines(self.org_superior.upper(), self.ruleset.sizes.issuer, bold=False)

    @property
    def type_name(self) -> str:
        """The type line ("KẾ HOẠCH", "QUYẾT ĐỊNH"); "" for a công văn, which prints none."""
        found = by_code(self.doc_type)
        return found.name if found is not None else self.doc_type

    @property
    def subject_line(self) -> str:
        """A công văn's trích yếu under its number: "V/v …" (state), without "V/v" (Party)."""
        if self.type_name:
            return ""
        return self.title if self.party else f"V/v {self.title}"

    @property
    def symbol_text(self) -> str:
        if self.symbol:
            return self.symbol
        system = System.PARTY if self.party else System.STATE
        return printed_symbol(system, _BLANK_NUMBER, self.doc_type, self.org_code)

    @property
    def date_text(self) -> str:
        return self.date_line or f"{self.place or '…'}, ngày … tháng … năm …"

    @property
    def title(self) -> str:
        return " ".join(line.strip() for line in self.summary_lines)

    @property
    def signature_lines(self) -> list[tuple[str, bool]]:
        """(line, is an authority line) in print order: the authority lines ("TM. …", "KT. …") are
        bold; the signer's title lines are styled as the rule set says."""
        authority = f"{self.sign_form} {self.sign_collective}".strip()
        lines = [(authority.upper(), True)] if authority else []
        titles = (line.strip().upper() for line in self.sign_title.split("\n"))
        return lines + [(line, bool(FORM_RE.match(line))) for line in titles if line]

    @classmethod
    def from_draft(
        cls,
        draft: Draft,
        *,
        org_superior: str = "",
        org_name: str = "",
        party: bool = True,
        symbol: str = "",
        doc_type: str | None = None,  # None: the type read off the draft
        org_code: str = "",
        date_line: str = "",
        place: str = "",
        version_hash: str = "",
        rules_on: date | None = None,
    ) -> DocumentView:
        return cls(
            org_superior=org_superior,
            org_name=org_name,
            party=party,
            symbol=symbol,
            doc_type=doc_type or draft.doc_type,
            org_code=org_code,
            date_line=date_line,
            place=place,
            summary_lines=tuple(draft.summary_lines) or (draft.title,),
            body=draft.body,
            footnotes=tuple(draft.footnotes),
            recipients=tuple((text, note, is_archive(text)) for text, note in draft.recipient_lines),
            sign_form=draft.sign_form,
            sign_collective=draft.sign_collective,
            sign_title=draft.sign_title,
            signer_name=draft.signer_name,
            version_hash=version_hash,
            rules_on=rules_on,
        )


@dataclass(frozen=True)
class _HtmlBlock:
    kind: str
    html: Markup


class _Footnotes:
    """Turns markers into markup; in paged mode the first marker of a footnote carries its body."""

    def __init__(self, footnotes: Sequence[str], paged: bool) -> None:
        self.paged = paged
        self.html = [to_html(_no_line_starts_with_a_dash(text), self.plain_marker) for text in footnotes]
        self.placed: set[int] = set()

    @staticmethod
    def plain_marker(number: int) -> Markup:
        return Markup('<sup class="fn-ref">{}</sup>').format(number)

    def marker(self, number: int) -> Markup:
        if not 1 <= number <= len(self.html):
            return self.plain_marker(number)
        if not self.paged:
            return default_marker(number)
        if number in self.placed:
            return self.plain_marker(number)
        self.placed.add(number)
        return Markup('<span class="fn">{}</span>').format(self.html[number - 1])

    def listed(self) -> list[tuple[int, Markup]]:
        """Footnotes printed after the body: all of them on screen, the unplaced ones on paper."""
        return [(n, html) for n, html in enumerate(self.html, start=1) if n not in self.placed]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["keepdash"] = _no_line_starts_with_a_dash
    return environment


def font_faces() -> list[dict[str, str]]:
    return [
        {"weight": weight, "style": style, "url": (FONTS_DIR / name).as_uri()}
        for weight, style, name in _FONT_FILES
    ]


def _render(view: DocumentView, *, paged: bool) -> str:
    notes = _Footnotes(view.footnotes, paged)
    blocks = [
        _HtmlBlock(b.kind, to_html(_no_line_starts_with_a_dash(b.text), notes.marker))
        for b in split_blocks(view.body)
    ]
    summary = [to_html(line, notes.plain_marker) for line in view.summary_lines]
    rules = view.ruleset
    template = environment().get_template(TEMPLATE)
    return template.render(
        view=view,
        rules=rules,
        paged=paged,
        font_family=FONT_FAMILY,
        font_faces=font_faces() if paged else [],
        summary=summary,
        blocks=blocks,
        footnotes=notes.listed(),
        heading=PARTY_HEADING if view.party else STATE_HEADING,
        motto="" if view.party else STATE_MOTTO,
        line_end=rules.recipient_line_end,
    )


def render_html(view: DocumentView) -> str:
    """The document as one HTML page (for the review page and the email's HTML part)."""
    return _render(view, paged=False)


def render_pdf(view: DocumentView) -> bytes:
    """The document as an A4 PDF with the Liberation Serif font embedded."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = HTML(string=_render(view, paged=True), base_url=str(TEMPLATES_DIR))
    pdf = html.write_pdf(font_config=FontConfiguration())
    if not isinstance(pdf, bytes):  # write_pdf returns bytes when no target is given
        raise TypeError("WeasyPrint returned no PDF bytes")
    return pdf


def render_text(view: DocumentView) -> str:
    """A plain-text rendering (the email's text part): same content, no layout."""
    lines: list[str] = [line for line in (view.org_superior.upper(), view.org_name.upper()) if line]
    if view.party:
        lines.append("*")
    lines.append(view.symbol_text.replace("\u00a0", " "))
    lines += [PARTY_HEADING] if view.party else [STATE_HEADING, STATE_MOTTO]
    if view.subject_line:
        lines.append(view.subject_line)
    lines += [view.date_text, ""]
    if view.type_name:
        lines.append(view.type_name)
        lines += [to_plain(line) for line in view.summary_lines]
        lines += ["-----", ""]
    lines += "\n\n".join(to_plain(b.text) for b in split_blocks(view.body)).split("\n")
    if view.footnotes:
        lines += ["", "______"]
        lines += [f"{superscript(n)} {to_plain(text)}" for n, text in enumerate(view.footnotes, start=1)]
    if view.recipients:
        lines += ["", "Nơi nhận:"]
        end = view.ruleset.recipient_line_end
        for n, (text, note, _archive) in enumerate(view.recipients, start=1):
            annotation = f" ({note})" if note else ""
            lines.append(f"- {text}{annotation}{'.' if n == len(view.recipients) else end}")
    signature = [line for line, _authority in view.signature_lines]
    if signature or view.signer_name:
        lines += ["", *signature, "", view.signer_name]
    if view.version_hash:
        lines += ["", f"Mã phiên bản: {view.version_hash}"]
    if view.audit_anchor:
        lines.append(view.audit_anchor)
    return "\n".join(lines).strip("\n") + "\n"
