"""Official numbering rules (pure).

Party bodies number per (organisation, document type, committee term) and print
"Số 38-KH/ĐUK"; state bodies number per (organisation, calendar year) under NĐ 30/2020
and print "Số: 38/KH-UBND". Years are taken in Asia/Ho_Chi_Minh time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class System(StrEnum):
    PARTY = "party"
    STATE = "state"


@dataclass(frozen=True)
class RegisterKey:
    org: str  # the organisation's unique key: codes such as "UBND" repeat across bodies
    doc_type: str  # "" for state registers: one series per year for all types
    scope: str  # the committee term ("2025-2030") or the calendar year ("2026")


def register_key(system: System, org: str, doc_type: str, term: str, at: datetime) -> RegisterKey:
    if at.tzinfo is None:
        raise ValueError("numbering needs an aware datetime")
    if system is System.PARTY:
        return RegisterKey(org, doc_type, term)
    return RegisterKey(org, "", str(at.astimezone(VN_TZ).year))


def symbol(system: System, number: int, doc_type: str, org_code: str) -> str:
    """The printed number and symbol; numbers below 10 take a leading zero."""
    return printed_symbol(system, f"{number:02d}", doc_type, org_code)


def printed_symbol(system: System, number: str, doc_type: str, org_code: str) -> str:
    """'Số 12-KH/ĐU' (Party), 'Số: 12/KH-UBND' (state); a state công văn ("CV") has no type code
    in its symbol ('Số: 12/UBND'), a Party one has ('Số 12-CV/TU')."""
    if system is System.PARTY:
        return f"Số {number}-{doc_type}/{org_code}"
    if doc_type == "CV":
        return f"Số: {number}/{org_code}"
    return f"Số: {number}/{doc_type}-{org_code}"


def date_line(place: str, at: datetime) -> str:
    """'Hàm Liêm, ngày 05 tháng 02 năm 2026': day and months 1–2 zero-padded, local time."""
    local = at.astimezone(VN_TZ)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"{place}, ngày {local.day:02d} tháng {month} năm {local.year}"
