"""Organisations, people and the address book of recipient units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


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


class GroupMember(SQLModel, table=True):
    group_id: int = Field(foreign_key="unit.id", primary_key=True)
    member_id: int = Field(foreign_key="unit.id", primary_key=True)
