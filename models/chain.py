"""The audit hash chain (pure): each entry carries the hash of the one before."""

from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64
ANCHOR_HEX = 16  # hex digits of a chain head printed as an anchor (64 bits)


def entry_hash(prev_hash: str, fields: dict[str, object]) -> str:
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


def row_digest(kind: str, fields: dict[str, object]) -> str:
    """The digest of a database row's bound columns, as an audit entry records it."""
    return entry_hash(kind, fields)


def short_head(head_hash: str) -> str:
    """The part of a chain head printed as an anchor: enough to name one state of the chain."""
    return head_hash[:ANCHOR_HEX]


PRINT_HEX = 4  # hex digits of one column's fingerprint: enough to name it, the row digest proves it


def _column_print(name: str, value: object) -> str:
    return entry_hash("column", {name: value})[:PRINT_HEX]


def column_prints(values: dict[str, object]) -> str:
    """':' and a short fingerprint of each column, in order: which column of a bound row changed."""
    return ":" + "".join(_column_print(name, value) for name, value in values.items())


def split_binding(binding: str) -> tuple[str, str]:
    """A recorded binding as (row digest, column fingerprints); entries before fingerprints have none."""
    digest, _, prints = binding.partition(":")
    return digest, prints


def changed_columns(prints: str, values: dict[str, object]) -> list[str]:
    """The columns whose fingerprint differs from the recorded one ([] when none was recorded)."""
    if len(prints) != PRINT_HEX * len(values):
        return []
    return [
        name
        for i, (name, value) in enumerate(values.items())
        if prints[i * PRINT_HEX : (i + 1) * PRINT_HEX] != _column_print(name, value)
    ]
