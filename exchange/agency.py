"""Agency identifiers (mã định danh) of QĐ 20/2020/QĐ-TTg and the delivery channels of a unit (pure)."""

from __future__ import annotations

import re
from enum import StrEnum

from models.errors import Invalid

# Four levels, lowest first: "000.00.00.H42" (a province's body), "002.00.20.H13" (a commune).
AGENCY_ID = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")


class Channel(StrEnum):
    EMAIL = "email"
    EDXML = "edxml"  # a package through the exchange axis; the unit needs an agency identifier


def check_agency_id(field: str, value: str) -> str:
    value = value.strip()
    if not AGENCY_ID.fullmatch(value):
        raise Invalid(field, code="exchange.bad_agency_id", value=value)
    return value


def check_channel(field: str, value: str, agency_id: str | None) -> Channel:
    try:
        channel = Channel(value)
    except ValueError:
        raise Invalid(
            field, code="field.bad_choice", value=value, choices=", ".join(c.value for c in Channel)
        ) from None
    if channel is Channel.EDXML and not agency_id:
        raise Invalid(field, code="exchange.channel_needs_agency_id")
    return channel
