"""A multi-line authority block (TM. / KT. / title) is imported line by line and printed line by line
in the PDF, the DOCX and the HTML."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from pypdf import PdfReader

from documents.docx_render import render_docx
from documents.plain_text import parse
from documents.render import DocumentView, render_html, render_pdf, render_text
from tests.documents.state_plan import AUTHORITY_LINES, STATE_PLAN

JOINED = "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"


@pytest.fixture(scope="module")
def view() -> DocumentView:
    return DocumentView.from_draft(
        parse(STATE_PLAN).draft,
        org_superior="ỦY BAN NHÂN DÂN HUYỆN HÀM THUẬN BẮC",
        org_name="ỦY BAN NHÂN DÂN XÃ HÀM LIÊM",
        party=False,
        doc_type="KH",
        org_code="UBND",
        place="Hàm Liêm",
    )


def test_the_authority_lines_are_imported_in_order() -> None:
    draft = parse(STATE_PLAN).draft
    assert (draft.sign_form, draft.sign_collective) == ("TM.", "ỦY BAN NHÂN DÂN")
    assert draft.sign_lines == AUTHORITY_LINES
    assert draft.signer_name == "Lê Văn Phó"


def _lines_in_order(lines: list[str]) -> None:
    stripped = [" ".join(line.split()) for line in lines]
    assert JOINED not in " | ".join(stripped)
    start = stripped.index(AUTHORITY_LINES[0])
    assert stripped[start : start + 3] == list(AUTHORITY_LINES), stripped[start : start + 3]


def test_pdf_prints_three_lines(view: DocumentView) -> None:
    reader = PdfReader(io.BytesIO(render_pdf(view)))
    lines = [line for page in reader.pages for line in page.extract_text().split("\n")]
    _lines_in_order(lines)


def test_docx_prints_three_paragraphs(view: DocumentView) -> None:
    document = Document(io.BytesIO(render_docx(view)))
    signature_cell = document.tables[-1].rows[0].cells[-1]
    _lines_in_order([p.text for p in signature_cell.paragraphs if p.text.strip()])


def test_html_and_text_print_three_lines(view: DocumentView) -> None:
    html = render_html(view)
    cell = html[html.index('<td class="r">', html.index('class="ftr"')) :]
    divs = re.findall(r"<div class=\"[^\"]*\">.*?</div>", cell)
    printed = [re.sub(r"<[^>]+>", "", div).strip() for div in divs]
    _lines_in_order([line for line in printed if line])
    _lines_in_order(render_text(view).split("\n"))
