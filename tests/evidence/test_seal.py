"""The issued PDF is sealed (PAdES) with the organisation's certificate: pyHanko's validator finds it
intact and trusted; one changed byte in the signed range breaks it."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents.anchors import anchors_in_pdf
from documents.certs import write_seal_certificate
from documents.seal import seal_pdf
from models.db import Database
from models.errors import Invalid
from models.services.directory import load_directory
from models.settings import Settings
from tests.evidence.support import PASSWORD, issue, sealing_settings
from tests.factory import example_config, load_people


def validate(pdf: bytes, ca_pem: bytes) -> PdfSignatureStatus:
    _, _, der = pem.unarmor(ca_pem)
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    [signature] = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    return validate_pdf_signature(signature, context)


def signed_range_end(pdf: bytes) -> int:
    """Where the first signed byte range ends (the signature's /Contents starts)."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", pdf)
    assert match is not None
    return int(match.group(1)) + int(match.group(2))


def test_the_issued_pdf_is_sealed_intact_and_trusted(db: Database, tmp_path: Path) -> None:
    load_people(db)
    cfg, ca = sealing_settings(tmp_path)
    pdf = issue(db, cfg).pdf

    status = validate(pdf, ca)

    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "ĐẢNG ỦY XÃ HÀM LIÊM" in status.signing_cert.subject.human_friendly
    assert anchors_in_pdf(pdf)  # the anchor was printed before the seal covered it

    # One byte of the text WeasyPrint wrote (the producer string), well inside the signed range.
    at = pdf.index(b"WeasyPrint") + 3
    assert at < signed_range_end(pdf)
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    broken = validate(tampered, ca)
    assert not broken.intact and not broken.bottom_line


def test_a_certificate_the_reader_does_not_trust_is_reported(db: Database, tmp_path: Path) -> None:
    load_people(db)
    cfg, _ = sealing_settings(tmp_path)
    other_ca = write_seal_certificate(tmp_path / "other.p12", "Khác").read_bytes()
    status = validate(issue(db, cfg).pdf, other_ca)
    assert status.intact and not status.trusted and not status.bottom_line


def test_an_organisation_seals_with_its_own_certificate(db: Database, tmp_path: Path) -> None:
    config = copy.deepcopy(example_config())
    config["seal"] = {"pkcs12": "certs/hamliem.p12", "password": PASSWORD}  # relative to the data directory
    ca = write_seal_certificate(tmp_path / "certs" / "hamliem.p12", "Văn phòng Đảng ủy xã Hàm Liêm", PASSWORD)
    load_people(db)
    load_directory(db, config)

    pdf = issue(db, Settings(data_dir=tmp_path, seal_pkcs12="", seal_password="")).pdf

    status = validate(pdf, ca.read_bytes())
    assert (
        status.bottom_line and "Văn phòng Đảng ủy xã Hàm Liêm" in status.signing_cert.subject.human_friendly
    )


def test_without_a_certificate_the_pdf_is_not_sealed(db: Database, tmp_path: Path) -> None:
    load_people(db)
    pdf = issue(db, Settings(data_dir=tmp_path, seal_pkcs12="", seal_password="")).pdf
    assert pdf.startswith(b"%PDF") and not PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures


def test_a_wrong_password_or_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    write_seal_certificate(tmp_path / "seal.p12", "X", PASSWORD)
    pdf = b"%PDF-1.7\n"
    with pytest.raises(Invalid) as wrong:
        seal_pdf(pdf, tmp_path / "seal.p12", "sai")
    assert wrong.value.field == "seal_password"
    with pytest.raises(Invalid) as missing:
        seal_pdf(pdf, tmp_path / "none.p12", PASSWORD)
    assert missing.value.field == "seal_pkcs12"


def test_a_bad_seal_table_in_the_config_changes_nothing(db: Database) -> None:
    config = copy.deepcopy(example_config())
    config["seal"] = {"password": "x"}
    with pytest.raises(Invalid) as error:
        load_directory(db, config)
    assert error.value.field == "seal.pkcs12"
