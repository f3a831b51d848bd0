"""PAdES B-LTA: the issued file (personal and organisation signatures) gets a document timestamp over
the whole file; pyHanko validates it on its own, `banhanh document verify` lists it as a third entry.
With `document_timestamp` off (test_interrupted.py) the issued file keeps its two signatures."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import crl, ocsp, x509

from documents.official import signatures_vi
from documents.signatures.keys import TokenKey
from documents.signatures.lta import FIELD, timestamp_document
from documents.signatures.summary import summary_vi
from flows.steps import render_and_store
from models.db import Database
from models.errors import Invalid
from models.lifecycle import State
from models.services import certificates, signature_images
from models.settings import Settings
from tests.factory import CLERK, SIGNER, build, current_hash, load_people
from tests.signatures import test_interrupted as interrupted
from tests.signatures.pki import LocalPki
from tests.signatures.test_appearance import SEAL_PNG
from tests.signatures.test_verify_cli import issued_pdf, verify

cfg, banhanh = interrupted.cfg, interrupted.banhanh  # the installation and its CLI, as fixtures here too


@pytest.fixture(scope="module")
def stamped(pki: LocalPki, anchors: list[x509.Certificate], token_key: TokenKey, draft_pdf: bytes) -> bytes:
    issued = issued_pdf(pki, anchors, token_key, draft_pdf)
    return timestamp_document(issued, tsa_url=pki.tsa_url, trust_anchors=anchors)


def test_the_document_timestamp_covers_the_whole_file_and_its_tsa_is_in_the_dss(
    pki: LocalPki, anchors: list[x509.Certificate], stamped: bytes
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(stamped))
    personal, organisation, timestamp = reader.embedded_signatures
    context = ValidationContext(trust_roots=anchors, allow_fetching=True)
    for signature in (personal, organisation):
        status = validate_pdf_signature(signature, context)
        assert status.intact and status.valid and status.trusted
    assert timestamp.sig_object_type == "/DocTimeStamp" and timestamp.field_name == FIELD
    status = validate_pdf_timestamp(timestamp, context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    dss = DocumentSecurityStore.read_dss(reader)
    tsa = pki.cert("tsa")
    assert tsa.dump() in [cert.dump() for cert in dss.load_certs()]
    answered = set()  # the serials the embedded OCSP answers speak for
    for stream in dss.ocsps:
        response = ocsp.OCSPResponse.load(stream.get_object().data)["response_bytes"]["response"].parsed
        for single in response["tbs_response_data"]["responses"]:
            answered.add(single["cert_id"]["serial_number"].native)
    revoked_lists = [crl.CertificateList.load(stream.get_object().data) for stream in dss.crls]
    issuers = {entry["tbs_cert_list"]["issuer"].dump() for entry in revoked_lists}
    assert tsa.serial_number in answered or tsa.issuer.dump() in issuers, (answered, tsa.serial_number)


def test_verify_lists_the_timestamp_as_a_third_entry(pki: LocalPki, stamped: bytes, tmp_path: Path) -> None:
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(stamped)

    result = verify(pdf, "--json", "--offline", "--trust-anchor", pki.anchor_file())
    assert result.returncode == 0, result.stdout + result.stderr
    reports = json.loads(result.stdout)["signatures"]
    assert [r["kind"] for r in reports] == ["personal", "organisation", "document_timestamp"]
    stamp = reports[2]
    assert stamp["field"] == FIELD and stamp["timestamp_authority"] == "TSA thử nghiệm"
    assert stamp["timestamp"].endswith("+07:00") and stamp["coverage"] == "entire_file"
    assert stamp["intact"] and stamp["chained"] and stamp["ok"]
    assert all(r["ok"] for r in reports[:2])

    text = verify(pdf, "--trust-anchor", pki.anchor_file())
    assert text.returncode == 0, text.stdout + text.stderr
    assert f"{FIELD} · document_timestamp · TSA thử nghiệm" in text.stdout
    assert "covers the whole file" in text.stdout and "all signatures valid" in text.stdout
    *_, line = summary_vi(stamped, str(pki.anchor_file()))
    assert line.startswith("Dấu thời gian cho toàn văn bản") and "; hợp lệ: nguyên vẹn" in line


def test_a_byte_tampered_after_the_organisation_signature_breaks_the_timestamp(
    pki: LocalPki, stamped: bytes, tmp_path: Path
) -> None:
    """One byte of the timestamp's own revision (its field's name): only the timestamp covers it."""
    at = stamped.rindex(FIELD.encode()) + len(FIELD) - 1
    pdf = tmp_path / "tampered.pdf"
    pdf.write_bytes(stamped[:at] + b"X" + stamped[at + 1 :])

    result = verify(pdf, "--json", "--offline", "--trust-anchor", pki.anchor_file())
    assert result.returncode == 1, result.stderr
    reports = json.loads(result.stdout)["signatures"]
    assert [r["kind"] for r in reports] == ["personal", "organisation", "document_timestamp"]
    assert not reports[2]["intact"] and not reports[2]["ok"]
    assert any(p.startswith("not intact") for p in reports[2]["problems"])
    *_, line = summary_vi(pdf.read_bytes(), str(pki.anchor_file()))
    assert "KHÔNG hợp lệ: nội dung đã bị thay đổi" in line


def test_a_silent_tsa_stamps_nothing(anchors: list[x509.Certificate], stamped: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        timestamp_document(stamped, tsa_url="http://127.0.0.1:9/tsa", trust_anchors=anchors)
    assert refused.value.code == "signature.document_timestamp_silent"


def test_a_plan_issued_with_the_setting_on_carries_the_document_timestamp(
    db: Database,
    pki: LocalPki,
    anchors: list[x509.Certificate],
    token_key: TokenKey,
    cfg: Settings,
    banhanh: Any,
) -> None:
    """Signed on the token, issued by the văn thư, rendered by the flow's step: B-LTA."""
    load_people(db, automatic_issuance=False)
    certificates.register(db, SIGNER, pki.pem("person"))
    signature_images.set_seal_image(db, SEAL_PNG.read_bytes(), "hamliem")
    plan_id = build(db, State.APPROVED)
    signed = interrupted.sign_on_token(banhanh, token_key, plan_id, current_hash(db, plan_id))
    assert signed.returncode == 0, signed.stderr
    issued_as = banhanh("plan", "issue", str(plan_id), "--as", CLERK)
    assert issued_as.returncode == 0, issued_as.stderr

    render_and_store(plan_id, db, cfg.model_copy(update={"document_timestamp": True}))
    issued = interrupted.stored(db, plan_id, "pdf")

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    personal, organisation, timestamp = PdfFileReader(io.BytesIO(issued)).embedded_signatures
    context = ValidationContext(trust_roots=anchors, allow_fetching=True)
    for signature in (personal, organisation):
        status = validate_pdf_signature(signature, context)
        assert status.intact and status.valid and status.trusted
    status = validate_pdf_timestamp(timestamp, context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    *_, line = signatures_vi(db, plan_id, cfg.trust_anchors)
    assert line.startswith("Dấu thời gian cho toàn văn bản") and "hợp lệ" in line
