"""An issued plan leaves as a signed edXML package: one for each seed, checked with signxml itself."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml.exceptions import InvalidDigest, InvalidSignature
from signxml.verifier import XMLVerifier
from sqlmodel import select

from documents.certs import make_seal_certificate
from documents.seal import check_seal
from exchange import edxml
from exchange.export import export_plan
from exchange.package import Business, Priority
from exchange.xml import NS
from models.db import Database
from models.plans import Plan, RenderedDocument
from models.records import Delivery
from tests.exchange.issued import PASSWORD, SEEDS, STATE_PLAN, Seed, issue, load, settings_for

NOW = datetime(2026, 12, 6, 3, 30, 15, tzinfo=UTC)  # 10:30:15 in Hà Nội


def certificate_of(p12: Path) -> tuple[str, bytes]:
    """The organisation's certificate (PEM) and the CA that issued it, read from its PKCS#12 file."""
    _, cert, extra = pkcs12.load_key_and_certificates(p12.read_bytes(), PASSWORD.encode())
    assert cert is not None
    pem = serialization.Encoding.PEM
    return cert.public_bytes(pem).decode(), extra[0].public_bytes(pem)


def flip(data: bytes, at: int) -> bytes:
    """The first ASCII letter or digit from `at` changed for another: the XML stays well-formed."""
    while not data[at : at + 1].isalnum():
        at += 1
    changed = b"9" if data[at : at + 1] != b"9" else b"8"
    return data[:at] + changed + data[at + 1 :]


@pytest.mark.parametrize("seed", [*SEEDS, STATE_PLAN], ids=lambda s: s.name)
def test_a_package_for_each_seed_verifies_and_reads_back(
    db: Database, db_url: str, tmp_path: Path, seed: Seed
) -> None:
    p12 = load(db, seed, tmp_path)
    cfg = settings_for(tmp_path, db_url)
    plan_id = issue(db, cfg, seed)
    exported = export_plan(db, cfg, plan_id, now=NOW, due=date(2026, 12, 20), priority=Priority.URGENT)
    xml = exported.xml

    root = etree.fromstring(xml)  # well-formed
    assert root.tag == f"{{{NS}}}edXML"
    assert b"<edXML:edXMLEnvelope" in xml and b"<edXML:MessageHeader>" in xml  # the SDK's prefixes

    certificate, ca = certificate_of(p12)
    verified = XMLVerifier().verify(xml, x509_cert=certificate, expect_references=1)
    assert (
        verified.signed_xml is not None and verified.signed_xml.tag == f"{{{NS}}}edXML"
    )  # the whole package

    pages_at = xml.index(b"<edXML:PageAmount>") + len(b"<edXML:PageAmount>")
    with pytest.raises((InvalidDigest, InvalidSignature)):
        XMLVerifier().verify(flip(xml, pages_at), x509_cert=certificate, expect_references=1)
    pdf_at = xml.index(b"ContentTransferEncoded") + 200  # inside the PDF's base64
    with pytest.raises((InvalidDigest, InvalidSignature)):
        XMLVerifier().verify(flip(xml, pdf_at), x509_cert=certificate, expect_references=1)
    stranger = make_seal_certificate("CƠ QUAN KHÁC").pkcs12
    _, other, _ = pkcs12.load_key_and_certificates(stranger, None)
    assert other is not None
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(
            xml, x509_cert=other.public_bytes(serialization.Encoding.PEM).decode(), expect_references=1
        )

    package = edxml.parse(xml)
    assert package == exported.package

    with db.read() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None and plan.number is not None and plan.symbol and plan.signed_at
        pdf = session.exec(
            select(RenderedDocument).where(
                RenderedDocument.plan_id == plan_id, RenderedDocument.format == "pdf"
            )
        ).one()
        deliveries = session.exec(select(Delivery).where(Delivery.plan_id == plan_id)).all()
    number = f"{plan.number:02d}"
    notation = re.sub(rf"^Số:? {number}[-/]", "", plan.symbol)
    assert (package.code_number, package.code_notation) == (number, notation)
    assert (
        package.document_id
        == f"{seed.agency_id},{plan.signed_at.astimezone().date():%Y/%m/%d},{number}/{notation}"
    )
    assert root.findtext(f".//{{{NS}}}MessageHeader/{{{NS}}}DocumentId") == package.document_id
    assert package.sender.organ_id == seed.agency_id
    assert package.business is Business.NEW and package.business_document_id == package.document_id
    assert package.priority is Priority.URGENT and package.due_date == date(2026, 12, 20)
    assert package.traces[0].timestamp == datetime(2026, 12, 6, 10, 30, 15)
    sent = [d for d in deliveries if d.status != "filed" and d.unit_code]
    assert len(package.receivers) == len({d.unit_code for d in sent}) > 0
    assert all(re.fullmatch(r"\d{3}\.\d{2}\.\d{2}\.H37", r.organ_id) for r in package.receivers)
    assert package.to_places and package.to_places[-1].startswith("Lưu")
    assert package.signer.full_name and package.signer.position
    assert package.page_amount >= 1 and package.promulgation_amount == len(
        [d for d in deliveries if d.status != "filed"]
    )

    [attachment] = package.attachments
    assert attachment.content == pdf.content and attachment.content_type == "application/pdf"
    encoded = root.findtext(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment/{{{NS}}}ContentTransferEncoded")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded or ""))) as archive:  # zipped, as the SDK's
        assert archive.namelist() == [pdf.filename] and archive.read(pdf.filename) == pdf.content
    assert check_seal(attachment.content, ca).ok  # the PDF inside is the sealed original
