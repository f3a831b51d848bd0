"""Signing on a real SoftHSM2 token and with a PKCS#12 file against a real test PKI (OCSP, CRLs, TSA
on a local port), and pyHanko's validator reading the result; each refusal with a clear error."""

from __future__ import annotations

import io
import re
import socket
from dataclasses import replace
from datetime import timedelta

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

from documents.signatures.certificates import Kind
from documents.signatures.keys import FileKey, TokenKey
from documents.signatures.sign import sign_pdf
from documents.signatures.verify import verify_pdf
from models.errors import Invalid
from tests.signatures.pki import ORG, PERSON, LocalPki

P12_PASSWORD = "mat-khau"


def sign_personal(
    pdf: bytes, key: TokenKey | FileKey, pki: LocalPki, anchors: list[x509.Certificate]
) -> bytes:
    return sign_pdf(
        pdf, key, kind=Kind.personal, tsa_url=pki.tsa_url, trust_anchors=anchors, reason="Ký duyệt"
    )


def tamper(pdf: bytes) -> bytes:
    """One changed byte of the text WeasyPrint wrote, well inside the first signed byte range."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", pdf)
    assert match is not None
    at = pdf.index(b"WeasyPrint") + 3
    assert at < int(match.group(1)) + int(match.group(2))
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def test_signed_on_the_token_it_verifies_intact_timestamped_chained_with_revocation_data(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    signed = sign_personal(draft_pdf, token_key, pki, anchors)

    [report] = verify_pdf(signed, anchors)
    assert report.ok, report.problems
    assert (report.signer, report.kind, report.field) == (PERSON, Kind.personal, "KyDuyet")
    assert report.serial == format(pki.cert("person").serial_number, "x")
    assert report.intact and report.modification == "lta_updates"  # the DSS revision B-LT appends
    assert report.timestamp_ok and report.timestamp_authority == "TSA thử nghiệm"
    assert report.timestamp is not None and report.timestamp.utcoffset() == timedelta(hours=7)
    assert report.signing_time == report.timestamp
    assert report.chained and report.anchor == "Root CA thử nghiệm"
    assert report.revocation == "good" and report.revocation_embedded
    # certified with DocMDP "fill forms": the number, the date and the organisation's signature may follow
    [embedded] = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures
    assert embedded.docmdp_level == MDPPerm.FILL_FORMS

    # offline, on the embedded revocation data alone, at the time of the timestamp
    [offline] = verify_pdf(signed, anchors, online=False)
    assert offline.ok and offline.revocation == "good", offline.problems


def test_the_organisation_signs_after_the_person_and_both_verify(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    personal = sign_personal(draft_pdf, token_key, pki, anchors)
    issued = sign_pdf(
        personal,
        FileKey(pki.pkcs12("org", P12_PASSWORD), P12_PASSWORD),
        kind=Kind.organisation,
        tsa_url=pki.tsa_url,
        trust_anchors=anchors,
    )

    first, second = verify_pdf(issued, anchors)
    assert first.ok and second.ok, (first.problems, second.problems)
    assert first.kind is Kind.personal and first.modification == "form_filling"
    assert (second.signer, second.kind, second.field) == (ORG, Kind.organisation, "PhatHanh")
    assert second.revocation_embedded and second.timestamp_ok


def test_a_wrong_pin_is_refused_naming_the_pin(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    with pytest.raises(Invalid) as refused:
        sign_personal(draft_pdf, replace(token_key, pin="000000"), pki, anchors)
    assert refused.value.field == "pin" and "refused the PIN" in refused.value.reason


def test_an_unknown_key_label_is_refused_naming_it(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    with pytest.raises(Invalid) as refused:
        sign_personal(draft_pdf, replace(token_key, key_label="someone-else"), pki, anchors)
    assert refused.value.field == "key_label"


@pytest.mark.parametrize(("label", "reason"), [("expired", "expired on"), ("revoked", "is revoked")])
def test_an_expired_or_revoked_certificate_signs_nothing(
    pki: LocalPki, anchors: list[x509.Certificate], draft_pdf: bytes, label: str, reason: str
) -> None:
    """Expired: refused before signing; revoked: the OCSP responder says so while signing."""
    with pytest.raises(Invalid) as refused:
        sign_personal(draft_pdf, FileKey(pki.pkcs12(label, P12_PASSWORD), P12_PASSWORD), pki, anchors)
    assert refused.value.field == "certificate" and reason in refused.value.reason


def signed_without_checks(pdf: bytes, pki: LocalPki, label: str) -> bytes:
    """A timestamped signature made by pyHanko alone, as another tool would, without revocation checks."""
    signer = signers.SimpleSigner.load_pkcs12(
        pki.pkcs12(label, P12_PASSWORD), passphrase=P12_PASSWORD.encode()
    )
    assert signer is not None
    meta = signers.PdfSignatureMetadata(field_name="KyDuyet", subfilter=SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamps.HTTPTimeStamper(pki.tsa_url))
    return bytes(pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getbuffer())


def test_verify_reports_a_revoked_certificate_as_the_ocsp_responder_says(
    pki: LocalPki, anchors: list[x509.Certificate], draft_pdf: bytes
) -> None:
    [report] = verify_pdf(signed_without_checks(draft_pdf, pki, "revoked"), anchors)

    assert not report.ok and report.intact
    assert report.revocation.startswith("revoked since") and "key_compromise" in report.revocation
    assert any("revoked" in problem for problem in report.problems)
    assert any("no revocation data embedded" in problem for problem in report.problems)
    # offline there is nothing to check it with: not trusted either
    [offline] = verify_pdf(signed_without_checks(draft_pdf, pki, "revoked"), anchors, online=False)
    assert not offline.ok and not offline.chained and offline.revocation == "unknown"


def test_verify_names_a_byte_changed_after_signing(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    [report] = verify_pdf(tamper(sign_personal(draft_pdf, token_key, pki, anchors)), anchors)

    assert not report.ok and not report.intact
    assert report.problems[0] == "not intact: the signed bytes were changed after signing"


def test_a_signature_is_trusted_only_through_a_configured_anchor(
    pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes
) -> None:
    signed = sign_personal(draft_pdf, token_key, pki, anchors)
    [report] = verify_pdf(signed, [pki.cert("tsa")])  # a certificate, but not the signer's root

    assert not report.ok and not report.chained and report.anchor == ""
    with pytest.raises(Invalid) as refused:
        verify_pdf(signed, [])
    assert refused.value.field == "trust_anchors"


def test_signing_needs_a_chain_to_an_anchor_and_an_answering_tsa(
    pki: LocalPki, anchors: list[x509.Certificate], draft_pdf: bytes
) -> None:
    key = FileKey(pki.pkcs12("person", P12_PASSWORD), P12_PASSWORD)
    with pytest.raises(Invalid) as refused:
        sign_personal(draft_pdf, key, pki, [pki.cert("tsa")])  # a certificate, but not the signer's root
    assert refused.value.field == "certificate" and "does not chain to a trust anchor" in refused.value.reason

    with socket.socket() as closed:  # a port nothing listens on once the socket is closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(Invalid) as refused:
        sign_pdf(
            draft_pdf, key, kind=Kind.personal, tsa_url=f"http://127.0.0.1:{port}/tsa", trust_anchors=anchors
        )
    assert refused.value.field == "tsa_url" and "did not answer" in refused.value.reason
