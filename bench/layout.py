"""The PDF rule check: a rendered document read back and compared with its rule set.

`check_pdf` reads the PDF with pdfplumber (every word with its font, size and position, and the
rules drawn on the page) and checks the parts of NĐ 30 Phụ lục I (state) or HD36 / 05-HD/VPTW
(Party) that `models.rulesets` holds: margins, the header's two columns, sizes, weights and
styles of each part, the rules under the issuer and the heading, the type line and trích yếu
centred, Nơi nhận and the signature block, page numbers from page 2. It names each breach with
the page, the part and the rule. `python -m bench.layout` runs it on every corpus document the
importer takes and on both seeds; the tests hold it at zero breaches.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from documents.plain_text import parse
from documents.render import DocumentView, render_pdf
from models.errors import Invalid
from models.rulesets import RuleSet

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "documents" / "corpus"
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
MM = 72 / 25.4
_TOLERANCE = 1.5  # pt: positions measured off the page
# WeasyPrint breaks lines with Pango's rounded advances; the PDF's exact widths put the end of a
# justified line up to 2.3 pt past the margin (measured on the corpus), less than a letter's width.
_RIGHT_TOLERANCE = 3.0
_SMALL = 9.5  # pt: the version hash and audit anchor in the bottom margin, not the document's text
_RULE_MAX = 1.6  # pt: a filled box this thin is a rule line


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str

    @property
    def bold(self) -> bool:
        return "Bold" in self.font

    @property
    def italic(self) -> bool:
        return "Italic" in self.font


@dataclass(frozen=True)
class TextLine:
    """Words of one column at one height (the two header columns are two lines)."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Rule:
    page: int
    x0: float
    x1: float
    y: float


@dataclass(frozen=True)
class Breach:
    page: int
    part: str
    rule: str
    found: str

    def __str__(self) -> str:
        return f"page {self.page}, {self.part}: {self.rule} (found {self.found})"


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[TextLine, ...]
    rules: tuple[Rule, ...]


def read_pages(pdf: bytes, rules: RuleSet) -> list[Page]:
    import pdfplumber

    pages: list[Page] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for n, page in enumerate(document.pages, start=1):
            left = rules.margins.left[0] * MM
            width = page.width - left - rules.margins.right[0] * MM
            # The header's columns split the text width 40/60, the closing table's 45/55.
            columns = (left + 0.4 * width, left + 0.45 * width)
            raw = page.extract_words(extra_attrs=["fontname", "size"], use_text_flow=True)
            words = [
                Word(
                    n, w["text"], w["x0"], w["x1"], w["top"], w["bottom"], round(w["size"], 1), w["fontname"]
                )
                for w in raw
            ]
            lines = tuple(_lines(words, columns))
            drawn = (*_rules(n, page.rects), *(Rule(n, ln["x0"], ln["x1"], ln["top"]) for ln in page.lines))
            pages.append(Page(n, page.width, page.height, lines, drawn))
    return pages


def _lines(words: Sequence[Word], columns: Sequence[float]) -> Iterator[TextLine]:
    """Words in reading order grouped into lines: same height, and no column boundary (the
    header's or the closing table's) in a gap between them. A blank number's gap is no boundary."""
    current: list[Word] = []
    for word in words:
        if current:
            before = current[-1]
            gap = word.x0 - before.x1 > 12 and any(before.x1 <= b + 2 and word.x0 >= b - 2 for b in columns)
            if abs(word.top - before.top) > 2 or gap:
                yield TextLine(tuple(current))
                current = []
        current.append(word)
    if current:
        yield TextLine(tuple(current))


def _rules(page: int, rects: Iterable[dict[str, Any]]) -> Iterator[Rule]:
    """Thin filled boxes, and borders drawn as a box filled around a slightly smaller one."""
    boxes = [(r["x0"], r["x1"], r["top"], r["bottom"]) for r in rects]
    for x0, x1, top, bottom in boxes:
        if bottom - top <= _RULE_MAX:
            yield Rule(page, x0, x1, top)
    for (x0, x1, top, bottom), (a0, a1, atop, abottom) in _pairs(boxes):
        same_box = abs(x0 - a0) < 0.5 and abs(x1 - a1) < 0.5 and abs(top - atop) < 0.5
        if same_box and 0 < abottom - bottom <= _RULE_MAX:
            yield Rule(page, x0, x1, bottom)


def _pairs(boxes: Sequence[tuple[float, float, float, float]]) -> Iterator[tuple[Any, Any]]:
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            yield (a, b) if a[3] <= b[3] else (b, a)


