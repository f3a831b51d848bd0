"""Status messages: what a receiving body answers about a package (pure apart from the XML).

As the senders in docs/edxml.md write them: a SOAP envelope whose header holds one `edXML:Status`
(ResponseFor, From, StatusCode, Description, Timestamp, StaffInfo) and whose body is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from lxml import etree

from exchange.package import Organ, Package, Staff
from exchange.xml import (
    DATE,
    NS,
    PREFIX,
    SOAP,
    STATUS_TIMESTAMP,
    Element,
    add,
    child,
    parse_bytes,
    q,
    text,
    to_date,
    to_timestamp,
)
from models.errors import Invalid

WHAT = "status"


class StatusCode(StrEnum):
    ARRIVED = "01"  # đã đến
    REFUSED = "02"  # từ chối tiếp nhận
    RECEIVED = "03"  # đã tiếp nhận, vào sổ
    ASSIGNED = "04"  # đã phân công
    IN_PROGRESS = "05"  # đang xử lý
    DONE = "06"  # đã xử lý xong
    RECALL_REQUESTED = "13"  # the sender asks to take it back (thu hồi)
    RECALL_AGREED = "15"  # the receiver agrees to the recall or update
    RECALL_REFUSED = "16"  # the receiver refuses it


@dataclass(frozen=True)
class StatusMessage:
    response_for_organ_id: str  # the sender of the document answered
    response_for_code: str  # its "số/ký hiệu": "01/KH-UBND"
    response_for_date: date
    response_for_document_id: str
    sender: Organ  # the body answering
    code: StatusCode
    description: str
    timestamp: datetime  # Vietnam local time
    staff: Staff


def answer(
    package: Package, sender: Organ, code: StatusCode, description: str, at: datetime, staff: Staff
) -> StatusMessage:
    """The status `sender` sends about `package`."""
    return StatusMessage(
        response_for_organ_id=package.sender.organ_id,
        response_for_code=f"{package.code_number}/{package.code_notation}",
        response_for_date=package.promulgation_date,
        response_for_document_id=package.document_id,
        sender=sender,
        code=code,
        description=description,
        timestamp=at,
        staff=staff,
    )


def build(status: StatusMessage) -> bytes:
    envelope: Element = etree.Element(q("Envelope", SOAP), nsmap={"SOAP-ENV": SOAP, PREFIX: NS})
    header = add(envelope, "Header", ns=SOAP)
    node = add(header, "Status")
    response_for = add(node, "ResponseFor")
    add(response_for, "OrganId", status.response_for_organ_id)
    add(response_for, "Code", status.response_for_code)
    add(response_for, "PromulgationDate", status.response_for_date.strftime(DATE))
    add(response_for, "DocumentId", status.response_for_document_id)
    sender = add(node, "From")
    add(sender, "OrganId", status.sender.organ_id)
    add(sender, "OrganName", status.sender.name)
    add(sender, "OrganizationInCharge", status.sender.in_charge)
    add(sender, "OrganAdd", status.sender.address)
    add(sender, "Email", status.sender.email)
    add(sender, "Telephone", status.sender.telephone)
    add(sender, "Fax", status.sender.fax)
    add(sender, "Website", status.sender.website)
    add(node, "StatusCode", status.code.value)
    add(node, "Description", status.description)
    add(node, "Timestamp", status.timestamp.strftime(STATUS_TIMESTAMP))
    staff = add(node, "StaffInfo")
    add(staff, "Department", status.staff.department)
    add(staff, "Staff", status.staff.staff)
    add(staff, "Mobile", status.staff.mobile)
    add(staff, "Email", status.staff.email)
    add(envelope, "Body", ns=SOAP)
    out: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return out


def parse(data: bytes) -> StatusMessage:
    root = parse_bytes(data, WHAT)
    node = root.find(f"{q('Header', SOAP)}/{q('Status')}")
    if root.tag != q("Envelope", SOAP) or node is None:
        raise Invalid(WHAT, code="exchange.not_status", root=str(root.tag))
    value = text(node, "StatusCode", WHAT)
    try:
        code = StatusCode(value)
    except ValueError:
        raise Invalid(WHAT, code="exchange.bad_value", element="StatusCode", value=value) from None
    sender = child(node, "From", WHAT)
    return StatusMessage(
        response_for_organ_id=text(node, "ResponseFor/OrganId", WHAT),
        response_for_code=text(node, "ResponseFor/Code", WHAT),
        response_for_date=to_date(text(node, "ResponseFor/PromulgationDate", WHAT), "PromulgationDate", WHAT),
        response_for_document_id=text(node, "ResponseFor/DocumentId", WHAT),
        sender=Organ(
            organ_id=text(sender, "OrganId", WHAT),
            name=text(sender, "OrganName", WHAT),
            in_charge=text(sender, "OrganizationInCharge", WHAT, required=False),
            address=text(sender, "OrganAdd", WHAT, required=False),
            email=text(sender, "Email", WHAT, required=False),
            telephone=text(sender, "Telephone", WHAT, required=False),
            fax=text(sender, "Fax", WHAT, required=False),
            website=text(sender, "Website", WHAT, required=False),
        ),
        code=code,
        description=text(node, "Description", WHAT, required=False),
        timestamp=to_timestamp(text(node, "Timestamp", WHAT), "Timestamp", WHAT),
        staff=Staff(
            department=text(node, "StaffInfo/Department", WHAT, required=False),
            staff=text(node, "StaffInfo/Staff", WHAT, required=False),
            mobile=text(node, "StaffInfo/Mobile", WHAT, required=False),
            email=text(node, "StaffInfo/Email", WHAT, required=False),
        ),
    )
