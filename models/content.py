"""Canonical plan content and its version hash (pure).

An approval counts only for the hash it was given on. The number and date are not part
of the content: signing adds them.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

SHORT_HASH_LENGTH = 12
# A signing form at the start of an authority line: Party slash forms, state dot forms.
FORM_RE = re.compile(r"^(T/M|K/T|T/L|TUQ\.|TM\.|KT\.|TL\.|Q\.)\s*(.*)$")


def signature_lines(form: str, collective: str, title: str) -> tuple[str, ...]:
    """The authority and title lines of a signature block, in print order. A title of several
    lines ("KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH" under "TM. ỦY BAN NHÂN DÂN") keeps them apart
    with newlines, so a one-line title keeps the content hash it always had."""
    authority = f"{form} {collective}".strip()
    return tuple(line.strip() for line in (authority, *title.split("\n")) if line.strip())


@dataclass(frozen=True)
class RecipientLine:
    """One line of the Nơi nhận list, as written, and the address-book unit it maps to."""

    text: str
    annotation: str = ""
    unit_code: str | None = None
    archive: bool = False


@dataclass(frozen=True)
class SignatureBlock:
    form: str  # T/M, K/T, T/L, Q. (Party) or TM., KT., TL., TUQ., Q. (state)
    collective: str  # BAN THƯỜNG VỤ
    title: str  # PHÓ BÍ THƯ THƯỜNG TRỰC
    signer_email: str
    signer_name: str

    @property
    def lines(self) -> tuple[str, ...]:
        return signature_lines(self.form, self.collective, self.title)


DEADLINE_KINDS = ("date", "cadence", "milestone", "none")
CADENCES = ("monthly", "quarterly", "half_yearly", "yearly")
MILESTONES = ("so_ket", "tong_ket")


@dataclass(frozen=True)
class AssignedUnit:
    """A unit an assignment names: its address-book code, or None while the name is to confirm."""

    name: str
    unit_code: str | None = None


@dataclass(frozen=True)
class ConfirmedAssignment:
    """One assignment as the secretariat confirmed it: part of the version reviewers approve."""

    lead: AssignedUnit
    supporting: tuple[AssignedUnit, ...] = ()
    follower: AssignedUnit | None = None
    what: str = ""
    deadline: str = "none"  # one of DEADLINE_KINDS
    due: str = ""  # ISO date of a "date" deadline
    cadence: str = ""  # one of CADENCES for a "cadence" deadline
    milestones: tuple[tuple[str, str], ...] = ()  # (one of MILESTONES, ISO date set by the secretariat)

    @property
    def to_confirm(self) -> tuple[str, ...]:
        """The names no address-book unit stands for yet."""
        units = (self.lead, *self.supporting, *((self.follower,) if self.follower else ()))
        return tuple(dict.fromkeys(u.name for u in units if u.unit_code is None))

    def as_json(self) -> dict[str, object]:
        return _canonical(asdict(self))  # type: ignore[return-value]


@dataclass(frozen=True)
class PlanContent:
    title: str
    body: str
    footnotes: tuple[str, ...] = ()
    recipients: tuple[RecipientLine, ...] = ()
    signature: SignatureBlock | None = None
    summary_lines: tuple[str, ...] = field(default=())
    # Last, and left out of the hash while empty: every version stored before assignments keeps its hash.
    assignments: tuple[ConfirmedAssignment, ...] = ()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _canonical(value: object) -> object:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def content_hash(content: PlanContent) -> str:
    """sha256 over the canonical JSON of the content, text in Unicode NFC."""
    fields = asdict(content)
    if not fields["assignments"]:
        del fields["assignments"]
    payload = json.dumps(_canonical(fields), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def short_hash(full: str) -> str:
    return full[:SHORT_HASH_LENGTH]


def recipients_from_json(items: Sequence[dict[str, object]]) -> tuple[RecipientLine, ...]:
    return tuple(
        RecipientLine(
            text=str(i["text"]),
            annotation=str(i.get("annotation") or ""),
            unit_code=None if i.get("unit_code") is None else str(i["unit_code"]),
            archive=bool(i.get("archive", False)),
        )
        for i in items
    )


def _unit_from_json(item: object) -> AssignedUnit:
    if not isinstance(item, dict):
        raise TypeError("an assigned unit is an object with name and unit_code")
    code = item.get("unit_code")
    return AssignedUnit(name=str(item["name"]), unit_code=None if code is None else str(code))


def assignments_from_json(items: Sequence[dict[str, Any]]) -> tuple[ConfirmedAssignment, ...]:
    """Stored assignments (a version's JSON column) as content."""
    return tuple(
        ConfirmedAssignment(
            lead=_unit_from_json(i["lead"]),
            supporting=tuple(_unit_from_json(u) for u in i.get("supporting") or ()),
            follower=None if i.get("follower") is None else _unit_from_json(i["follower"]),
            what=str(i.get("what") or ""),
            deadline=str(i.get("deadline") or "none"),
            due=str(i.get("due") or ""),
            cadence=str(i.get("cadence") or ""),
            milestones=tuple((str(m), str(on)) for m, on in i.get("milestones") or ()),
        )
        for i in items
    )


@dataclass(frozen=True)
class Draft:
    """A plan as imported or written, before it is mapped to the address book and people."""

    title: str
    body: str
    summary_lines: tuple[str, ...] = ()
    footnotes: tuple[str, ...] = ()
    recipient_lines: tuple[tuple[str, str], ...] = ()  # (text, annotation)
    sign_form: str = ""
    sign_collective: str = ""
    sign_title: str = ""  # several lines apart with newlines
    signer_name: str = ""
    # The type read off the type line ("QĐ" under "QUYẾT ĐỊNH"; "CV" for a công văn, which has none).
    # Not content: the plan row holds it, and a version's hash stays what it always was.
    doc_type: str = "KH"

    @property
    def sign_lines(self) -> tuple[str, ...]:
        return signature_lines(self.sign_form, self.sign_collective, self.sign_title)
