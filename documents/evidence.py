"""The evidence export of one plan as a PDF (templates/evidence/evidence.html.j2, WeasyPrint)."""

from __future__ import annotations

from documents.render import FONT_FAMILY, TEMPLATES_DIR, environment, font_faces
from models.services.evidence import Evidence

TEMPLATE = "evidence/evidence.html.j2"


def render_evidence_html(evidence: Evidence) -> str:
    template = environment().get_template(TEMPLATE)
    return template.render(ev=evidence, font_family=FONT_FAMILY, font_faces=font_faces())


def render_evidence_pdf(evidence: Evidence) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=render_evidence_html(evidence), base_url=str(TEMPLATES_DIR)).write_pdf()
    if not isinstance(pdf, bytes):
        raise TypeError("WeasyPrint returned no PDF bytes")
    return pdf
