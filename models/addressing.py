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
# "Như trên" (the addressees of Kính gửi) and "Như Điều 3" (the units the article names).
_AS_ABOVE_RE = re.compile(r"^như\s+(?:trên|điều\s+(\d+))$")
_KINH_GUI_RE = re.compile(r"^kính\s+gửi\s*:?\s*(.*)$", re.IGNORECASE)
_ADDRESSEE_RE = re.compile(r"^[-–•+]\s*\S")
_ARTICLE_RE = re.compile(r"^\W*điều\s+(\d+)\b", re.IGNORECASE)
_ANNOTATION_RE = re.compile(r"^(.*\S)\s*\(([^()]*)\)$")
_ENTRY_DASH_RE = re.compile(r"^[-–•+]\s*")


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


def printed_entry(text: str, annotation: str = "") -> str:
    """A Nơi nhận entry as written: "Sở Nội vụ (để thực hiện)"; `split_entry` reads it back."""
    return f"{text} ({annotation})" if annotation else text


def split_entry(text: str) -> tuple[str, str]:
    """A Nơi nhận entry as printed ("- Sở Nội vụ (để thực hiện);") as (text, annotation)."""
    text = _ENTRY_DASH_RE.sub("", text.strip()).rstrip().rstrip(",;.").rstrip()
    match = _ANNOTATION_RE.match(text)
    if match:
        return match.group(1).rstrip(), match.group(2).strip()
    return text, ""


def is_archive_line(text: str) -> bool:
    return bool(ARCHIVE_PREFIX.match(normalise(text)))


def as_above(text: str) -> str | None:
    """'' for "Như trên", the article's number for "Như Điều 3", None for any other line."""
    found = _AS_ABOVE_RE.match(normalise(text))
    return None if found is None else found.group(1) or ""


def _referred_text(body: str, article: str) -> str:
    """The text an as-above line points at: the article, else the Kính gửi lines, else the body."""
    lines = unicodedata.normalize("NFC", body).split("\n")
    if article:
        kept: list[str] = []
        inside = False
        for line in lines:
            heading = _ARTICLE_RE.match(line)
            inside = heading.group(1) == article if heading else inside
            kept += [line] if inside else []
        return "\n".join(kept)
    for n, line in enumerate(lines):
        if found := _KINH_GUI_RE.match(line.replace("*", "").strip()):
            addressees = [found.group(1)]
            for following in lines[n + 1 :]:
                if not _ADDRESSEE_RE.match(following.strip()):
                    break
                addressees.append(following)
            return "\n".join(addressees)
    return body


def referred_units(body: str, article: str, entries: Sequence[Entry]) -> list[str]:
    """Codes of the units whose name or alias the referred text names, in the order it names them."""
    text = " ".join(unicodedata.normalize("NFC", _referred_text(body, article)).casefold().split())
    found: list[tuple[int, str]] = []
    for entry in entries:
        names = (normalise(name) for name in (entry.name, *entry.aliases))
        places = [
            m.start() for name in names if name for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)
        ]
        if places:
            found.append((min(places), entry.code))
    return [code for _, code in sorted(found)]


def match_unit(text: str, entries: Sequence[Entry]) -> str | None:
    """The code of the unit whose name or alias equals the line, or None."""
    wanted = normalise(text)
    for entry in entries:
        if wanted in {normalise(entry.name), *(normalise(a) for a in entry.aliases)}:
            return entry.code
    return None


def resolve(lines: Sequence[RecipientLine], book: Mapping[str, Entry], body: str = "") -> list[Resolved]:
    """Every distinct recipient of the lines, in order; emails de-duplicated case-insensitively.
    An as-above line ("Như trên") stands for the units `body` names where it points."""
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
        elif (article := as_above(line.text)) is not None:
            for code in referred_units(body, article, list(book.values())):
                add(code, line.text, (code,))
    return out
