"""Status messages are produced and read back, each code; the parsers refuse what is not one."""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
from lxml import etree

from exchange import business, edxml, status
from exchange.package import Attachment, Business, Organ, Package, Priority, Signer, Staff, Trace
from exchange.status import StatusCode
from exchange.xml import NS, SOAP
from models.errors import Invalid

SENDER = Organ("000.00.22.H37", "ỦY BAN NHÂN DÂN XÃ HÀM LIÊM", in_charge="ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG")
RECEIVER = Organ("001.00.21.H37", "Sở Văn hóa, Thể thao và Du lịch", email="svhttdl@lamdong.example.vn")
PACKAGE = Package(
    sender=SENDER,
    receivers=(RECEIVER,),
    code_number="01",
    code_notation="KH-UBND",
    place="Hàm Liêm",
    promulgation_date=date(2026, 12, 6),
    type_code=1,
    type_name="Kế hoạch",
    subject="Kế hoạch tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
    content="Kế hoạch tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
    signer=Signer("TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Hải"),
    due_date=None,
    to_places=("Như trên;", "Lưu: VT, VX."),
    priority=Priority.NORMAL,
    sphere="",
    typer_notation="NTL",
    promulgation_amount=1,
    page_amount=2,
    steering_type=0,
    traces=(Trace(SENDER.organ_id, datetime(2026, 12, 6, 10, 0, 0)),),
    business=Business.NEW,
    business_reason="Văn bản điện tử mới",
    business_document_id="000.00.22.H37,2026/12/06,01/KH-UBND",
    staff=Staff(department="Văn phòng", staff="Nguyễn Thị Lan", email="vanphong@ubnd-hamliem.example.vn"),
    attachments=(
        Attachment("cid:1", "KH-01-UBND.pdf", "application/pdf", "Kế hoạch 01/KH-UBND", b"%PDF-1.7\n"),
    ),
)


@pytest.mark.parametrize("code", list(StatusCode), ids=lambda c: c.value)
def test_each_status_round_trips(code: StatusCode) -> None:
    message = status.answer(
        PACKAGE,
        RECEIVER,
        code,
        "Đã vào sổ văn bản đến số 125" if code is StatusCode.RECEIVED else "",
        datetime(2026, 12, 6, 14, 5, 9),
        Staff(
            department="Văn thư", staff="Lê Thị Mai", mobile="0912000001", email="vanthu@lamdong.example.vn"
        ),
    )
    xml = status.build(message)
    root = etree.fromstring(xml)
    assert root.tag == f"{{{SOAP}}}Envelope"
    assert root.findtext(f"{{{SOAP}}}Header/{{{NS}}}Status/{{{NS}}}StatusCode") == code.value
    assert root.findtext(f".//{{{NS}}}ResponseFor/{{{NS}}}DocumentId") == PACKAGE.document_id
    assert root.findtext(f".//{{{NS}}}Timestamp") == "06/12/2026 14:05:09"
    assert status.parse(xml) == message


def test_the_codes_are_the_standards() -> None:
    assert [c.value for c in StatusCode] == ["01", "02", "03", "04", "05", "06", "13", "15", "16"]


def test_an_unknown_status_code_is_refused() -> None:
    message = status.answer(PACKAGE, RECEIVER, StatusCode.ARRIVED, "", datetime(2026, 12, 6), Staff())
    xml = status.build(message).replace(b"<edXML:StatusCode>01<", b"<edXML:StatusCode>07<")
    with pytest.raises(Invalid) as caught:
        status.parse(xml)
    assert caught.value.code == "exchange.bad_value" and caught.value.params["value"] == "07"


def test_a_package_is_not_a_status_and_a_status_is_not_a_package() -> None:
    package_xml = etree.tostring(edxml.build(PACKAGE))
    status_xml = status.build(
        status.answer(PACKAGE, RECEIVER, StatusCode.DONE, "", datetime(2026, 12, 6), Staff())
    )
    with pytest.raises(Invalid) as not_status:
        status.parse(package_xml)
    assert not_status.value.code == "exchange.not_status"
    with pytest.raises(Invalid) as not_package:
        edxml.parse(status_xml)
    assert not_package.value.code == "exchange.not_package"


def test_an_unsigned_package_reads_back_the_same() -> None:
    assert edxml.parse(etree.tostring(edxml.build(PACKAGE))) == PACKAGE


