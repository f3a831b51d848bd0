"""An attachment in its own file gets the organisation's signature as NĐ 30 Phụ lục I puts it: no
image, its number and symbol and the signing time (ISO 8601, +07:00) in 10 pt black text at the
top right of page 1, drawn with the embedded document font."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from asn1crypto import x509

from documents.signatures.attachment import BOX, lines, sign_attachment
from documents.signatures.certificates import Kind
from documents.signatures.keys import FileKey
from documents.signatures.verify import verify_pdf
from models.numbering import VN_TZ
from tests.signatures.pki import LocalPki
from tests.signatures.test_appearance import PX, coloured_box, render

AT = datetime(2026, 12, 7, 9, 30, 5, tzinfo=VN_TZ)


def test_the_signing_text_names_the_number_and_the_time_with_its_offset() -> None:
    assert lines("Số 38-KH/ĐU", AT) == ["Số 38-KH/ĐU", "2026-12-07T09:30:05+07:00"]


def test_an_attachment_is_signed_with_its_text_at_the_top_right_of_page_one(
    pki: LocalPki, anchors: list[x509.Certificate], draft_pdf: bytes, tmp_path: Path
) -> None:
    signed = sign_attachment(
        draft_pdf,
        FileKey(pki.pkcs12("org", "p"), "p"),
        "Số 38-KH/ĐU",
        tsa_url=pki.tsa_url,
        trust_anchors=anchors,
        at=AT,
    )
    [report] = verify_pdf(signed, anchors)
    assert report.ok and report.kind is Kind.organisation and report.field == "PhatHanhPhuLuc", (
        report.problems
    )

    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils is missing: CI must render the signed page (.ci/run installs it)")
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    before = render(draft_pdf, 0, tmp_path / "draft.png")
    after = render(signed, 0, tmp_path / "signed.png")
    # What the signature added: black text inside its box, against the right margin, two lines.
    added = coloured_box(after, lambda p, q: sum(p) < 300 and sum(q) > 700, before)
    page_height = after.height / PX
    x0, top, x1, bottom = added
    assert BOX.x1 <= x0 and x1 <= BOX.x2 + 1 and abs(x1 - BOX.x2) < 3, added
    assert page_height - BOX.y2 <= top and bottom <= page_height - BOX.y1, added
    assert bottom - top > 15  # two lines of 10 pt
