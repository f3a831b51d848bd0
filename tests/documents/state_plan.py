"""A commune People's Committee's plan (examples/ke-hoach-ubnd-hamliem.txt) signed by a deputy
chairman in the three-line form; its "Như trên" stands for the units the plan gives tasks to."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STATE_PLAN = (EXAMPLES / "ke-hoach-ubnd-hamliem.txt").read_text("utf-8")
AUTHORITY_LINES = ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
# The address-book units (examples/ubnd-hamliem.toml) "Như trên" stands for: those the text names.
AS_ABOVE_UNITS = ("phong-vhxh", "thon", "phong-kt", "cong-an")
