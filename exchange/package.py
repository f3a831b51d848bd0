"""An edXML package as typed data: what the builder writes and the parser reads back (pure).

Field names follow the elements of QCVN 102:2016 (docs/edxml.md); every text is kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum


class Business(IntEnum):
    """TraceHeaderList/Bussiness/BussinessDocType: what the package does to the document."""

    NEW = 0
    RECALL = 1  # thu hồi
    UPDATE = 2  # cập nhật
    REPLACE = 3  # thay thế


class Priority(IntEnum):
    """OtherInfo/Priority (độ khẩn)."""

    NORMAL = 0  # thường
    URGENT = 1  # khẩn
    VERY_URGENT = 2  # thượng khẩn
    FLASH = 3  # hỏa tốc
    FLASH_TIMED = 4  # hỏa tốc hẹn giờ


@dataclass(frozen=True)
class Organ:
    """From, To: a body on the exchange axis."""

    organ_id: str  # mã định danh
    name: str
    in_charge: str = ""  # OrganizationInCharge: the body it answers to
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Signer:
    competence: str  # the authority line(s): "T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH"
    position: str  # the title under them: "PHÓ BÍ THƯ THƯỜNG TRỰC"
    full_name: str


@dataclass(frozen=True)
class Staff:
    """StaffInfo: who at the sender (or the answering body) handles it."""

    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class Trace:
    organ_id: str
    timestamp: datetime  # Vietnam local time, to the second, as written


@dataclass(frozen=True)
class Attachment:
    content_id: str  # "cid:…", the same in the manifest and in AttachmentEncoded
    name: str
    content_type: str
    description: str
    content: bytes


@dataclass(frozen=True)
class Replacement:
    """Bussiness/ReplacementInfoList/ReplacementInfo: a document this one replaces, and for whom."""

    document_id: str
    organ_ids: tuple[str, ...]


@dataclass(frozen=True)
class Package:
    sender: Organ
    receivers: tuple[Organ, ...]
    code_number: str  # "01", "38"
    code_notation: str  # "KH/ĐU" (Party), "KH-UBND" (state)
    place: str
    promulgation_date: date
    type_code: int
    type_name: str  # "Kế hoạch"
    subject: str  # trích yếu
    content: str
    signer: Signer
    due_date: date | None
    to_places: tuple[str, ...]  # the Nơi nhận lines as printed
    priority: Priority
    sphere: str  # SphereOfPromulgation
    typer_notation: str
    promulgation_amount: int
    page_amount: int
    steering_type: int
    traces: tuple[Trace, ...]
    business: Business
    business_reason: str
    business_document_id: str  # the document the business acts on (itself when new)
    staff: Staff
    attachments: tuple[Attachment, ...]
    replaces: tuple[Replacement, ...] = ()

    @property
    def document_id(self) -> str:
        """`{OrganId},{YYYY/MM/DD},{số}/{ký hiệu}`: the document's identity on the axis."""
        return document_id(self.sender.organ_id, self.promulgation_date, self.code_number, self.code_notation)


def document_id(organ_id: str, promulgated: date, number: str, notation: str) -> str:
    return f"{organ_id},{promulgated:%Y/%m/%d},{number}/{notation}"
