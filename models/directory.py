"""Organisations, people and the address book of recipient units."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)  # ASCII handle for the CLI: "hamliem"
    code: str  # symbol code printed in the number: "ĐU", "ĐUK", "UBND"
    name: str  # issuing body as printed in the header: "ĐẢNG ỦY XÃ HÀM LIÊM"
    superior: str = ""  # superior body line: "ĐẢNG BỘ TỈNH LÂM ĐỒNG"
    place: str  # place name for the date line: "Hàm Liêm"
    system: str  # "party" or "state"
    term: str = ""  # current committee term for Party registers: "2025-2030"
    reminders: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    holidays: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # ISO dates
    # {"pkcs12": path, "password": …}: this organisation's sealing certificate; {}: the settings' one
    seal: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Review workflows a plan may use: [{"name", "stages": [{"name", "reviewers", "rule", "mandatory"}]}]
    review_templates: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    drafter_may_approve_and_sign: bool = False  # lifts separation of duties for this organisation
    # True: the engine issues (numbers, seals with the server-held key) right after the signature;
    # False: the văn thư (role clerk) issues each signed document in person.
    automatic_issuance: bool = True
    # Email domains whose addresses may hold a role; []: the domains of its secretariat's addresses.
    role_domains: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    head_email: str = ""  # told of every confirmed role change; "": its administrators are
    # Mã định danh (QĐ 20/2020/QĐ-TTg, "000.00.00.H42"): the sender in an edXML package; "": none
    agency_id: str = ""


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(unique=True, index=True)
    name: str
    title: str = ""  # "Phó Bí thư Thường trực"
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Unit(SQLModel, table=True):
    """An address-book entry: a unit or person that receives plans, or a group of them."""

    __table_args__ = (UniqueConstraint("org_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    code: str
    name: str
    email: str | None = None  # None: delivered by another channel, recorded as not emailed
    is_group: bool = False
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    agency_id: str | None = None  # mã định danh on the exchange axis (QĐ 20/2020/QĐ-TTg)
    channel: str = "email"  # "email" | "edxml": how its copy leaves (edxml needs agency_id)


class GroupMember(SQLModel, table=True):
    group_id: int = Field(foreign_key="unit.id", primary_key=True)
    member_id: int = Field(foreign_key="unit.id", primary_key=True)


class Delegation(SQLModel, table=True):
    """Ủy quyền: `from_id` lets `to_id` review or sign for them, dates inclusive (Asia/Ho_Chi_Minh)."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    from_id: int = Field(foreign_key="person.id", index=True)
    to_id: int = Field(foreign_key="person.id", index=True)
    kind: str  # "review" | "sign"
    starts_on: date
    ends_on: date
    basis: str = ""  # the written authorisation it rests on, e.g. "Giấy ủy quyền số 05/GUQ-VP"
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoleChange(SQLModel, table=True):
    """A change to who may review, sign or administer: made by an administrator, in force once
    a second administrator confirms it (one person alone cannot make themselves a signer)."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    roles: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )  # all, once confirmed
    requested_by_id: int = Field(foreign_key="person.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    status: str = "pending"  # pending | confirmed
    confirmed_by_id: int | None = Field(default=None, foreign_key="person.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignatureImage(SQLModel, table=True):
    """A person's signature image (blue) or an organisation's seal image (red, `person_id` None), a
    PNG with transparency that a signature's appearance shows (NĐ 30 Phụ lục I). One of each: a new
    upload replaces it."""

    __table_args__ = (UniqueConstraint("org_id", "person_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    kind: str  # "signature" or "seal" (documents.signatures.images.ImageKind)
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str
    width: int  # pixels
    height: int
    width_mm: float | None = None  # the seal's actual width, printed at that size
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SigningCertificate(SQLModel, table=True):
    """A person's signing certificate, registered to them: a signature is accepted as theirs only
    when made with one of these (checked by its SHA-256 fingerprint)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    subject: str  # as the certificate names its holder
    serial: str  # hex, as a CA prints it
    fingerprint: str = Field(unique=True, index=True)  # SHA-256 of the DER, hex
    not_before: datetime = Field(sa_type=UTCDateTime)
    not_after: datetime = Field(sa_type=UTCDateTime)
    pem: str  # the certificate itself
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
