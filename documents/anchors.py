"""Reading the audit anchors printed in a PDF (the issued plan, an evidence export)."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from models.errors import Invalid

# As models.services.audit.anchor_text prints it: "Nhật ký kiểm chứng hamliem #42 · 0123456789abcdef".
ANCHOR_RE = re.compile(r"kiểm chứng\s+(\S+)\s+#(\d+)\s*·\s*([0-9a-f]{16})")


@dataclass(frozen=True)
class Anchor:
    org_key: str
    seq: int
    head: str  # the printed prefix of the head hash


def anchors_in_text(text: str) -> list[Anchor]:
    found = ANCHOR_RE.findall(unicodedata.normalize("NFC", text))
    return list(dict.fromkeys(Anchor(org, int(seq), head) for org, seq, head in found))


def anchors_in_pdf(data: bytes, name: str = "pdf") -> list[Anchor]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        # A document signed before its issuance carries the head in a form field filled then.
        fields = reader.get_fields() or {}
        text += "\n" + "\n".join(str(f.get("/V", "")) for f in fields.values())
    except PdfReadError as error:
        raise Invalid(name, code="pdf.unreadable", detail=error) from error
    anchors = anchors_in_text(text)
    if not anchors:
        raise Invalid(name, code="audit.no_anchor")
    return anchors
