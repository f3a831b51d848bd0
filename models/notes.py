"""Importer notes as data: what the importer (or the recipient and signer mapping) could not
keep, with a code, where it was found and the params of its message (models/note_messages.py).

A note is a `str` whose value is the English text the CLI has always printed, so callers that
join, compare or store notes as strings (the audit detail) are unchanged; the web reads its
`code` and shows the Vietnamese `message`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self


class Note(str):
    """`where: English message`; `where` is "line 3", "paragraph 12", "recipients[1]", …"""

    code: str
    where: str
    params: dict[str, Any]

    def __new__(cls, where: str, code: str, /, **params: Any) -> Self:
        from models.note_messages import english

        self = super().__new__(cls, f"{where}: {english(code, params)}")
        self.code, self.where, self.params = code, where, params
        return self

    @property
    def message(self) -> str:
        """The Vietnamese message, with its place."""
        from models.note_messages import vietnamese, vietnamese_place

        return f"{vietnamese_place(self.where)}: {vietnamese(self.code, self.params)}"

    def at(self, where: str) -> Note:
        """The same note found at another place (a Word paragraph instead of a text line)."""
        return Note(where, self.code, **self.params)

    def as_entry(self) -> dict[str, Any]:
        """What the audit detail keeps to show the note again: its code, place and params."""
        return {"code": self.code, "where": self.where, "params": dict(self.params)}

    def as_json(self) -> dict[str, Any]:
        """`--json`: the entry with both texts."""
        return {**self.as_entry(), "text": str(self), "message": self.message}

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Note:
        return cls(entry["where"], entry["code"], **entry.get("params", {}))