def _squeeze(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


class _Checker:
    def __init__(self, pages: Sequence[Page], view: DocumentView) -> None:
        self.pages = pages
        self.view = view
        self.rules: RuleSet = view.ruleset
        self.breaches: list[Breach] = []
        first = pages[0]
        margins = self.rules.margins
        self.left = margins.left[0] * MM
        self.right = first.width - margins.right[0] * MM
        self.centre = (self.left + self.right) / 2
        self.closing_split = self.left + 0.45 * (self.right - self.left)  # Nơi nhận | signature

    def breach(self, line: TextLine | None, part: str, rule: str, found: object) -> None:
        self.breaches.append(Breach(line.page if line else 1, part, rule, str(found)))

    # -- finding the parts ---------------------------------------------------------------

    def find(self, text: str, page: int = 1, after: float = -1.0) -> TextLine | None:
        """The first line of `page` below `after` where `text` starts (spaces squeezed)."""
        found = self.find_block(text, page, after)
        return found[0] if found else None

    def find_block(self, text: str, page: int = 1, after: float = -1.0) -> list[TextLine]:
        """The lines `text` takes from its first one below `after`: it may wrap over several,
        each under the one above in the same column."""
        wanted = _squeeze(text)
        lines = self.pages[page - 1].lines
        for n, line in enumerate(lines):
            got = _squeeze(line.text)
            if line.top <= after or not (wanted.startswith(got) or got.startswith(wanted)) or not got:
                continue
            block = [line]
            for following in lines[n + 1 :]:
                if (
                    len(" ".join(ln.text for ln in block)) >= len(wanted)
                    or following.top - block[-1].bottom > 12
                ):
                    break
                if following.x0 < block[-1].x1 and following.x1 > block[-1].x0:  # the same column
                    block.append(following)
            return block
        return []

    def last_page(self) -> Page:
        return self.pages[-1]

    # -- the checks -----------------------------------------------------------------------

    def style(self, line: TextLine | None, part: str, size: float, bold: bool, italic: bool = False) -> None:
        if line is None:
            self.breach(None, part, "is printed", "nothing")
            return
        for word in line.words:
            if abs(word.size - size) > 0.2:
                self.breach(line, part, f"{size:g} pt", f"{word.size:g} pt in '{line.text}'")
                return
            if word.bold != bold:
                self.breach(line, part, "bold" if bold else "not bold", f"'{line.text}'")
                return
            if word.italic != italic:
                self.breach(line, part, "italic" if italic else "upright", f"'{line.text}'")
                return

    def margins(self) -> None:
        top_margin = self.rules.margins.top[0] * MM
        bottom_margin = self.rules.margins.bottom[0] * MM
        for page in self.pages:
            for line in page.lines:
                if min(w.size for w in line.words) < _SMALL:
                    continue  # the version hash and audit anchor, in the bottom margin
                is_page_number = line.text.isdigit() and line.bottom < top_margin
                if is_page_number:
                    continue
                if line.x0 < self.left - _TOLERANCE or line.x1 > self.right + _RIGHT_TOLERANCE:
                    self.breach(line, "text", "inside the left and right margins", f"'{line.text[:40]}'")
                if (
                    line.top < top_margin - _TOLERANCE
                    or line.bottom > page.height - bottom_margin + _TOLERANCE
                ):
                    self.breach(line, "text", "inside the top and bottom margins", f"'{line.text[:40]}'")

    def page_numbers(self) -> None:
        top_margin = self.rules.margins.top[0] * MM
        for page in self.pages:
            numbers = [line for line in page.lines if line.text.isdigit() and line.bottom < top_margin]
            if page.number == 1:
                if numbers:
                    self.breach(numbers[0], "page number", "none on page 1", numbers[0].text)
                continue
            if [line.text for line in numbers] != [str(page.number)]:
                self.breach(
                    None, "page number", f"'{page.number}' in the top margin", [n.text for n in numbers]
                )
                continue
            self.style(numbers[0], "page number", self.rules.sizes.page_number, bold=False)
            if abs(numbers[0].centre - self.centre) > 3:
                self.breach(numbers[0], "page number", "centred", f"x {numbers[0].centre:.0f}")

    def header(self) -> None:
        view, sizes = self.view, self.rules.sizes
        split = self.left + (self.right - self.left) * 0.4
        heading = self.find(self.rules.heading_lines[0])
        self.style(heading, "heading", sizes.heading, bold=True)
        if heading is not None and heading.x0 < split - 5:
            self.breach(heading, "heading", "in the right column", f"x {heading.x0:.0f}")
        under_heading = self.rule_under(heading)
        if view.party and under_heading is None:
            self.breach(heading, "heading", "a rule under 'ĐẢNG CỘNG SẢN VIỆT NAM'", "none")
        if not view.party:
            if under_heading is not None:
                self.breach(heading, "Quốc hiệu", "no rule under it (the rule is the Tiêu ngữ's)", "a rule")
            motto = self.find(self.rules.heading_lines[1])
            self.style(motto, "Tiêu ngữ", sizes.motto, bold=True)
            rule = self.rule_under(motto)
            if motto is not None and (rule is None or abs((rule.x1 - rule.x0) - (motto.x1 - motto.x0)) > 4):
                self.breach(motto, "Tiêu ngữ", "a rule under it as long as it", rule)
        if view.org_superior:
            self.left_block(view.org_superior.upper(), "superior body", sizes.issuer, bold=False)
        if view.org_name:
            self.under_issuer(self.left_block(view.org_name.upper(), "issuer", sizes.issuer, bold=True))
        number = self.find(view.symbol_text)
        self.style(number, "number", sizes.number, bold=False)
        self.left_column(number, "number", split)
        if number is not None and not _squeeze(number.text).startswith(self.rules.number_prefix.strip()):
            self.breach(number, "number", f"starts with '{self.rules.number_prefix}'", number.text)
        date = self.find(view.date_text)
        self.style(date, "place and date", sizes.date, bold=False, italic=True)
        if date is not None and date.x0 < split - 5:
            self.breach(date, "place and date", "in the right column", f"x {date.x0:.0f}")
        if view.subject_line:
            after = number.top if number else -1
            self.left_block(
                view.subject_line, "công văn trích yếu", 12, bold=False, italic=view.party, after=after
            )

    def left_block(
        self, text: str, part: str, size: float, bold: bool, italic: bool = False, after: float = -1
    ) -> list[TextLine]:
        """The lines of a header part in the left column, each in its size and style."""
        block = self.find_block(text, after=after)
        if not block:
            self.breach(None, part, "is printed", "nothing")
        for line in block:
            self.style(line, part, size, bold=bold, italic=italic)
            self.left_column(line, part, self.left + (self.right - self.left) * 0.4)
        return block

    def left_column(self, line: TextLine | None, part: str, split: float) -> None:
        if line is not None and line.x1 > split + 5:
            self.breach(line, part, "in the left column", f"x {line.x1:.0f}")

    def rule_under(self, line: TextLine | None) -> Rule | None:
        if line is None:
            return None
        for rule in self.pages[line.page - 1].rules:
            if line.bottom - 4 <= rule.y <= line.bottom + 6 and rule.x0 < line.x1 and rule.x1 > line.x0:
                return rule
        return None

    def under_issuer(self, lines: Sequence[TextLine]) -> None:
        if not lines:
            return
        issuer = lines[-1]
        if self.view.party:
            star = next((ln for ln in self.pages[0].lines if ln.text == "*" and ln.top > issuer.top), None)
            if star is None or abs(star.centre - issuer.centre) > 6:
                self.breach(issuer, "issuer", "a '*' centred under it", star)
            return
        page = self.pages[0]
        below = [
            r for r in page.rules if issuer.bottom - 2 <= r.y <= issuer.bottom + 12 and r.x1 < self.centre
        ]
        rule = min(below, key=lambda r: r.y, default=None)
        if rule is None:
            self.breach(issuer, "issuer", "a short rule under it", "none")
            return
        # NĐ 30 Phụ lục I: a solid rule from a third to half as long as the name's line above it.
        width, centre = rule.x1 - rule.x0, (rule.x0 + rule.x1) / 2
        name = max(line.x1 - line.x0 for line in lines)
        if not name / 3 - 2 <= width <= name / 2 + 2:
            self.breach(
                issuer,
                "issuer",
                "a rule a third to half as long as the name",
                f"{width:.0f} of {name:.0f} pt",
            )
        if abs(centre - issuer.centre) > 6:
            self.breach(issuer, "issuer", "its rule centred under it", f"{centre - issuer.centre:+.0f} pt")

    def title(self) -> None:
        view, sizes = self.view, self.rules.sizes
        if not view.type_name:
            return
        kind = self.find(view.type_name)
        self.style(kind, "type name", sizes.type_name, bold=True)
        if kind is not None and abs(kind.centre - self.centre) > 3:
            self.breach(kind, "type name", "centred", f"{kind.centre - self.centre:+.0f} pt")
        summary = self.find(
            _squeeze(view.summary_lines[0]).replace("*", ""), after=kind.bottom if kind else -1
        )
        if summary is None:
            self.breach(kind, "trích yếu", "under the type name", "nothing")
            return
        if not all(w.bold for w in summary.words):
            self.breach(summary, "trích yếu", "bold", f"'{summary.text}'")
        if abs(summary.centre - self.centre) > 3:
            self.breach(summary, "trích yếu", "centred", f"{summary.centre - self.centre:+.0f} pt")

    def closing(self) -> None:
        view, sizes = self.view, self.rules.sizes
        page = self.last_page()
        authority_lines = view.signature_lines
        if not authority_lines:
            return
        first_text = authority_lines[0][0]
        signature = self.find(first_text, page=page.number)
        if signature is None:
            self.breach(None, "signature", "on the last page", "not found")
            return
        after = signature.top - 1
        for text, is_authority in authority_lines:
            line = self.find(text, page=page.number, after=after)
            if line is None:
                self.breach(signature, "signature", f"the line '{text}'", "nothing")
                continue
            bold = is_authority or self.rules.signer_title_bold
            self.style(line, "signature", sizes.signature, bold=bold)
            if line.x0 < self.closing_split - 2:
                self.breach(line, "signature", "in the right column", f"x {line.x0:.0f}")
            after = line.top
        if view.signer_name:
            name = self.find(view.signer_name, page=page.number, after=after)
            self.style(name, "signer's name", sizes.signature, bold=True)
            if name is not None and name.top - after < 15 * MM:
                self.breach(
                    name, "signer's name", "room for the signature and seal above it", name.top - after
                )
        if not view.recipients:
            return
        label = self.find("Nơi nhận:", page=page.number)
        if label is None:
            self.breach(None, "Nơi nhận", "on the last page", "not found")
            return
        underline = self.rules.recipients_label_style == "underline"
        self.style(label, "Nơi nhận", sizes.recipients_label, bold=not underline, italic=not underline)
        if underline and self.rule_under(label) is None:
            self.breach(label, "Nơi nhận", "underlined", "no rule")
        if abs(label.x0 - self.left) > _TOLERANCE:
            self.breach(label, "Nơi nhận", "at the left margin", f"x {label.x0:.0f}")
        if abs(label.top - signature.top) > 2:
            self.breach(
                label, "Nơi nhận", "level with the signing authority", f"{label.top - signature.top:+.0f} pt"
            )
        entries = [
            ln for ln in page.lines if ln.top > label.top and ln.x1 < self.centre and ln.text.startswith("-")
        ]
        for entry in entries:
            self.style(entry, "Nơi nhận entry", sizes.recipients, bold=False)


def check_pdf(pdf: bytes, view: DocumentView) -> list[Breach]:
    """Every breach of the view's rule set in the PDF rendered from it; [] when there is none."""
    checker = _Checker(read_pages(pdf, view.ruleset), view)
    checker.margins()
    checker.page_numbers()
    checker.header()
    checker.title()
    checker.closing()
    return checker.breaches


# -- the corpus and the seeds ------------------------------------------------------------------


def corpus_view(path: Path) -> DocumentView:
    """A corpus document as the system would print it: imported, with the header it was read with
    (issuer and superior body as read, the number left blank for signing)."""
    text = path.read_text(encoding="utf-8")
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    parsed = parse(text)
    header = parsed.header
    party = expected["kind"] == "party"  # the hand-written file says whose document it is
    code = re.sub(r"[^A-Za-zĐđ]", "", (header.symbol or "").split("/")[-1].split("-")[-1]) or "VP"
    return DocumentView.from_draft(
        parsed.draft,
        org_superior=header.superior_body or "",
        org_name=header.issuer or "",
        party=party,
        org_code=code,
        place=header.place or "",
    )


def corpus_documents() -> list[tuple[str, DocumentView]]:
    """(name, view) of every corpus document the importer takes, of the two seeds and of the
    commune People's Committee's plan (examples/ke-hoach-ubnd-hamliem.txt)."""
    from tests.documents.seeds import view_000, view_004, view_state

    views = [("seed-000", view_000()), ("seed-004", view_004()), ("state-plan", view_state())]
    for path in sorted(CORPUS.glob("*.txt")):
        try:
            views.append((path.stem, corpus_view(path)))
        except Invalid:
            continue  # a fragment without a body, or a copy without its header: not importable
    return views


def main(argv: Sequence[str]) -> int:
    documents = corpus_documents()
    failing = 0
    for name, view in documents:
        breaches = check_pdf(render_pdf(view), view)
        failing += bool(breaches)
        mark = "ok" if not breaches else f"{len(breaches)} breach(es)"
        print(f"{name:62} {'Party' if view.party else 'state':5} {view.doc_type:4} {mark}")
        for breach in breaches:
            print(f"    {breach}")
    print(f"\n{len(documents)} documents rendered and read back, {failing} with a breach of their rule set")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
