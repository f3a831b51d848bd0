"""The audit hash chain (pure): each entry carries the hash of the one before."""

from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64


def entry_hash(prev_hash: str, fields: dict[str, object]) -> str:
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()
