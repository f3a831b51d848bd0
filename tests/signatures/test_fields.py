"""The personal signature certifies with DocMDP "fill forms": the number and date fields filled
afterwards, and the organisation's signature, leave it valid; any other change does not."""

from __future__ import annotations

import io

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader

from documents.signatures.certificates import Kind
from documents.signatures.fields import add_text_fields, fill_text_fields
from documents.signatures.keys import FileKey, TokenKey
from documents.signatures.sign import sign_pdf
from documents.signatures.verify import verify_pdf
from tests.signatures.pki import LocalPki

FIELDS = {"SoHieu": (60.0, 740.0, 260.0, 756.0), "NgayBanHanh": (300.0, 740.0, 540.0, 756.0)}
NUMBER = "Số 38-KH/ĐU"
DATE = "Hàm Liêm, ngày 07 tháng 12 năm 2026"


def test_number_and_date_filled_after_the_personal_signature_then_the_organisation_signs(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    personal = sign_pdf(
        add_text_fields(draft_pdf, FIELDS),
        token_key,
        kind=Kind.personal,
        tsa_url=pki.tsa_url,
        trust_anchors=anchors,
    )
    filled = fill_text_fields(personal, {"SoHieu": NUMBER, "NgayBanHanh": DATE})
    issued = sign_pdf(
        filled,
        FileKey(pki.pkcs12("org", "p"), "p"),
        kind=Kind.organisation,
        tsa_url=pki.tsa_url,
        trust_anchors=anchors,
    )

    first, second = verify_pdf(issued, anchors)
    assert first.ok and second.ok, (first.problems, second.problems)
    assert first.modification == "form_filling" and first.docmdp_ok
    fields = PdfFileReader(io.BytesIO(issued), strict=False).root["/AcroForm"]["/Fields"]
    values = {str(f.get_object()["/T"]): str(f.get_object().get("/V", "")) for f in fields}
    assert values["SoHieu"] == NUMBER and values["NgayBanHanh"] == DATE


def test_a_change_beyond_filling_fields_fails_the_personal_signature(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    personal = sign_pdf(draft_pdf, token_key, kind=Kind.personal, tsa_url=pki.tsa_url, trust_anchors=anchors)
    changed = add_text_fields(personal, {"ThemVao": (60.0, 60.0, 200.0, 76.0)})  # a new field on the page

    [report] = verify_pdf(changed, anchors)
    assert report.intact and not report.ok
    assert any(
        problem.startswith("changed after signing beyond filling form fields") for problem in report.problems
    )
