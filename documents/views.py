"""From the stored plan to what the renderers print."""

from __future__ import annotations

import re
import unicodedata

from documents.render import DocumentView
from models.content import recipients_from_json, short_hash
from models.numbering import VN_TZ, date_line
from models.services.documents import PlanDocument


def document_view(doc: PlanDocument) -> DocumentView:
    plan, version, org = doc.plan, doc.version, doc.org
    signature = plan.signed_signature or version.signature or {}  # a delegate's block once signed
    signer_name = ""
    if signature:
        signer_name = str(signature.get("signer_name") or "")
    return DocumentView(
        org_superior=org.superior,
        org_name=org.name,
        party=org.system == "party",
        symbol=plan.symbol or "",
        doc_type=plan.doc_type,
        org_code=org.code,
        date_line=date_line(org.place, plan.signed_at) if plan.signed_at else "",
        summary_lines=tuple(version.summary_lines) or (version.title,),
        body=version.body,
        footnotes=tuple(version.footnotes),
        recipients=tuple((r.text, r.annotation, r.archive) for r in recipients_from_json(version.recipients)),
        sign_form=str(signature.get("form", "")),
        sign_collective=str(signature.get("collective", "")),
        sign_title=str(signature.get("title", "")),
        signer_name=signer_name,
        version_hash=short_hash(version.content_hash),
        audit_anchor=doc.anchor,
        place=org.place,
        rules_on=plan.signed_at.astimezone(VN_TZ).date() if plan.signed_at else None,
    )


def pdf_filename(doc: PlanDocument) -> str:
    """'KH-01-DU.pdf' style: ASCII, so every mail client shows it."""
    ascii_code = unicodedata.normalize("NFKD", doc.org.code.replace("Đ", "D").replace("đ", "d"))
    ascii_code = re.sub(r"[^A-Za-z0-9]+", "", ascii_code.encode("ascii", "ignore").decode())
    number = f"{doc.plan.number:02d}" if doc.plan.number else "du-thao"
    return f"{doc.plan.doc_type}-{number}-{ascii_code}.pdf"
