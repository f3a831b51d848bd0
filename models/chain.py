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