def test_the_parser_refuses_entities_missing_parts_and_a_false_identity() -> None:
    xml = etree.tostring(edxml.build(PACKAGE), xml_declaration=True, encoding="UTF-8")
    bomb = xml.replace(
        b"?>", b'?>\n<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>', 1
    ).replace(b"<edXML:Subject>", b"<edXML:Subject>&b;", 1)
    with pytest.raises(Invalid) as doctype:
        edxml.parse(bomb)
    assert doctype.value.code in {"exchange.doctype", "exchange.not_xml"}
    with pytest.raises(Invalid) as missing:
        edxml.parse(
            xml.replace(b"<edXML:Subject>", b"<edXML:Topic>").replace(b"</edXML:Subject>", b"</edXML:Topic>")
        )
    assert (missing.value.code, missing.value.params["element"]) == ("exchange.missing_element", "Subject")
    with pytest.raises(Invalid) as identity:
        edxml.parse(
            xml.replace(
                b"2026/12/06,01/KH-UBND</edXML:DocumentId>", b"2026/12/07,01/KH-UBND</edXML:DocumentId>", 1
            )
        )
    assert identity.value.code == "exchange.document_id_mismatch"
    no_file = xml.replace(b"<ContentId>cid:1</ContentId>", b"<ContentId>cid:2</ContentId>")
    with pytest.raises(Invalid) as orphan:
        edxml.parse(no_file)
    assert orphan.value.code == "exchange.missing_attachment"
    with pytest.raises(Invalid) as garbage:
        edxml.parse(b"<edXML")
    assert garbage.value.code == "exchange.not_xml"


def _with_attachment(data: bytes) -> bytes:
    """The package with its one attachment's encoded bytes replaced."""
    root = edxml.build(PACKAGE)
    node = root.find(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment/{{{NS}}}ContentTransferEncoded")
    node.text = base64.b64encode(data).decode("ascii")
    return etree.tostring(root)


def test_attachments_are_zipped_and_read_zipped_or_not() -> None:
    root = edxml.build(PACKAGE)
    encoded = root.findtext(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment/{{{NS}}}ContentTransferEncoded")
    assert base64.b64decode(encoded).startswith(b"PK\x03\x04")
    assert edxml.build(PACKAGE) is not root and etree.tostring(edxml.build(PACKAGE)) == etree.tostring(root)
    raw = _with_attachment(b"%PDF-1.7\n")  # as some builders send it: the file itself
    assert edxml.parse(raw).attachments[0].content == b"%PDF-1.7\n"


def test_a_zip_of_two_files_or_a_zip_bomb_is_refused() -> None:
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.pdf", b"a")
        archive.writestr("b.pdf", b"b")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.pdf", b"\0" * (edxml.MAX_ATTACHMENT + 1))
    assert len(bomb.getvalue()) < 1_000_000
    for data in (two.getvalue(), bomb.getvalue(), b"PK\x03\x04 not a zip"):
        with pytest.raises(Invalid) as caught:
            edxml.parse(_with_attachment(data))
        assert caught.value.code == "exchange.bad_attachment"


def test_a_recall_an_update_and_a_replacement_read_back() -> None:
    at, staff = datetime(2026, 12, 8, 9, 0, 0), Staff(staff="Nguyễn Thị Lan")
    recall = business.recall(PACKAGE, "Sai nội dung mục II", at, staff)
    xml = etree.tostring(edxml.build(recall))
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{NS}}}Bussiness/{{{NS}}}BussinessDocType") == "1"
    assert root.findtext(f".//{{{NS}}}Bussiness/{{{NS}}}DocumentId") == PACKAGE.document_id
    assert edxml.parse(xml) == recall and recall.attachments == ()

    update = business.update(PACKAGE, "Bổ sung nơi nhận", at, staff)
    assert edxml.parse(etree.tostring(edxml.build(update))).business is Business.UPDATE

    new = replace(PACKAGE, code_number="02", business_document_id="")
    replacing = business.replacement(new, PACKAGE, "Thay thế Kế hoạch số 01/KH-UBND")
    xml = etree.tostring(edxml.build(replacing))
    root = etree.fromstring(xml)
    info = f".//{{{NS}}}ReplacementInfoList/{{{NS}}}ReplacementInfo"
    assert root.findtext(f"{info}/{{{NS}}}DocumentId") == PACKAGE.document_id
    assert [e.text for e in root.findall(f"{info}/{{{NS}}}OrganIdList/{{{NS}}}OrganId")] == [
        RECEIVER.organ_id
    ]
    back = edxml.parse(xml)
    assert (
        back == replacing and back.business is Business.REPLACE and back.document_id.endswith(",02/KH-UBND")
    )
