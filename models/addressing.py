"""Resolving Nơi nhận lines through the address book (pure).

A group expands to its members, an overlap is sent once, the archive line ("Lưu …") is
filed rather than mailed, and a unit without an address is recorded as not emailed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from models.content import RecipientLine

ARCHIVE_PREFIX = re.compile(r"^lưu\b", re.IGNORECASE)


class Route(StrEnum):
    EMAIL = "email"
    NOT_EMAILED = "not_emailed"
    FILED = "filed"


@dataclass(frozen=True)
class Entry:
    """What the resolver needs to know of an address-book unit."""

    code: str
    name: str
    email: str | None
    members: tuple[str, ...] = ()  # codes of member units; non-empty for a group
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolved:
    route: Route
    name: str
    email: str | None
    unit_code: str | None
    line_text: str


def normalise(text: str) -> str:
    """Comparable form of a recipient line: NFC, lower case, no list punctuation or annotation."""
    text = unicodedata.normalize("NFC", text).strip()
    text = re.sub(r"^[-–•+]\s*", "", text)
    text = re.sub(r"\s*\([^)]*\)\s*[,;.]?\s*$", "", text)
    text = re.sub(r"[,;.]+$", "", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def is_archive_line(text: str) -> bool:
    return bool(ARCHIVE_PREFIX.match(normalise(text)))


def match_unit(text: str, entries: Sequence[Entry]) -> str | None:
    """The code of the unit whose name or alias equals the line, or None."""
    wanted = normalise(text)
    for entry in entries:
        if wanted in {normalise(entry.name), *(normalise(a) for a in entry.aliases)}:
            return entry.code
    return None


def resolve(lines: Sequence[RecipientLine], book: Mapping[str, Entry]) -> list[Resolved]:
    """Every distinct recipient of the lines, in order; emails de-duplicated case-insensitively."""
    out: list[Resolved] = []
    seen_emails: set[str] = set()
    seen_units: set[str] = set()

    def add(code: str, line: str, trail: tuple[str, ...]) -> None:
        entry = book[code]
        if entry.members:
            for member in entry.members:
                if member not in trail:  # a group that contains itself is not expanded twice
                    add(member, line, (*trail, member))
            return
        if code in seen_units:
            return
        seen_units.add(code)
        if entry.email is None:
            out.append(Resolved(Route.NOT_EMAILED, entry.name, None, code, line))
            return
        if entry.email.casefold() in seen_emails:
            return
        seen_emails.add(entry.email.casefold())
        out.append(Resolved(Route.EMAIL, entry.name, entry.email, code, line))

    for line in lines:
        if line.archive:
            out.append(Resolved(Route.FILED, line.text, None, None, line.text))
        elif line.unit_code is not None:
            add(line.unit_code, line.text, (line.unit_code,))
    return out
