"""The plan as a file to download: the issued original when there is one, otherwise the
current version rendered now (a draft carries its version hash and no number)."""

from __future__ import annotations

from dataclasses import dataclass

from documents.docx_render import render_docx
from documents.render import render_html, render_pdf
from documents.views import document_view, pdf_filename
from models.db import Database
from models.errors import Invalid
from models.services import documents

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    media_type: str
    original: bool  # the stored issued file (sealed, as recipients got it), not a fresh render


def official_document(db: Database, plan_id: int, fmt: str) -> Download:
    if fmt not in FORMATS:
        raise Invalid("format", code="document.bad_format", fmt=fmt, formats=FORMATS)
    doc = documents.plan_document(db, plan_id)
    filename = pdf_filename(doc).removesuffix(".pdf") + f".{fmt}"
    stored = documents.stored_document(db, plan_id, doc.version.id or 0, fmt)
    if stored is not None:
        return Download(stored.content, stored.filename, FORMATS[fmt], original=True)
    view = document_view(doc)
    if fmt == "pdf":
        content = render_pdf(view)
    elif fmt == "docx":
        content = render_docx(view)
    else:
        content = render_html(view).encode("utf-8")
    return Download(content, filename, FORMATS[fmt], original=False)


def signatures_vi(db: Database, plan_id: int, anchors_setting: str) -> list[str]:
    """The issued original's digital signatures, verified, one Vietnamese line each; [] while there
    is no issued original or it carries none."""
    from documents.signatures.summary import summary_vi

    doc = documents.plan_document(db, plan_id)
    stored = documents.stored_document(db, plan_id, doc.version.id or 0, "pdf")
    return summary_vi(stored.content, anchors_setting) if stored is not None else []
